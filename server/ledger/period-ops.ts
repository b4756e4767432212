// Period rollover and tier changes, inside the caller's write transaction. Rollover is a conditional UPDATE
// on the period the caller saw, so when several processes notice the same period end at once exactly one
// of them moves it (and grants the new allocation); the others change nothing.
import type { Catalog, TierId } from "../../core/catalog/schema.ts";
import { tierById } from "../../core/estimate.ts";
import type { Sql } from "../db/sql.ts";
import { adjust, dbNow, expiredGrants, expireFromGrant, grant, lockBalance, toBalance } from "./ledger-ops.ts";
import { periodContaining, periodFractionLeft } from "./periods.ts";
import { LedgerNotFoundError, type LedgerBalance, type TierChange } from "./types.ts";

interface TeamPeriodRow {
  tier: TierId;
  period_start: string;
  period_end: string;
}

async function teamRow(sql: Sql, teamId: string): Promise<TeamPeriodRow> {
  const row = await sql.one<TeamPeriodRow>("SELECT tier, period_start, period_end FROM teams WHERE id = $1", [teamId]);
  if (!row) throw new LedgerNotFoundError(`no team ${teamId}`);
  return row;
}

const day = (iso: string) => iso.slice(0, 10);

/** A team as a write transaction sees it after `openTeam`: balance locked, period current. */
export interface TeamState {
  balance: LedgerBalance;
  tier: TierId;
  periodStart: string;
  periodEnd: string;
}

interface TeamStateRow {
  team_id: string;
  unlimited: number;
  granted: number;
  spent: number;
  held: number;
  tier: TierId;
  period_start: string;
  period_end: string;
  due: number;
}

/**
 * The first statement of every money-moving transaction: locks the team's balance row and reads the team in
 * one round trip; if the team's period has ended it is rolled over first (exactly once across processes).
 */
export async function openTeam(sql: Sql, catalog: Catalog, teamId: string): Promise<TeamState> {
  return openTeamWhere(sql, catalog, "b.team_id = $1", teamId);
}

/** openTeam for the team of a job, in the same single round trip. */
export async function openTeamOfJob(sql: Sql, catalog: Catalog, jobId: string): Promise<TeamState> {
  return openTeamWhere(sql, catalog, "b.team_id = (SELECT team_id FROM jobs WHERE id = $1)", jobId);
}

/** openTeam for the team of a hold, in the same single round trip. */
export async function openTeamOfHold(sql: Sql, catalog: Catalog, holdId: string): Promise<TeamState> {
  return openTeamWhere(sql, catalog, "b.team_id = (SELECT team_id FROM holds WHERE id = $1)", holdId);
}

async function openTeamWhere(sql: Sql, catalog: Catalog, where: string, key: string): Promise<TeamState> {
  for (;;) {
    const row = await sql.one<TeamStateRow>(
      `SELECT b.team_id, b.unlimited, b.granted, b.spent, b.held, t.tier, t.period_start, t.period_end,
              (CASE WHEN t.period_end <= ${sql.dialect.now} THEN 1 ELSE 0 END) AS due
       FROM balances b JOIN teams t ON t.id = b.team_id WHERE ${where}${sql.dialect.forUpdateOf("b")}`,
      [key],
    );
    if (!row) throw new LedgerNotFoundError(`no team or hold ${key}`);
    if (row.due === 1 && (await rollOverIfDue(sql, catalog, row.team_id))) continue;
    return { balance: toBalance(row), tier: row.tier, periodStart: row.period_start, periodEnd: row.period_end };
  }
}

