// What a manager's controls add to a job's price, read inside the hold's transaction (docs/ledger.md
// "Projects, roles and alerts"): the caller's role limits (the team's policy for that role) and the project
// the job is charged to with what its budget has left. estimate() turns them into `role_not_allowed` /
// `project_budget_reached` reasons, so the badge and the refusal agree; the ledger's hold() enforces the
// budget again with a conditional update (the backstop), and an unknown or archived project is refused here,
// before anything is held. Every path that holds for a job (single jobs, batch items) should price with it.
import type { RoleLimits, RoleRules } from "../../core/estimate.ts";
import type { Sql } from "../db/sql.ts";
import { budgetRemaining, usableProject } from "../ledger/project-spend.ts";

/** Only what applies: no key when the role has no rules or the job names no project (pricing state stays as before). */
export interface HoldContext {
  role?: RoleLimits;
  project?: { id: string; name: string; remaining: number | null };
}

/** The role's rules, or null when the team set none for it (anything goes). */
export async function roleLimits(sql: Sql, memberId: string): Promise<RoleLimits | null> {
  const row = await sql.one<{ role: RoleLimits["role"]; rules: string | null }>(
    `SELECT m.role, r.rules FROM members m LEFT JOIN role_policies r ON r.team_id = m.team_id AND r.role = m.role WHERE m.id = $1`,
    [memberId],
  );
  if (!row?.rules) return null;
  return { role: row.role, rules: JSON.parse(row.rules) as RoleRules };
}

export async function holdContext(sql: Sql, teamId: string, memberId: string, projectId: string | null | undefined, periodStart: string): Promise<HoldContext> {
  const role = await roleLimits(sql, memberId);
  const limits = role ? { role } : {};
  if (!projectId) return limits;
  const p = await usableProject(sql, teamId, projectId, periodStart);
  return { ...limits, project: { id: p.id, name: p.name, remaining: budgetRemaining(p) } };
}
