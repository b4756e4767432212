// Threshold alerts (docs/ledger.md "Projects, roles and alerts"): after every hold, inside its transaction,
// the figures the hold just moved are compared with the team's thresholds (a percent of the period's
// allocation, of a project's budget, of a member's cap). What is used counts what is spent in the period
// plus what is held now, the same figure the budget and the cap are enforced on, so a threshold is crossed
// when the job that crosses it is accepted (a capture never raises it; a release lowers it).
// Each crossing is recorded exactly once per (threshold, target, period) by the alerts table's UNIQUE and an
// insert-or-ignore: of jobs crossing it together, one inserts and the others change nothing. The insert
// also writes the webhook's outbox row (when the team has a webhook), in the same transaction, so the
// delivery survives a restart (server/teams/webhook-dispatcher.ts delivers it).
import type { Sql } from "../db/sql.ts";
import { newId } from "../ids.ts";
import { spentInPeriod } from "./member-spend.ts";
import { projectSpentIn } from "./project-spend.ts";

export type AlertScope = "team" | "project" | "member";

interface ThresholdRow {
  id: string;
  scope: AlertScope;
  target_id: string;
  percent: number;
}

/** One figure a threshold is measured on: used of base, in a period ('once': a one-off budget). */
interface Measured {
  scope: AlertScope;
  targetId: string;
  targetName: string;
  periodKey: string;
  used: number;
  base: number;
}

/** The body of the webhook for one alert (docs/api.md "Webhooks"): the event id is the alert's id. */
export interface AlertEventBody {
  id: string;
  type: "threshold.crossed";
  createdAt: string;
  teamId: string;
  alert: { scope: AlertScope; targetId: string; targetName: string; percent: number; used: number; base: number; periodStart: string };
}

async function measure(sql: Sql, scope: AlertScope, teamId: string, period: string, memberId: string | null, projectId: string | null): Promise<Measured | null> {
  if (scope === "team") {
    // The period's allocation is the monthly grant that expires at the period's end.
    const r = await sql.one<{ name: string; base: number | null; captured: number; held: number }>(
      `SELECT t.name,
              (SELECT g.amount FROM grants g WHERE g.team_id = t.id AND g.kind = 'monthly' AND g.expires_at = t.period_end ORDER BY g.created_at DESC LIMIT 1) AS base,
              (SELECT coalesce(sum(e.amount), 0) FROM entries e WHERE e.team_id = t.id AND e.kind = 'capture' AND e.created_at >= $2 AND e.period_start = $2) AS captured,
              (SELECT b.held FROM balances b WHERE b.team_id = t.id) AS held
       FROM teams t WHERE t.id = $1`,
      [teamId, period],
    );
    if (!r || r.base === null || Number(r.base) <= 0) return null;
    return { scope, targetId: teamId, targetName: r.name, periodKey: period, used: Number(r.captured) + Number(r.held), base: Number(r.base) };
  }
  if (scope === "member") {
    if (!memberId) return null;
    const r = await sql.one<{ name: string; cap: number | null; used: number }>(
      `SELECT name, monthly_cap AS cap, ${spentInPeriod("$2")} + held AS used FROM members WHERE id = $1`,
      [memberId, period],
    );
    if (!r || r.cap === null || Number(r.cap) <= 0) return null;
    return { scope, targetId: memberId, targetName: r.name, periodKey: period, used: Number(r.used), base: Number(r.cap) };
  }
  if (!projectId) return null;
  const r = await sql.one<{ name: string; budget: number | null; kind: string; used: number }>(
    `SELECT name, budget, budget_kind AS kind, ${projectSpentIn("$2")} + held AS used FROM projects WHERE id = $1`,
    [projectId, period],
  );
  if (!r || r.budget === null || Number(r.budget) <= 0) return null;
  return { scope, targetId: projectId, targetName: r.name, periodKey: r.kind === "once" ? "once" : period, used: Number(r.used), base: Number(r.budget) };
}

/**
 * Records every threshold the hold just crossed (once each) and queues their webhooks. `period` is the
 * team's current period start (null: read here, when needed). Costs one indexed query for a team without thresholds.
 */
export async function recordCrossings(sql: Sql, teamId: string, periodStart: string | null, memberId: string | null, projectId: string | null): Promise<string[]> {
  const thresholds = await sql.all<ThresholdRow>("SELECT id, scope, target_id, percent FROM alert_thresholds WHERE team_id = $1 ORDER BY percent", [teamId]);
  if (thresholds.length === 0) return [];
  const period = periodStart ?? (await sql.one<{ p: string }>("SELECT period_start AS p FROM teams WHERE id = $1", [teamId]))!.p;
  const measured = new Map<AlertScope, Measured | null>();
  const fired: string[] = [];
  let webhook: boolean | undefined;
  for (const t of thresholds) {
    const target = t.scope === "member" ? memberId : t.scope === "project" ? projectId : teamId;
    if (!target || (t.target_id !== "" && t.target_id !== target)) continue;
    if (!measured.has(t.scope)) measured.set(t.scope, await measure(sql, t.scope, teamId, period, memberId, projectId));
    const m = measured.get(t.scope);
    // Integers only: used / base >= percent / 100.
    if (!m || m.used * 100 < t.percent * m.base) continue;
    const id = newId("alert");
    const inserted = await sql.one<{ id: string; created_at: string }>(
      `INSERT INTO alerts (id, team_id, threshold_id, scope, target_id, target_name, period_start, percent, used, base)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (threshold_id, target_id, period_start) DO NOTHING RETURNING id, created_at`,
      [id, teamId, t.id, t.scope, m.targetId, m.targetName, m.periodKey, t.percent, m.used, m.base],
    );
    if (!inserted) continue;
    fired.push(id);
    webhook ??= (await sql.one("SELECT 1 AS yes FROM webhooks WHERE team_id = $1", [teamId])) !== undefined;
    if (!webhook) continue;
    const body: AlertEventBody = {
      id,
      type: "threshold.crossed",
      createdAt: inserted.created_at,
      teamId,
      alert: { scope: t.scope, targetId: m.targetId, targetName: m.targetName, percent: t.percent, used: m.used, base: m.base, periodStart: m.periodKey },
    };
    await sql.run("INSERT INTO webhook_outbox (event_id, team_id, body) VALUES ($1, $2, $3)", [id, teamId, JSON.stringify(body)]);
  }
  return fired;
}
