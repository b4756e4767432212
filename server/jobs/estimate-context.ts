// The caller's side of an estimate (tier, balance, member cap, free allowances used, configured providers)
// for /v1/me and /v1/estimate. POST /v1/jobs reads the same figures again inside its hold's transaction
// (JobStore.createWithHold), so a badge priced from this agrees with the charge unless something changed
// in between, in which case the database's figures win.
import type { Catalog } from "../../core/catalog/schema.ts";
import type { EstimateContext } from "../../core/estimate.ts";
import type { LedgerBalance } from "../ledger/types.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { Stores } from "../stores.ts";
import type { Caller, TeamRecord } from "../teams/types.ts";

export interface CallerState {
  team: TeamRecord;
  context: EstimateContext;
  balance: LedgerBalance;
  memberSpent: number;
  memberHeld: number;
}

export async function callerState(stores: Stores, providers: ProviderRegistry, catalog: Catalog, caller: Caller): Promise<CallerState> {
  const { member } = caller;
  let team = caller.team;
  // A period that ended is rolled over before it is shown (the reaper does it too; exactly one wins).
  if (Date.parse(team.periodEnd) <= Date.now()) {
    await stores.ledger.rollOver(catalog, team.id);
    team = (await stores.teams.getTeam(team.id)) ?? team;
  }
  const [balance, freeUsed, usage, unavailableModels] = await Promise.all([
    stores.ledger.balance(team.id),
    stores.jobs.freeUsed(team.id),
    stores.ledger.memberUsage(member.id),
    providers.unavailableReasons(),
  ]);
  const memberCapRemaining = member.monthlyCap === null ? null : Math.max(0, member.monthlyCap - usage.spent - usage.held);
  return {
    team,
    context: {
      tier: team.tier,
      available: balance.available,
      memberCapRemaining,
      freeUsed,
      configuredProviders: providers.configuredIds(),
      unavailableModels,
    },
    balance,
    memberSpent: usage.spent,
    memberHeld: usage.held,
  };
}
