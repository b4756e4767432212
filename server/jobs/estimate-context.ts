// The caller's side of an estimate (tier, balance, member cap, free allowances used, configured providers).
// The estimate route and the job route build it the same way, so a badge and a charge agree.
import type { EstimateContext } from "../../core/estimate.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { Stores } from "../stores.ts";
import type { Caller } from "../teams/types.ts";
import type { LedgerBalance } from "../ledger/types.ts";

export interface CallerState {
  context: EstimateContext;
  balance: LedgerBalance;
  memberSpent: number;
}

export async function callerState(stores: Stores, providers: ProviderRegistry, caller: Caller): Promise<CallerState> {
  const { team, member } = caller;
  const [balance, freeUsed, usage] = await Promise.all([
    stores.ledger.balance(team.id),
    stores.jobs.freeUsed(team.id, team.periodStart),
    stores.ledger.memberUsage(member.id, team.periodStart),
  ]);
  const memberCapRemaining = member.monthlyCap === null ? null : Math.max(0, member.monthlyCap - usage.spent - usage.held);
  return {
    context: {
      tier: team.tier,
      available: balance.available,
      memberCapRemaining,
      freeUsed,
      configuredProviders: providers.configuredIds(),
    },
    balance,
    memberSpent: usage.spent,
  };
}
