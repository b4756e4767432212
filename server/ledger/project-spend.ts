// A project's spend against its budget: the one copy of each rule, for every query that reads or moves its
// counters (holds, captures, releases, verify, reports), as member-spend.ts is for members' caps.
// A monthly budget counts in the team's period it was last written in (`spent_period_start`, reset at the
// next hold after a rollover); a one-off budget ('once') counts for the project's whole life.
import type { Sql } from "../db/sql.ts";
import { ProjectUnavailableError } from "./project-errors.ts";

/** SQL: the project's spend in the period starting at `period` (an SQL expression); `p` prefixes columns. */
export function projectSpentIn(period: string, p = ""): string {
  return `(CASE WHEN ${p}budget_kind = 'once' OR ${p}spent_period_start = ${period} THEN ${p}period_spent ELSE 0 END)`;
}

export interface ProjectFigures {
  id: string;
  teamId: string;
  name: string;
  /** null: no budget. */
  budget: number | null;
  budgetKind: "monthly" | "once";
  /** Captured in its period (monthly) or ever (once). */
  spent: number;
  /** Held for its unfinished jobs. */
  held: number;
  archived: boolean;
}

/** What the budget still allows: null without a budget, never below 0. */
export function budgetRemaining(p: Pick<ProjectFigures, "budget" | "spent" | "held">): number | null {
  return p.budget === null ? null : Math.max(0, p.budget - p.spent - p.held);
}

interface FiguresRow {
  id: string;
  team_id: string;
  name: string;
  budget: number | null;
  budget_kind: "monthly" | "once";
  spent: number;
  held: number;
  archived_at: string | null;
}

/** A project's figures in `periodStart` (an ISO time), or null when the team has no such project. */
export async function projectFigures(sql: Sql, teamId: string, projectId: string, periodStart: string): Promise<ProjectFigures | null> {
  const r = await sql.one<FiguresRow>(
    `SELECT id, team_id, name, budget, budget_kind, ${projectSpentIn("$3")} AS spent, held, archived_at FROM projects WHERE id = $1 AND team_id = $2`,
    [projectId, teamId, periodStart],
  );
  if (!r) return null;
  return {
    id: r.id,
    teamId: r.team_id,
    name: r.name,
    budget: r.budget === null ? null : Number(r.budget),
    budgetKind: r.budget_kind,
    spent: Number(r.spent),
    held: Number(r.held),
    archived: r.archived_at !== null,
  };
}

/** The project a job may be charged to: the team's own and not archived, else ProjectUnavailableError. */
export async function usableProject(sql: Sql, teamId: string, projectId: string, periodStart: string): Promise<ProjectFigures> {
  const p = await projectFigures(sql, teamId, projectId, periodStart);
  if (!p) throw new ProjectUnavailableError(projectId, "unknown");
  if (p.archived) throw new ProjectUnavailableError(projectId, "archived");
  return p;
}
