// GET /v1/team/forecast (docs/api.md): when the balance and each project's budget run out at this period's
// pace (core/forecast.ts, from the period's daily captures in the entries), and where each threshold stands
// (used of its base), for the Team view and the badge's warning. Read-only.
import type { ForecastResponse } from "../../core/api/managers.ts";
import { forecast, type DailySpend } from "../../core/forecast.ts";
import type { Db } from "../db/sql.ts";
import type { AlertScope } from "../ledger/alert-ops.ts";
import { spentInPeriod } from "../ledger/member-spend.ts";
import { budgetRemaining, projectSpentIn } from "../ledger/project-spend.ts";
import type { TeamRecord } from "../teams/types.ts";

const DAY = "substr(e.created_at, 1, 10)";

export async function forecastReport(
  db: Db,
  team: TeamRecord,
  available: number | null,
  /** A member sees the team's and the projects' thresholds and only their own cap's; null: a manager. */
  onlyMember: string | null,
  now = new Date().toISOString(),
): Promise<ForecastResponse> {
  const period = { periodStart: team.periodStart, periodEnd: team.periodEnd, now };
  const teamDaily = await db.all<{ day: string; credits: number }>(
    `SELECT ${DAY} AS day, sum(e.amount) AS credits FROM entries e
     WHERE e.team_id = $1 AND e.kind = 'capture' AND e.created_at >= $2 AND e.created_at < $3 GROUP BY ${DAY}`,
    [team.id, team.periodStart, team.periodEnd],
  );
  const projectDaily = await db.all<{ project_id: string; day: string; credits: number }>(
    `SELECT h.project_id, ${DAY} AS day, sum(e.amount) AS credits FROM entries e JOIN holds h ON h.id = e.hold_id
     WHERE e.team_id = $1 AND e.kind = 'capture' AND h.project_id IS NOT NULL AND e.created_at >= $2 AND e.created_at < $3
     GROUP BY h.project_id, ${DAY}`,
    [team.id, team.periodStart, team.periodEnd],
  );
  const daily = (rows: readonly { day: string; credits: number }[]): DailySpend[] => rows.map((r) => ({ day: r.day, credits: Number(r.credits) }));
  const projects = await db.all<{ id: string; name: string; budget: number | null; spent: number; held: number }>(
    `SELECT id, name, budget, ${projectSpentIn("$2")} AS spent, held FROM projects WHERE team_id = $1 AND archived_at IS NULL ORDER BY created_at, id`,
    [team.id, team.periodStart],
  );

  // Where each threshold stands: used (spent + held, as the alerts count it) of its base.
  const thresholds: ForecastResponse["thresholds"] = [];
  const rules = await db.all<{ id: string; scope: AlertScope; target_id: string; percent: number }>(
    "SELECT id, scope, target_id, percent FROM alert_thresholds WHERE team_id = $1 ORDER BY scope, percent",
    [team.id],
  );
  if (rules.length) {
    const teamFigures = await db.one<{ base: number | null; captured: number; held: number }>(
      `SELECT (SELECT g.amount FROM grants g WHERE g.team_id = $1 AND g.kind = 'monthly' AND g.expires_at = $3 ORDER BY g.created_at DESC LIMIT 1) AS base,
              (SELECT coalesce(sum(e.amount), 0) FROM entries e WHERE e.team_id = $1 AND e.kind = 'capture' AND e.created_at >= $2 AND e.period_start = $2) AS captured,
              (SELECT b.held FROM balances b WHERE b.team_id = $1) AS held`,
      [team.id, team.periodStart, team.periodEnd],
    );
    const members = await db.all<{ id: string; name: string; cap: number | null; used: number }>(
      `SELECT id, name, monthly_cap AS cap, ${spentInPeriod("$2")} + held AS used FROM members WHERE team_id = $1 AND disabled = 0`,
      [team.id, team.periodStart],
    );
    for (const r of rules) {
      const add = (targetId: string, label: string, used: number, base: number | null) => {
        if (base !== null && base > 0) thresholds.push({ id: r.id, scope: r.scope, targetId, label, percent: Number(r.percent), used, base });
      };
      if (r.scope === "team" && teamFigures) add(team.id, "the team's allocation", Number(teamFigures.captured) + Number(teamFigures.held), teamFigures.base === null ? null : Number(teamFigures.base));
      if (r.scope === "project")
        for (const p of projects) if (!r.target_id || r.target_id === p.id) add(p.id, p.name, Number(p.spent) + Number(p.held), p.budget === null ? null : Number(p.budget));
      if (r.scope === "member")
        for (const m of members)
          if ((!r.target_id || r.target_id === m.id) && (onlyMember === null || onlyMember === m.id))
            add(m.id, onlyMember ? "your monthly cap" : `${m.name}'s monthly cap`, Number(m.used), m.cap === null ? null : Number(m.cap));
    }
  }

  return {
    periodStart: team.periodStart,
    periodEnd: team.periodEnd,
    balance: forecast({ ...period, remaining: available, daily: daily(teamDaily) }),
    projects: projects.map((p) => {
      const remaining = budgetRemaining({ budget: p.budget === null ? null : Number(p.budget), spent: Number(p.spent), held: Number(p.held) });
      return {
        projectId: p.id,
        name: p.name,
        ...forecast({ ...period, remaining, daily: daily(projectDaily.filter((d) => d.project_id === p.id)) }),
      };
    }),
    thresholds,
  };
}
