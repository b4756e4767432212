// GET /v1/team (manager): the team, its tier, balance and billing period, and every member with their spend
// this period, held credits and cap.
import { Hono } from "hono";
import type { TeamResponse } from "../../../core/api/reports.ts";
import { teamSummary } from "../../reports/team-summary.ts";
import { ApiError } from "../api-error.ts";
import { requireAuth, requireManager } from "../auth.ts";
import type { AppDeps, AppEnv } from "../types.ts";

export function teamRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/team", requireAuth(deps.stores.teams), requireManager(), async (c) => {
    const summary: TeamResponse | null = await teamSummary(deps.stores.db, c.var.caller.team.id);
    // The caller's team was just read by requireAuth; missing now means it was removed in between.
    if (!summary) throw new ApiError("not_found", "Your team no longer exists");
    return c.json(summary);
  });
}
