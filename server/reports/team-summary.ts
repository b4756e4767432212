// GET /v1/team's numbers: the balance row, the team's billing period, and each member's spend this period,
// held credits and what their cap still allows. Read from the counters the ledger keeps in the same
// transaction as every hold and capture, so this is what the next job's cap check will see.
import type { TeamMember, TeamResponse } from "../../core/api/reports.ts";
import type { Sql } from "../db/sql.ts";
import { capRemaining, spentInPeriod } from "../ledger/member-spend.ts";

interface TeamRow {
  id: string;
  name: string;
  tier: TeamResponse["team"]["tier"];
  period_start: string;
  period_end: string;
  unlimited: number | boolean | null;
  granted: number | string | null;
  spent: number | string | null;
  held: number | string | null;
}

interface MemberRow {
  id: string;
  name: string;
  role: TeamMember["role"];
  monthly_cap: number | string | null;
  disabled: number | boolean;
  held: number | string;
  spent: number | string;
}

const MEMBER_SQL = `
  SELECT m.id, m.name, m.role, m.monthly_cap, m.disabled, m.held, ${spentInPeriod("t.period_start", "m.")} AS spent
  FROM members m JOIN teams t ON t.id = m.team_id`;

const flag = (v: number | boolean | null): boolean => v === true || Number(v) === 1;

function toTeamMember(r: MemberRow): TeamMember {
  const figures = { cap: r.monthly_cap === null ? null : Number(r.monthly_cap), spent: Number(r.spent), held: Number(r.held) };
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    monthlyCap: figures.cap,
    disabled: flag(r.disabled),
    spent: figures.spent,
    held: figures.held,
    capRemaining: capRemaining(figures),
  };
}

/** null when there is no such team. */
export async function teamSummary(db: Sql, teamId: string): Promise<TeamResponse | null> {
  const [team, members] = await Promise.all([
    db.one<TeamRow>(
      `SELECT t.id, t.name, t.tier, t.period_start, t.period_end, b.unlimited, b.granted, b.spent, b.held
       FROM teams t LEFT JOIN balances b ON b.team_id = t.id WHERE t.id = $1`,
      [teamId],
    ),
    // Managers first, then in the order people joined; id settles a tie within one millisecond.
    db.all<MemberRow>(`${MEMBER_SQL} WHERE m.team_id = $1 ORDER BY (CASE WHEN m.role = 'manager' THEN 0 ELSE 1 END), m.created_at, m.id`, [teamId]),
  ]);
  if (!team) return null;
  const granted = Number(team.granted ?? 0);
  const spent = Number(team.spent ?? 0);
  const held = Number(team.held ?? 0);
  return {
    team: { id: team.id, name: team.name, tier: team.tier },
    balance: {
      available: flag(team.unlimited) ? null : granted - spent - held,
      held,
      granted,
      spent,
      periodStartsAt: team.period_start,
      periodEndsAt: team.period_end,
    },
    members: members.map(toTeamMember),
  };
}

/** One member of the team as GET /v1/team lists it; null when the id is not a member of this team. */
export async function memberSummary(db: Sql, teamId: string, memberId: string): Promise<TeamMember | null> {
  const row = await db.one<MemberRow>(`${MEMBER_SQL} WHERE m.team_id = $1 AND m.id = $2`, [teamId, memberId]);
  return row ? toTeamMember(row) : null;
}
