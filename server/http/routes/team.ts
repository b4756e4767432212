// GET /v1/team (manager): the team, its tier, balance and billing period, and every member with their spend
// this period, held credits and cap. Also home of `requireManager`, which every manager-only route uses.
import { Hono, type MiddlewareHandler } from "hono";
import type { TeamResponse } from "../../../core/api/reports.ts";
import { requireAuth } from "../../auth/middleware.ts";
import { teamSummary } from "../../reports/team-summary.ts";
import { ApiError } from "../api-error.ts";
import type { AppDeps, AppEnv } from "../types.ts";

/** After requireAuth: a member (not a manager) gets 403 forbidden. Checked before any id is looked up, so
 * the answer never depends on whether an id exists. */
export function requireManager(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.var.caller.member.role !== "manager") throw new ApiError("forbidden", "Only a manager of your team can do this; ask one of them");
    await next();
  };
}

export function teamRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/team", requireAuth(deps.stores.teams), requireManager(), async (c) => {
    const summary: TeamResponse | null = await teamSummary(deps.stores.db, c.var.caller.team.id);
    // The caller's team was just read by requireAuth; missing now means it was removed in between.
    if (!summary) throw new ApiError("not_found", "Your team no longer exists");
    return c.json(summary);
  });
}
