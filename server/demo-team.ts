// First start on an empty database: a demo team so `npm start` is enough to try the plugin. Its manager
// token exists only in this process's memory and the banner; later starts point at the admin CLI instead.
import type { Catalog } from "../core/catalog/schema.ts";
import { tierById } from "../core/estimate.ts";
import type { TeamStore, TeamRecord, MemberRecord } from "./teams/types.ts";

export const DEMO_TEAM_NAME = "Demo Studio";
export const DEMO_MANAGER_NAME = "Demo Manager";

export type DemoTeam =
  | { created: true; team: TeamRecord; manager: MemberRecord; token: string }
  | { created: false; team: TeamRecord | null; manager: MemberRecord | null };

export async function ensureDemoTeam(teams: TeamStore, catalog: Catalog): Promise<DemoTeam> {
  const existing = await teams.listTeams();
  if (existing.length > 0) {
    const team = existing.find((t) => t.name === DEMO_TEAM_NAME) ?? existing[0]!;
    const manager = (await teams.listMembers(team.id)).find((m) => m.role === "manager" && !m.disabled) ?? null;
    return { created: false, team, manager };
  }
  const { team, manager, token } = await teams.createTeam({
    name: DEMO_TEAM_NAME,
    tier: "pro",
    monthlyCredits: tierById(catalog, "pro").monthlyCredits,
    managerName: DEMO_MANAGER_NAME,
  });
  return { created: true, team, manager, token };
}
