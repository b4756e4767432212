// The caller's side of a price: tier, credits available, what the member's cap has left and the free
// allowances used this period, computed in one place (pricingState) from figures read by the ledger's and
// the job store's one query each. A job's hold reads them inside its transaction (JobStore.createWithHold),
// so the estimate that is held is the one the database then enforces; GET /v1/me, POST /v1/estimate and
// GET /v1/templates read them outside one (callerState), so a badge agrees with the charge unless something
// changed in between, in which case the database's figures win.
import type { Catalog, TierId } from "../../core/catalog/schema.ts";
import type { EstimateContext } from "../../core/estimate.ts";
import { capRemaining, type MemberFigures } from "../ledger/member-spend.ts";
import type { Ledger, LedgerBalance } from "../ledger/types.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { Caller, TeamRecord, TeamStore } from "../teams/types.ts";
import type { SqlManagerStore } from "../teams/manager-store.ts";
import type { JobStore, PricingState } from "./types.ts";

/** What estimate() takes from the caller's figures. */
export function pricingState(f: {
  tier: TierId;
  balance: Pick<LedgerBalance, "available">;
  member: MemberFigures;
  freeUsed: Record<string, number>;
}): Omit<PricingState, "reuse"> {
  return { tier: f.tier, available: f.balance.available, memberCapRemaining: capRemaining(f.member), freeUsed: f.freeUsed };
}

export interface CallerState {
  team: TeamRecord;
  context: EstimateContext;
  balance: LedgerBalance;
  memberSpent: number;
}

/** What callerState reads. */
export interface CallerStateStores {
  ledger: Pick<Ledger, "rollOver" | "balance" | "memberUsage">;
  teams: Pick<TeamStore, "getTeam">;
  jobs: Pick<JobStore, "freeUsed">;
  /** The role's limits, so a badge gives the hold's `role_not_allowed` reason (issue 17). */
  managers?: Pick<SqlManagerStore, "roleLimits">;
}

export async function callerState(
  stores: CallerStateStores,
  providers: Pick<ProviderRegistry, "configuredIds" | "unavailableReasons">,
  catalog: Catalog,
  caller: Caller,
): Promise<CallerState> {
  const { member } = caller;
  let team = caller.team;
  // A period that ended is rolled over before it is shown (the reaper does it too; exactly one wins).
  if (Date.parse(team.periodEnd) <= Date.now()) {
    await stores.ledger.rollOver(catalog, team.id);
    team = (await stores.teams.getTeam(team.id)) ?? team;
  }
  const [balance, freeUsed, usage, unavailableModels, role] = await Promise.all([
    stores.ledger.balance(team.id),
    stores.jobs.freeUsed(team.id),
    stores.ledger.memberUsage(member.id),
    providers.unavailableReasons(),
    stores.managers ? stores.managers.roleLimits(member.id) : null,
  ]);
  return {
    team,
    context: {
      ...pricingState({ tier: team.tier, balance, member: { cap: member.monthlyCap, ...usage }, freeUsed }),
      configuredProviders: providers.configuredIds(),
      unavailableModels,
      ...(role ? { role } : {}),
    },
    balance,
    memberSpent: usage.spent,
  };
}
