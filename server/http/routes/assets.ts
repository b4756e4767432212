// The asset library (docs/api.md): GET /v1/assets pages the team's assets newest first with filters; GET
// /v1/assets/:id is one asset's metadata; DELETE /v1/assets/:id removes it (its bytes too once nothing else
// refers to them). Any member of the team reads the library; an asset is deleted by the member who made it
// or a manager. Another team's ids are 404, as unknown ones. GET /v1/assets/:id/content is asset-content.ts
// (one more path segment, so neither route shadows the other).
import { Hono } from "hono";
import { assetQuerySchema, type AssetPage } from "../../../core/api/assets.ts";
import { assetView } from "../asset-view.ts";
import { requireAuth } from "../auth.ts";
import { ApiError } from "../api-error.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { parseOrThrow, pathId } from "../validate.ts";

export function assetsRoute(deps: AppDeps): Hono<AppEnv> {
  const auth = requireAuth(deps.stores.teams);
  return new Hono<AppEnv>()
    .get("/v1/assets", auth, async (c) => {
      const q = parseOrThrow(assetQuerySchema, c.req.query());
      const teamId = c.var.caller.team.id;
      // A filter naming a member outside the team is 404, as that id would be anywhere else in the API.
      if (q.project && !(await deps.stores.managers.getProject(teamId, q.project, c.var.caller.team.periodStart)))
        throw new ApiError("not_found", "No such project in your team");
      if (q.member) {
        const member = await deps.stores.teams.getMember(q.member);
        if (!member || member.teamId !== teamId) throw new ApiError("not_found", "No such member in your team");
      }
      const page = await deps.stores.assets.list(teamId, q);
      return c.json({ assets: page.assets.map((a) => assetView(a, deps.catalog)), nextCursor: page.nextCursor } satisfies AssetPage);
    })
    .get("/v1/assets/:id", auth, async (c) => {
      const asset = await deps.stores.assets.get(c.var.caller.team.id, pathId(c));
      if (!asset) throw new ApiError("not_found", "No such asset");
      const member = await deps.stores.teams.getMember(asset.memberId);
      return c.json({ asset: assetView({ ...asset, memberName: member?.name ?? null }, deps.catalog) });
    })
    .delete("/v1/assets/:id", auth, async (c) => {
      const { team, member } = c.var.caller;
      const asset = await deps.stores.assets.get(team.id, pathId(c));
      if (!asset) throw new ApiError("not_found", "No such asset");
      if (asset.memberId !== member.id && member.role !== "manager")
        throw new ApiError("forbidden", "Only the member who made this asset or a manager of your team can delete it");
      // null: a concurrent delete got there first; the outcome the caller asked for, but say so as for any id.
      if (!(await deps.stores.assets.delete(team.id, asset.id))) throw new ApiError("not_found", "No such asset");
      return c.body(null, 204);
    });
}
