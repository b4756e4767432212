// What every studio's badge prices with: core's estimate() for the caller, as /v1/me and /v1/catalog
// describe them.
import type { Me, ProviderStatus } from "../../core/api/responses.ts";
import { modelKey, type EstimateContext } from "../../core/estimate.ts";
import { projectContext } from "./project-choice.ts";

/** Who is asking, in the terms estimate() checks: tier, balance, member cap, free allowances, providers. */
// The cap left comes from the server (it counts held credits too), so the badge refuses what the server would.
export function estimateContext(me: Me, statuses: readonly ProviderStatus[]): EstimateContext {
  return {
    tier: me.team.tier,
    available: me.balance.available,
    memberCapRemaining: me.member.capRemaining,
    freeUsed: me.freeUsed,
    configuredProviders: statuses.filter((s) => s.configured).map((s) => s.id),
    unavailableModels: Object.fromEntries(statuses.flatMap((s) => (s.unavailableModels ?? []).map((m) => [modelKey(s.id, m.model), m.reason]))),
    // The team's rules for the caller's role and the chosen project's budget: the hold's own reasons.
    ...(me.roleRules ? { role: { role: me.role, rules: me.roleRules } } : {}),
    ...projectContext(),
  };
}
