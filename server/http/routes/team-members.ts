// A manager's administration of their team: POST /v1/team/members adds a member and shows its token once;
// PATCH /v1/team/members/:id changes the cap, role or disabled flag; POST /v1/team/members/:id/token issues
// a new token and revokes the old ones. Another team's member id is 404, exactly like an unknown one.
import { Hono, type Context } from "hono";
import {
  memberCreateSchema,
  memberPatchSchema,
  type MemberResponse,
  type MemberTokenResponse,
  type TeamMember,
} from "../../../core/api/reports.ts";
import { memberSummary } from "../../reports/team-summary.ts";
import type { MemberPatch, MemberRecord } from "../../teams/types.ts";
import { ApiError } from "../api-error.ts";
import { requireAuth, requireManager } from "../auth.ts";
import { readJson } from "../read-json.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { parseOrThrow, pathId } from "../validate.ts";

const NOT_FOUND = "No such member in your team";

/** A token is a secret shown once: no cache, proxy or browser history may keep the response. */
const NO_STORE = { "Cache-Control": "no-store" };

export function teamMembersRoute(deps: AppDeps): Hono<AppEnv> {
  const { teams, db } = deps.stores;
  const auth = [requireAuth(teams), requireManager()] as const;

  async function memberOfTeam(c: Context<AppEnv>): Promise<MemberRecord> {
    const member = await teams.getMember(pathId(c));
    if (!member || member.teamId !== c.var.caller.team.id) throw new ApiError("not_found", NOT_FOUND);
    return member;
  }

  async function view(teamId: string, memberId: string): Promise<TeamMember> {
    const member = await memberSummary(db, teamId, memberId);
    if (!member) throw new ApiError("not_found", NOT_FOUND);
    return member;
  }

  return new Hono<AppEnv>()
    .post("/v1/team/members", ...auth, async (c) => {
      const body = parseOrThrow(memberCreateSchema, await readJson(c));
      const teamId = c.var.caller.team.id;
      const { member, token } = await teams.addMember({ teamId, name: body.name, role: body.role, monthlyCap: body.monthlyCap ?? null });
      const res: MemberTokenResponse = { member: await view(teamId, member.id), token };
      return c.json(res, 201, NO_STORE);
    })
    .patch("/v1/team/members/:id", ...auth, async (c) => {
      const target = await memberOfTeam(c);
      const body = parseOrThrow(memberPatchSchema, await readJson(c));
      // Only the fields sent: the store treats a present `monthlyCap` key, even undefined, as "set it".
      const patch: MemberPatch = {};
      if (body.monthlyCap !== undefined) patch.monthlyCap = body.monthlyCap;
      if (body.role !== undefined) patch.role = body.role;
      if (body.disabled !== undefined) patch.disabled = body.disabled;
      await teams.updateMember(target.id, patch);
      const res: MemberResponse = { member: await view(target.teamId, target.id) };
      return c.json(res);
    })
    .post("/v1/team/members/:id/token", ...auth, async (c) => {
      const target = await memberOfTeam(c);
      const { token } = await teams.rotateToken(target.id);
      const res: MemberTokenResponse = { member: await view(target.teamId, target.id), token };
      return c.json(res, 200, NO_STORE);
    });
}
