// GET /v1/usage: captured credits grouped by member, operation, provider, model and/or day over [from, to)
// (default: the team's current period), as JSON or, with format=csv, as a CSV download. A manager sees the
// team and may narrow it to one member; a member always sees only their own usage, whatever they ask for.
import { Hono } from "hono";
import { usageQuerySchema } from "../../../core/api/reports.ts";
import { requireAuth } from "../auth.ts";
import { usageCsv, usageReport } from "../../reports/usage-report.ts";
import { ApiError, invalidRequest } from "../api-error.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { parseOrThrow } from "../validate.ts";

/** `2026-11-01` for a midnight, else `2026-11-01T093000Z`: no characters a file system or shell minds. */
export function fileStamp(iso: string): string {
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : `${iso.slice(0, 19).replace(/:/g, "")}Z`;
}

export function usageRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/usage", requireAuth(deps.stores.teams), async (c) => {
    const query: Record<string, string> = c.req.query();
    // groupBy=member&groupBy=day means the same as groupBy=member,day.
    const groups = c.req.queries("groupBy");
    if (groups && groups.length > 1) query.groupBy = groups.join(",");
    const q = parseOrThrow(usageQuerySchema, query);
    const { team, member } = c.var.caller;

    let memberId: string | null = null;
    if (member.role !== "manager") memberId = member.id;
    else if (q.member) {
      const target = await deps.stores.teams.getMember(q.member);
      if (!target || target.teamId !== team.id) throw new ApiError("not_found", "No such member in your team");
      memberId = target.id;
    }

    const from = q.from ?? team.periodStart;
    const to = q.to ?? team.periodEnd;
    if (from >= to)
      throw invalidRequest(
        q.to ? { to: `must be after from (${from})` } : { from: `must be before to, which defaults to the end of the current period (${to})` },
      );

    // A project of another team is 404, like an unknown one.
    if (q.project && !(await deps.stores.managers.getProject(team.id, q.project, team.periodStart))) throw new ApiError("not_found", "No such project in your team");
    const report = await usageReport(deps.stores.db, { teamId: team.id, from, to, groupBy: q.groupBy, memberId, projectId: q.project ?? null });
    if (q.format === "json") return c.json(report);
    return c.body(usageCsv(report), 200, {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="usage-${fileStamp(from)}-${fileStamp(to)}.csv"`,
    });
  });
}
