// GET /v1/ledger (manager): the team's ledger entries, newest first, `limit` at a time; `nextCursor` fetches
// the next, older page. `job` and `member` narrow it to one job ("the entries of a job") or one member.
import { Hono } from "hono";
import { ledgerQuerySchema, type LedgerPage } from "../../../core/api/reports.ts";
import { requireAuth } from "../../auth/middleware.ts";
import { InvalidCursorError, ledgerPage } from "../../reports/ledger-page.ts";
import { ApiError, invalidRequest } from "../api-error.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { parseOrThrow } from "../validate.ts";
import { requireManager } from "./team.ts";

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
    let page: LedgerPage;
    try {
      page = await ledgerPage(deps.stores.db, { teamId, cursor: q.cursor ?? null, limit: q.limit, jobId: q.job ?? null, memberId: q.member ?? null });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw invalidRequest({ cursor: "is not a cursor this proxy gave out" });
      throw error;
    }
    return c.json(page);
  });
}
