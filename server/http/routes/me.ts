// GET /v1/me: who the token is, its team and tier, the balance, the member's cap and spend, and the free
// allowances used, which is everything the panel needs to price a badge exactly as the server will.
import { Hono } from "hono";
import type { Me } from "../../../core/api/responses.ts";
import { requireAuth } from "../auth.ts";
import { callerState } from "../../jobs/pricing-state.ts";
import type { AppDeps, AppEnv } from "../types.ts";

export function meRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/me", requireAuth(deps.stores.teams), async (c) => {
    const { member } = c.var.caller;
    const state = await callerState(deps.stores, deps.providers, deps.catalog, c.var.caller);
    const team = state.team;
    const body: Me = {
      user: { id: member.id, name: member.name },
      role: member.role,
      team: { id: team.id, name: team.name, tier: team.tier },
      balance: {
        available: state.balance.available,
        held: state.balance.held,
        granted: state.balance.granted,
        spent: state.balance.spent,
        periodEndsAt: team.periodEnd,
      },
      member: { monthlyCap: member.monthlyCap, spent: state.memberSpent, capRemaining: state.context.memberCapRemaining ?? null },
      freeUsed: state.context.freeUsed ?? {},
      // Only when the team restricts the caller's role, so the badge gives the hold's reason.
      ...(state.context.role ? { roleRules: state.context.role.rules } : {}),
    };
    return c.json(body);
  });
}
