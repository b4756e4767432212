// GET /v1/insights: cost-saving suggestions from the current period's jobs (reports/insights.ts). A manager
// sees the team's; a member sees only their own jobs counted. The period is always the current one, so the
// route takes no parameters and refuses any, rather than ignoring a `from` the caller thinks applies.
import { Hono } from "hono";
import { z } from "zod";
import { requireAuth } from "../auth.ts";
import { callerState } from "../../jobs/pricing-state.ts";
import { insightsReport } from "../../reports/insights.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { parseOrThrow } from "../validate.ts";

const insightsQuerySchema = z.strictObject({});

export function insightsRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/insights", requireAuth(deps.stores.teams), async (c) => {
    parseOrThrow(insightsQuerySchema, c.req.query());
    const { member } = c.var.caller;
    // callerState rolls an ended period over first, so "current" is the period the team is in now.
    const { team } = await callerState(deps.stores, deps.providers, deps.catalog, c.var.caller);
    const report = await insightsReport(deps.stores.db, deps.catalog, {
      teamId: team.id,
      memberId: member.role === "manager" ? null : member.id,
      periodStart: team.periodStart,
      periodEnd: team.periodEnd,
    });
    return c.json(report);
  });
}
