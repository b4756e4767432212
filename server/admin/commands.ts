// What each admin command does, against the stores it needs; printing is left to cli.ts.
import type { Catalog } from "../../core/catalog/schema.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import { checkProviders, type ProviderCheckRow } from "./providers-check.ts";
import { tierById } from "../../core/estimate.ts";
import type { Drift, GrantRecord, LedgerBalance, TierChange } from "../ledger/types.ts";
import type { Stores } from "../stores.ts";
import { TeamNotFoundError, type MemberRecord, type TeamRecord } from "../teams/types.ts";
import type { Project } from "../../core/api/managers.ts";
import type { Command } from "./args.ts";

export type CommandResult =
  | { kind: "team"; team: TeamRecord & { manager: Pick<MemberRecord, "id" | "name" | "role"> }; token: string; monthlyCredits: number | null }
  | { kind: "member"; member: MemberRecord; token: string }
  | { kind: "grant"; grant: GrantRecord; balance: LedgerBalance }
  | { kind: "tier"; change: TierChange; balance: LedgerBalance }
  | { kind: "project"; teamId: string; project: Project }
  | { kind: "verify"; teams: number; drift: Drift[] }
  | { kind: "providers"; providers: ProviderCheckRow[] };

export async function runCommand(
  cmd: Exclude<Command, { command: "help" }>,
  stores: Pick<Stores, "teams" | "ledger" | "retiredModels" | "managers">,
  catalog: Catalog,
  providers: ProviderRegistry,
): Promise<CommandResult> {
  switch (cmd.command) {
    case "team create": {
      const { name, tier, manager: managerName } = cmd.options;
      const monthlyCredits = tierById(catalog, tier).monthlyCredits;
      const { team, manager, token } = await stores.teams.createTeam({ name, tier, monthlyCredits, managerName });
      return { kind: "team", team: { ...team, manager: { id: manager.id, name: manager.name, role: manager.role } }, token, monthlyCredits };
    }
    case "member add": {
      const o = cmd.options;
      const { member, token } = await stores.teams.addMember({ teamId: o.team, name: o.name, role: o.role, monthlyCap: o["monthly-cap"] ?? null });
      return { kind: "member", member, token };
    }
    case "grant": {
      if (!(await stores.teams.getTeam(cmd.options.team))) throw new TeamNotFoundError("team", cmd.options.team);
      const { grant, balance } = await stores.ledger.grant({ teamId: cmd.options.team, kind: "topup", amount: cmd.options.credits, expiresAt: null, note: "admin CLI top-up" });
      return { kind: "grant", grant, balance };
    }
    case "token rotate": {
      const { member, token } = await stores.teams.rotateToken(cmd.options.member);
      return { kind: "member", member, token };
    }
    case "tier set": {
      if (!(await stores.teams.getTeam(cmd.options.team))) throw new TeamNotFoundError("team", cmd.options.team);
      const change = await stores.ledger.changeTier(cmd.options.team, cmd.options.tier, catalog);
      return { kind: "tier", change, balance: await stores.ledger.balance(cmd.options.team) };
    }
    case "project create": {
      const team = await stores.teams.getTeam(cmd.options.team);
      if (!team) throw new TeamNotFoundError("team", cmd.options.team);
      const { name, budget, once } = cmd.options;
      const project = await stores.managers.createProject(team.id, team.periodStart, { name, budget: budget ?? null, budgetKind: once ? "once" : "monthly" });
      return { kind: "project", teamId: team.id, project };
    }
    case "ledger verify": {
      const drift = await stores.ledger.verify();
      return { kind: "verify", teams: (await stores.teams.listTeams()).length, drift };
    }
    case "providers check":
      return { kind: "providers", providers: await checkProviders(catalog, providers, stores.retiredModels) };
  }
}
