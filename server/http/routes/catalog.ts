// GET /v1/catalog: the prices the panel's badges are computed from, which providers this proxy can use, and
// which models their provider reported gone (why, and since when), so the panel disables them with that reason.
import { Hono } from "hono";
import type { CatalogResponse } from "../../../core/api/responses.ts";
import { requireAuth } from "../auth.ts";
import type { AppDeps, AppEnv } from "../types.ts";

export function catalogRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/catalog", requireAuth(deps.stores.teams), async (c) => {
    const body: CatalogResponse = { catalog: deps.catalog, providers: await deps.providers.statusesWithModels() };
    return c.json(body);
  });
}