/** Moves the team into the period that contains now, if its period has ended. Locks the team's balance. */
export async function rollOverIfDue(sql: Sql, catalog: Catalog, teamId: string): Promise<boolean> {
  await lockBalance(sql, teamId);
  const team = await teamRow(sql, teamId);
  const now = await dbNow(sql);
  if (team.period_end > now) return false;
  const next = periodContaining(team.period_end, now);
  const moved = await sql.run("UPDATE teams SET period_start = $2, period_end = $3 WHERE id = $1 AND period_end = $4", [
    teamId,
    next.start,
    next.end,
    team.period_end,
  ]);
  if (moved !== 1) return false;
  // The old allocation's remainder expires first, so credits held for running jobs stay on it.
  for (const g of await expiredGrants(sql, teamId)) await expireFromGrant(sql, g, `${g.note ?? "grant"}: unused credits expired at the period's end`);
  const tier = tierById(catalog, team.tier);
  if (tier.monthlyCredits)
    await grant(sql, { teamId, kind: "monthly", amount: tier.monthlyCredits, expiresAt: next.end, note: `${tier.name} allocation ${day(next.start)} to ${day(next.end)}` });
  return true;
}

/** Teams whose period has ended, for the reaper. */
export async function teamsDue(sql: Sql, limit = 200): Promise<string[]> {
  const rows = await sql.all<{ id: string }>(`SELECT id FROM teams WHERE period_end <= ${sql.dialect.now} ORDER BY period_end LIMIT $1`, [limit]);
  return rows.map((r) => r.id);
}

export async function changeTier(sql: Sql, catalog: Catalog, teamId: string, to: TierId): Promise<TierChange> {
  const team = await openTeam(sql, catalog, teamId); // locked, in its current period
  const b = team.balance;
  const from = team.tier;
  if (from === to) return { from, to, adjustment: 0, note: `already on ${tierById(catalog, to).name}` };
  const oldTier = tierById(catalog, from);
  const newTier = tierById(catalog, to);
  const notes: string[] = [];
  let adjustment = 0;

  if (b.unlimited && newTier.monthlyCredits !== null) {
    // Metered use beyond the grants is invoiced, not owed in credits: settle it (as credits already used), and
    // cover what running jobs hold, so the limited balance starts at zero or above.
    const metered = Math.max(0, b.spent - b.granted);
    if (metered > 0) await adjust(sql, teamId, metered, `Metered ${oldTier.name} use settled on leaving ${oldTier.name}`, true);
    const heldShort = Math.max(0, b.held - Math.max(0, b.granted - b.spent));
    if (heldShort > 0) await adjust(sql, teamId, heldShort, `Credits held by running jobs when leaving ${oldTier.name}`);
    if (metered + heldShort > 0) notes.push(`settled ${metered} metered credits`);
    await sql.run("UPDATE balances SET unlimited = 0 WHERE team_id = $1", [teamId]);
  } else if (!b.unlimited && newTier.monthlyCredits === null) {
    await sql.run("UPDATE balances SET unlimited = 1 WHERE team_id = $1", [teamId]);
  }
  await sql.run("UPDATE teams SET tier = $2 WHERE id = $1", [teamId, to]);

  if (catalog.tierChange === "prorate" && newTier.monthlyCredits !== null) {
    const share = periodFractionLeft({ start: team.periodStart, end: team.periodEnd }, await dbNow(sql));
    const difference = newTier.monthlyCredits - (oldTier.monthlyCredits ?? 0);
    const amount = Math.floor(Math.abs(difference) * share);
    const pct = Math.round(share * 100);
    if (difference > 0 && amount > 0) {
      await grant(sql, {
        teamId,
        kind: "monthly",
        amount,
        expiresAt: team.periodEnd,
        note: `${oldTier.name} to ${newTier.name}: ${pct}% of the ${difference}-credit difference for the rest of the period`,
      });
      adjustment = amount;
    } else if (difference < 0 && amount > 0) {
      adjustment = await adjust(sql, teamId, -amount, `${oldTier.name} to ${newTier.name}: ${pct}% of the ${-difference}-credit difference taken back`);
    }
  }
  const note = [`${oldTier.name} to ${newTier.name}`, ...notes, adjustment ? `${adjustment > 0 ? "+" : ""}${adjustment} credits this period` : "no change to this period's credits"].join("; ");
  return { from, to, adjustment, note };
}
