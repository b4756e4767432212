// GET /v1/ledger (manager): the team's ledger entries, newest first, `limit` at a time; `nextCursor` fetches
// the next, older page. `job` and `member` narrow it to one job ("the entries of a job") or one member.
import { Hono } from "hono";
import { ledgerQuerySchema, type LedgerPage } from "../../../core/api/reports.ts";
import { ledgerPage } from "../../reports/ledger-page.ts";
import { ApiError } from "../api-error.ts";
import { requireAuth, requireManager } from "../auth.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { parseOrThrow } from "../validate.ts";

export function ledgerRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/ledger", requireAuth(deps.stores.teams), requireManager(), async (c) => {
    const q = parseOrThrow(ledgerQuerySchema, c.req.query());
    const teamId = c.var.caller.team.id;
    // A filter naming an id outside the team is 404, as that id would be anywhere else in the API.
    if (q.job && !(await deps.stores.jobs.get(teamId, q.job))) throw new ApiError("not_found", "No such job in your team");
    if (q.member) {
      const member = await deps.stores.teams.getMember(q.member);
      if (!member || member.teamId !== teamId) throw new ApiError("not_found", "No such member in your team");
    }
    const page: LedgerPage = await ledgerPage(deps.stores.db, { teamId, cursor: q.cursor ?? null, limit: q.limit, jobId: q.job ?? null, memberId: q.member ?? null });
    return c.json(page);
  });
}
