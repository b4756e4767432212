// The ledger's primitives. Every function here runs inside a write transaction (`Db.tx`) that the caller
// opened, so the job store can combine them with its own rows (job + hold, assets + capture) atomically.
// Discipline, after TigerBeetle: balances change only through `change()` (one UPDATE plus exactly one
// append-only entry); every hold resolves through one conditional UPDATE on `state = 'pending'`; the
// conditional UPDATEs, not a read in this process, decide whether credits or a member's cap allow a hold.
// Callers lock the team's balance row first (`lockBalance`) so that, on PostgreSQL, two transactions of one
// team run one after the other; on SQLite the write transaction is already exclusive.
import type { Sql } from "../db/sql.ts";
import { newId } from "../ids.ts";
import { capRemaining, memberFigures, spentInPeriod } from "./member-spend.ts";
import { recordCrossings } from "./alert-ops.ts";
import { ProjectBudgetReachedError, ProjectUnavailableError } from "./project-errors.ts";
import { budgetRemaining, projectFigures, projectSpentIn } from "./project-spend.ts";
import {
  InsufficientCreditsError,
  LedgerNotFoundError,
  MemberCapReachedError,
  type EntryKind,
  type EntryRecord,
  type GrantInput,
  type GrantRecord,
  type HoldInput,
  type HoldRecord,
  type HoldResolution,
  type HoldState,
  type LedgerBalance,
} from "./types.ts";

interface BalanceRow {
  team_id: string;
  unlimited: number;
  granted: number;
  spent: number;
  held: number;
}
export interface GrantRow {
  id: string;
  team_id: string;
  kind: GrantRecord["kind"];
  amount: number;
  remaining: number;
  expires_at: string | null;
  note: string | null;
  created_at: string;
}
export interface HoldRow {
  id: string;
  team_id: string;
  member_id: string | null;
  job_id: string | null;
  amount: number;
  state: HoldState;
  captured: number;
  expires_at: string;
  created_at: string;
  resolved_at: string | null;
  project_id?: string | null;
}
interface EntryRow {
  id: string;
  kind: EntryKind;
  amount: number;
  team_id: string;
  member_id: string | null;
  job_id: string | null;
  hold_id: string | null;
  grant_id: string | null;
  available_after: number;
  note: string | null;
  created_at: string;
}

export const toBalance = (r: BalanceRow): LedgerBalance => ({
  teamId: r.team_id,
  unlimited: r.unlimited === 1,
  granted: r.granted,
  spent: r.spent,
  held: r.held,
  available: r.unlimited === 1 ? null : r.granted - r.spent - r.held,
});
export const toGrant = (r: GrantRow): GrantRecord => ({
  id: r.id,
  teamId: r.team_id,
  kind: r.kind,
  amount: r.amount,
  remaining: r.remaining,
  expiresAt: r.expires_at,
  note: r.note,
  createdAt: r.created_at,
});
export const toHold = (r: HoldRow): HoldRecord => ({
  id: r.id,
  teamId: r.team_id,
  memberId: r.member_id,
  jobId: r.job_id,
  amount: r.amount,
  state: r.state,
  captured: r.captured,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  resolvedAt: r.resolved_at,
  projectId: r.project_id ?? null,
});
const toEntry = (r: EntryRow): EntryRecord => ({
  id: r.id,
  kind: r.kind,
  amount: r.amount,
  teamId: r.team_id,
  memberId: r.member_id,
  jobId: r.job_id,
  holdId: r.hold_id,
  grantId: r.grant_id,
  availableAfter: r.available_after,
  note: r.note,
  createdAt: r.created_at,
});

interface Delta {
  granted?: number;
  spent?: number;
  held?: number;
}
interface EntryRefs {
  memberId?: string | null;
  jobId?: string | null;
  holdId?: string | null;
  grantId?: string | null;
  note?: string | null;
}

const BALANCE_COLUMNS = "team_id, unlimited, granted, spent, held";
const ENTRY_COLUMNS = "id, kind, amount, team_id, member_id, job_id, hold_id, grant_id, available_after, note, created_at";
/** Spending draws from the grant that expires first; grants that never expire come last. */
const DRAW_ORDER = "ORDER BY (CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END), expires_at, created_at, id";

export function assertCredits(amount: number, what: string): void {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`${what} must be a non-negative integer, got ${amount}`);
}

/** The database clock, read inside the transaction that uses it. */
export async function dbNow(sql: Sql): Promise<string> {
  return (await sql.one<{ now: string }>(`SELECT ${sql.dialect.now} AS now`))!.now;
}

export async function openBalance(sql: Sql, teamId: string, unlimited: boolean): Promise<void> {
  await sql.run("INSERT INTO balances (team_id, unlimited) VALUES ($1, $2)", [teamId, unlimited ? 1 : 0]);
}

export async function balance(sql: Sql, teamId: string): Promise<LedgerBalance> {
  const row = await sql.one<BalanceRow>(`SELECT ${BALANCE_COLUMNS} FROM balances WHERE team_id = $1`, [teamId]);
  if (!row) throw new LedgerNotFoundError(`no balance for team ${teamId}`);
  return toBalance(row);
}

/** Locks the team's balance row until the transaction ends (PostgreSQL; SQLite's transaction is exclusive). */
export async function lockBalance(sql: Sql, teamId: string): Promise<LedgerBalance> {
  const row = await sql.one<BalanceRow>(`SELECT ${BALANCE_COLUMNS} FROM balances WHERE team_id = $1${sql.dialect.forUpdate}`, [teamId]);
  if (!row) throw new LedgerNotFoundError(`no balance for team ${teamId}`);
  return toBalance(row);
}

async function writeEntry(sql: Sql, teamId: string, kind: EntryKind, amount: number, availableAfter: number, refs: EntryRefs): Promise<EntryRecord> {
  const row = await sql.one<EntryRow>(
    `INSERT INTO entries (id, kind, amount, team_id, member_id, job_id, hold_id, grant_id, available_after, note, period_start)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (SELECT period_start FROM teams WHERE id = $4)) RETURNING ${ENTRY_COLUMNS}`,
    [newId("ent"), kind, amount, teamId, refs.memberId ?? null, refs.jobId ?? null, refs.holdId ?? null, refs.grantId ?? null, availableAfter, refs.note ?? null],
  );
  return toEntry(row!);
}

/** One balance change = one UPDATE + one entry. The balances CHECK refuses any change that would leave a
 * limited team below zero, so a bug here fails loudly instead of spending money that is not there. On
 * PostgreSQL both go in one statement (a data-modifying CTE): one round trip instead of two. */
async function change(sql: Sql, teamId: string, kind: EntryKind, amount: number, delta: Delta, refs: EntryRefs): Promise<EntryRecord> {
  const deltas = [delta.granted ?? 0, delta.spent ?? 0, delta.held ?? 0];
  if (sql.dialect.name === "postgres") {
    const row = await sql.one<EntryRow>(
      `WITH b AS (
         UPDATE balances SET granted = granted + $5, spent = spent + $6, held = held + $7, updated_at = ${sql.dialect.now}
         WHERE team_id = $4 RETURNING granted - spent - held AS available)
       INSERT INTO entries (id, kind, amount, team_id, member_id, job_id, hold_id, grant_id, available_after, note, period_start)
       SELECT $1, $2, $3, $4, $8, $9, $10, $11, b.available, $12, (SELECT period_start FROM teams WHERE id = $4) FROM b
       RETURNING ${ENTRY_COLUMNS}`,
      [newId("ent"), kind, amount, teamId, ...deltas, refs.memberId ?? null, refs.jobId ?? null, refs.holdId ?? null, refs.grantId ?? null, refs.note ?? null],
    );
    if (!row) throw new LedgerNotFoundError(`no balance for team ${teamId}`);
    return toEntry(row);
  }
  const moved = await sql.one<{ available: number }>(
    `UPDATE balances SET granted = granted + $2, spent = spent + $3, held = held + $4, updated_at = ${sql.dialect.now}
     WHERE team_id = $1 RETURNING granted - spent - held AS available`,
    [teamId, ...deltas],
  );
  if (!moved) throw new LedgerNotFoundError(`no balance for team ${teamId}`);
  return writeEntry(sql, teamId, kind, amount, moved.available, refs);
}

export async function grant(sql: Sql, input: GrantInput): Promise<GrantRecord> {
  assertCredits(input.amount, "grant amount");
  await balance(sql, input.teamId); // an unknown team is LedgerNotFoundError, not a foreign-key error
  const row = await sql.one<GrantRow>(
    `INSERT INTO grants (id, team_id, kind, amount, remaining, expires_at, note) VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING *`,
    [newId("grant"), input.teamId, input.kind, input.amount, input.expiresAt ?? null, input.note ?? null],
  );
  await change(sql, input.teamId, "grant", input.amount, { granted: input.amount }, { grantId: row!.id, note: input.note ?? null });
  return toGrant(row!);
}

/** The team's current period start: member spend counts per period. */
async function teamPeriod(sql: Sql, teamId: string): Promise<string> {
  const row = await sql.one<{ period_start: string }>("SELECT period_start FROM teams WHERE id = $1", [teamId]);
  if (!row) throw new LedgerNotFoundError(`no team ${teamId}`);
  return row.period_start;
}

/** A member's spend in the period of parameter $2. */
const SPENT_IN_PERIOD = spentInPeriod("$2");

/** `periodStart`: the team's current period when the caller already read it (saves a round trip). */
export async function hold(sql: Sql, input: HoldInput, periodStart?: string): Promise<HoldRecord> {
  assertCredits(input.amount, "hold amount");
  if (!Number.isFinite(input.ttlMs) || input.ttlMs < 0) throw new RangeError(`ttlMs must be >= 0, got ${input.ttlMs}`);
  const projectId = input.projectId ?? null;
  const period = input.memberId || projectId ? (periodStart ?? (await teamPeriod(sql, input.teamId))) : null;
  const holdId = input.id ?? newId("hold");
  // Invariant 1: the conditional update reserves nothing unless the credits are there. The member's cap is a
  // conditional update in the same transaction; a counter from an older period starts again at 0.
  const reserve = `UPDATE balances SET held = held + $2, updated_at = ${sql.dialect.now}
     WHERE team_id = $1 AND (unlimited = 1 OR granted - spent - held >= $2)`;
  const cap = `UPDATE members SET period_spent = ${SPENT_IN_PERIOD}, cap_period_start = $2, held = held + $3
     WHERE id = $1 AND (monthly_cap IS NULL OR ${SPENT_IN_PERIOD} + held + $3 <= monthly_cap)`;
  // Invariant 10: a project's held + spent in its period never exceeds its budget; the same kind of
  // conditional update, in the same transaction (an archived or another team's project takes nothing).
  const budget = (id: string, team: string, p: string, amount: string) =>
    `UPDATE projects SET period_spent = ${projectSpentIn(p)}, spent_period_start = ${p}, held = held + ${amount}
     WHERE id = ${id} AND team_id = ${team} AND archived_at IS NULL AND (budget IS NULL OR ${projectSpentIn(p)} + held + ${amount} <= budget)`;
  let row: HoldRow | undefined;
  if (sql.dialect.name === "postgres") {
    // Cap, reserve, hold and entry in one round trip; no row means one of the two conditions refused. (A
    // cap update whose reservation was refused is undone: the refusal throws and the transaction rolls back.)
    // A project's budget joins the same statement; m_ok / p_ok say which condition refused when none held.
    const held = await sql.one<HoldRow & { m_ok: number; p_ok: number }>(
      `WITH m AS (${cap.replace(/\$1/g, "$4").replace(/\$2/g, "$8").replace(/\$3/g, "$9")} RETURNING 1),
       p AS (${budget("$10", "$1", "$8", "$9")} RETURNING 1),
       b AS (${reserve} AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM m)) AND ($10::text IS NULL OR EXISTS (SELECT 1 FROM p))
             RETURNING granted - spent - held AS available),
       h AS (INSERT INTO holds (id, team_id, member_id, job_id, amount, expires_at, project_id)
             SELECT $3, $1, $4, $5, $2, ${sql.dialect.nowPlusMs("$6")}, $10 FROM b RETURNING *),
       e AS (INSERT INTO entries (id, kind, amount, team_id, member_id, job_id, hold_id, available_after, period_start)
             SELECT $7, 'hold', $2, $1, $4, $5, $3, b.available, (SELECT period_start FROM teams WHERE id = $1) FROM b RETURNING 1)
       SELECT h.*, (SELECT count(*) FROM m) AS m_ok, (SELECT count(*) FROM p) AS p_ok FROM (SELECT 1) AS one LEFT JOIN h ON true`,
      [input.teamId, input.amount, holdId, input.memberId, input.jobId ?? null, input.ttlMs, newId("ent"), period, input.amount, projectId],
    );
    if (held?.id) {
      const { m_ok: _m, p_ok: _p, ...hold } = held;
      row = hold;
    } else return refuseHold(sql, input, period, { member: Number(held?.m_ok) === 0, project: Number(held?.p_ok) === 0 });
  } else {
    const reserved = await sql.one<{ available: number }>(`${reserve} RETURNING granted - spent - held AS available`, [input.teamId, input.amount]);
    if (!reserved) return refuseHold(sql, input, period);
    if (input.memberId && (await sql.run(cap, [input.memberId, period, input.amount])) !== 1)
      return refuseHold(sql, input, period, { member: true, project: false }, true);
    if (projectId && (await sql.run(budget("$1", "$2", "$3", "$4"), [projectId, input.teamId, period, input.amount])) !== 1)
      return refuseHold(sql, input, period, { member: false, project: true }, true);
    row = await sql.one<HoldRow>(
      `INSERT INTO holds (id, team_id, member_id, job_id, amount, expires_at, project_id) VALUES ($1, $2, $3, $4, $5, ${sql.dialect.nowPlusMs("$6")}, $7) RETURNING *`,
      [holdId, input.teamId, input.memberId, input.jobId ?? null, input.amount, input.ttlMs, projectId],
    );
    await writeEntry(sql, input.teamId, "hold", input.amount, reserved.available, { memberId: input.memberId, jobId: input.jobId ?? null, holdId });
  }
  if (!row) return refuseHold(sql, input, period);
  // Thresholds this hold crossed are recorded in its transaction, once each (alert-ops.ts).
  await recordCrossings(sql, input.teamId, period, input.memberId, projectId);
  return toHold(row);
}

/** Why a hold was refused: the balance first (as the estimate says it), then the member's cap, then the
 * project's budget (`failed` says which of those two refused). Reads the figures as they were before this
 * hold (a partial change by the refused hold is subtracted; the refused one changed nothing). */
async function refuseHold(
  sql: Sql,
  input: HoldInput,
  period: string | null,
  failed: { member: boolean; project: boolean } = { member: true, project: false },
  reservedAlready = false,
): Promise<never> {
  const b = await balance(sql, input.teamId);
  const available = (b.available ?? 0) + (reservedAlready ? input.amount : 0);
  if (!b.unlimited && available < input.amount) throw new InsufficientCreditsError(input.amount, available);
  if (input.projectId && failed.project && !(input.memberId && failed.member)) {
    const p = await projectFigures(sql, input.teamId, input.projectId, period ?? "");
    if (!p) throw new ProjectUnavailableError(input.projectId, "unknown");
    if (p.archived) throw new ProjectUnavailableError(input.projectId, "archived");
    throw new ProjectBudgetReachedError(p.id, p.name, p.budget ?? 0, budgetRemaining(p) ?? 0, input.amount);
  }
  const m = await memberFigures(sql, input.memberId!, period ?? undefined);
  throw new MemberCapReachedError(m.cap ?? 0, capRemaining(m) ?? 0, input.amount);
}

export async function getHold(sql: Sql, holdId: string): Promise<HoldRecord | null> {
  const row = await sql.one<HoldRow>("SELECT * FROM holds WHERE id = $1", [holdId]);
  return row ? toHold(row) : null;
}

async function pendingHold(sql: Sql, holdId: string): Promise<{ pending: HoldRow | null; current: HoldRecord }> {
  const row = await sql.one<HoldRow>("SELECT * FROM holds WHERE id = $1", [holdId]);
  if (!row) throw new LedgerNotFoundError(`no hold ${holdId}`);
  return { pending: row.state === "pending" ? row : null, current: toHold(row) };
}

/** Invariant 3: only the first resolution changes anything; later ones report it. */
async function resolveHold(sql: Sql, holdId: string, state: HoldState, captured: number): Promise<HoldRow | undefined> {
  return sql.one<HoldRow>(
    `UPDATE holds SET state = $2, captured = $3, resolved_at = ${sql.dialect.now} WHERE id = $1 AND state = 'pending' RETURNING *`,
    [holdId, state, captured],
  );
}

async function memberResolved(sql: Sql, hold: HoldRow, captured: number, periodStart?: string): Promise<void> {
  if (!hold.member_id && !hold.project_id) return;
  const period = periodStart ?? (await teamPeriod(sql, hold.team_id));
  if (hold.project_id)
    await sql.run(
      `UPDATE projects SET period_spent = ${projectSpentIn("$2")} + $3, spent_period_start = $2, held = held - $4 WHERE id = $1`,
      [hold.project_id, period, captured, hold.amount],
    );
  if (!hold.member_id) return;
  await sql.run(
    `UPDATE members SET period_spent = ${SPENT_IN_PERIOD} + $3, cap_period_start = $2, held = held - $4 WHERE id = $1`,
    [hold.member_id, period, captured, hold.amount],
  );
}

/**
 * PostgreSQL: the whole capture in one statement (resolve, balance, capture + release entries in order,
 * member counter, and the draw from the first grant when it covers the amount). PostgreSQL runs every
 * data-modifying CTE to completion whether or not the final SELECT reads it. `drawn` is 0 when the draw
 * still has to be spread over several grants.
 */
async function capturePg(sql: Sql, holdId: string, amount: number | null, periodStart: string): Promise<(HoldRow & { drawn: number }) | undefined> {
  const now = sql.dialect.now;
  return sql.one<HoldRow & { drawn: number }>(
    `WITH h AS (
       UPDATE holds SET state = 'captured', captured = coalesce($2::integer, amount), resolved_at = ${now}
       WHERE id = $1 AND state = 'pending' AND coalesce($2::integer, amount) <= amount RETURNING *),
     b AS (
       UPDATE balances SET held = balances.held - h.amount, spent = balances.spent + h.captured, updated_at = ${now}
       FROM h WHERE balances.team_id = h.team_id
       RETURNING balances.granted - balances.spent - balances.held AS available),
     e AS (
       INSERT INTO entries (id, kind, amount, team_id, member_id, job_id, hold_id, available_after, period_start)
       SELECT x.id, x.kind, x.amount, h.team_id, h.member_id, h.job_id, h.id, x.available_after, $3
       FROM h, b, LATERAL (VALUES (1, $4::text, 'capture', h.captured, b.available - (h.amount - h.captured)),
                                  (2, $5::text, 'release', h.amount - h.captured, b.available)) AS x(ord, id, kind, amount, available_after)
       WHERE x.ord = 1 OR x.amount > 0
       ORDER BY x.ord
       RETURNING 1),
     m AS (
       UPDATE members SET period_spent = ${spentInPeriod("$3")} + h.captured,
                          cap_period_start = $3, held = members.held - h.amount
       FROM h WHERE members.id = h.member_id RETURNING 1),
     p AS (
       UPDATE projects SET period_spent = ${projectSpentIn("$3", "projects.")} + h.captured,
                           spent_period_start = $3, held = projects.held - h.amount
       FROM h WHERE projects.id = h.project_id RETURNING 1),
     g AS (
       UPDATE grants SET remaining = grants.remaining - h.captured FROM h
       WHERE h.captured > 0 AND grants.remaining >= h.captured
         AND grants.id = (SELECT id FROM grants WHERE team_id = h.team_id AND remaining > 0 ${DRAW_ORDER} LIMIT 1)
       RETURNING 1)
     SELECT h.*, (SELECT count(*) FROM g) + (CASE WHEN h.captured = 0 THEN 1 ELSE 0 END) AS drawn
     FROM h`,
    [holdId, amount, periodStart, newId("ent"), newId("ent")],
  );
}

export async function capture(sql: Sql, holdId: string, amount?: number, periodStart?: string): Promise<HoldResolution> {
  if (amount !== undefined) assertCredits(amount, "capture amount");
  if (sql.dialect.name === "postgres" && periodStart !== undefined) {
    const done = await capturePg(sql, holdId, amount ?? null, periodStart);
    if (done) {
      if (done.drawn === 0) await drawFromGrants(sql, done.team_id, done.captured);
      const { drawn: _drawn, ...row } = done;
      return { hold: toHold(row), changed: true };
    }
    const { pending, current } = await pendingHold(sql, holdId);
    if (pending) throw new RangeError(`cannot capture ${amount} of a hold of ${pending.amount}`);
    return { hold: current, changed: false };
  }
  // One conditional UPDATE both checks and resolves: amount, member and job never change after the hold.
  const resolved = await sql.one<HoldRow>(
    `UPDATE holds SET state = 'captured', captured = coalesce($2, amount), resolved_at = ${sql.dialect.now}
     WHERE id = $1 AND state = 'pending' AND coalesce($2, amount) <= amount RETURNING *`,
    [holdId, amount ?? null],
  );
  if (!resolved) {
    const { pending, current } = await pendingHold(sql, holdId);
    if (pending) throw new RangeError(`cannot capture ${amount} of a hold of ${pending.amount}`);
    return { hold: current, changed: false };
  }
  const pending = resolved;
  const captured = resolved.captured;
  const refs = { memberId: pending.member_id, jobId: pending.job_id, holdId };
  await change(sql, pending.team_id, "capture", captured, { held: -captured, spent: captured }, refs);
  await drawFromGrants(sql, pending.team_id, captured);
  const rest = pending.amount - captured;
  if (rest > 0) await change(sql, pending.team_id, "release", rest, { held: -rest }, refs);
  await memberResolved(sql, pending, captured, periodStart);
  return { hold: toHold(resolved), changed: true };
}

/** Returns the whole hold: `released` by the caller, or `expired` by the reaper. */
export async function release(sql: Sql, holdId: string, as: "released" | "expired" = "released", periodStart?: string): Promise<HoldResolution> {
  const resolved = await resolveHold(sql, holdId, as, 0);
  if (!resolved) return { hold: (await pendingHold(sql, holdId)).current, changed: false };
  const pending = resolved;
  await change(sql, pending.team_id, as === "expired" ? "expire" : "release", pending.amount, { held: -pending.amount }, {
    memberId: pending.member_id,
    jobId: pending.job_id,
    holdId,
  });
  await memberResolved(sql, pending, 0, periodStart);
  return { hold: toHold(resolved), changed: true };
}

/** Pending holds past their expiry on the database clock. */
export async function overdueHolds(sql: Sql, limit = 500): Promise<{ id: string; team_id: string }[]> {
  return sql.all(`SELECT id, team_id FROM holds WHERE state = 'pending' AND expires_at <= ${sql.dialect.now} ORDER BY expires_at LIMIT $1`, [limit]);
}

/**
 * Marks spent credits against grants, earliest expiry first (sum of remaining = granted - spent). For a
 * limited team the grants always cover it; an unlimited team's excess is metered use beyond its grants.
 */
async function drawFromGrants(sql: Sql, teamId: string, amount: number): Promise<void> {
  const left = amount - (await takeFromGrants(sql, teamId, amount));
  if (left > 0 && !(await balance(sql, teamId)).unlimited)
    throw new Error(`ledger inconsistency: grants of team ${teamId} are ${left} credits short of what was spent`);
}

/** Lowers grants' remainders by up to `amount`, earliest expiry first; returns how much it took. */
async function takeFromGrants(sql: Sql, teamId: string, amount: number): Promise<number> {
  if (amount === 0) return 0;
  // Usually the first grant in drawing order covers it all: one statement.
  const whole = await sql.one<{ id: string }>(
    `UPDATE grants SET remaining = remaining - $2
     WHERE id = (SELECT id FROM grants WHERE team_id = $1 AND remaining > 0 ${DRAW_ORDER} LIMIT 1) AND remaining >= $2 RETURNING id`,
    [teamId, amount],
  );
  if (whole) return amount;
  let left = amount;
  const grants = await sql.all<{ id: string; remaining: number }>(
    `SELECT id, remaining FROM grants WHERE team_id = $1 AND remaining > 0 ${DRAW_ORDER}`,
    [teamId],
  );
  for (const g of grants) {
    if (left === 0) break;
    const take = Math.min(left, g.remaining);
    const changed = await sql.run("UPDATE grants SET remaining = remaining - $1 WHERE id = $2 AND remaining >= $1", [take, g.id]);
    if (changed !== 1) throw new Error(`ledger inconsistency: grant ${g.id} changed under a locked balance`);
    left -= take;
  }
  return amount - left;
}

/**
 * Expires up to `amount` of a grant's remainder: the grant and `granted` go down together, with one
 * `expire` entry naming the grant. Never takes more than is available, so credits held for running jobs
 * stay covered; what is left expires at a later sweep once those holds resolve.
 */
export async function expireFromGrant(sql: Sql, g: GrantRow, note: string, cap?: number): Promise<number> {
  const b = await lockBalance(sql, g.team_id);
  const fresh = await sql.one<{ remaining: number }>("SELECT remaining FROM grants WHERE id = $1", [g.id]);
  const limit = b.unlimited ? Infinity : Math.max(0, b.available ?? 0);
  const amount = Math.min(fresh?.remaining ?? 0, limit, cap ?? Infinity);
  if (amount <= 0) return 0;
  await sql.run("UPDATE grants SET remaining = remaining - $1 WHERE id = $2 AND remaining >= $1", [amount, g.id]);
  await change(sql, g.team_id, "expire", amount, { granted: -amount }, { grantId: g.id, note });
  return amount;
}

export async function expiredGrants(sql: Sql, teamId?: string): Promise<GrantRow[]> {
  return sql.all<GrantRow>(
    `SELECT * FROM grants WHERE remaining > 0 AND expires_at IS NOT NULL AND expires_at <= ${sql.dialect.now}
     AND ($1 = '' OR team_id = $1) ORDER BY expires_at LIMIT 500`,
    [teamId ?? ""],
  );
}

/**
 * A signed correction: adds credits, or takes back unspent ones from the grants that expire first.
 * `consumed`: the added credits cover spending that already happened (metered use beyond the grants), so
 * the grant starts used up and the grants' remainders keep summing to granted - spent.
 */
export async function adjust(sql: Sql, teamId: string, amount: number, note: string, consumed = false): Promise<number> {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`adjustment must be an integer, got ${amount}`);
  if (amount >= 0) {
    if (amount === 0) return 0;
    const row = await sql.one<GrantRow>(
      `INSERT INTO grants (id, team_id, kind, amount, remaining, expires_at, note) VALUES ($1, $2, 'adjust', $3, $5, NULL, $4) RETURNING *`,
      [newId("grant"), teamId, amount, note, consumed ? 0 : amount],
    );
    await change(sql, teamId, "adjust", amount, { granted: amount }, { grantId: row!.id, note });
    return amount;
  }
  const b = await lockBalance(sql, teamId);
  const done = await takeFromGrants(sql, teamId, Math.min(-amount, b.unlimited ? Infinity : Math.max(0, b.available ?? 0)));
  if (done > 0) await change(sql, teamId, "adjust", -done, { granted: -done }, { note });
  return -done;
}

export async function grants(sql: Sql, teamId: string): Promise<GrantRecord[]> {
  return (await sql.all<GrantRow>(`SELECT * FROM grants WHERE team_id = $1 ${DRAW_ORDER}`, [teamId])).map(toGrant);
}

export async function entries(sql: Sql, teamId: string, filter: { jobId?: string; holdId?: string } = {}): Promise<EntryRecord[]> {
  const rows = await sql.all<EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM entries WHERE team_id = $1 AND ($2 = '' OR job_id = $2) AND ($3 = '' OR hold_id = $3) ORDER BY seq`,
    [teamId, filter.jobId ?? "", filter.holdId ?? ""],
  );
  return rows.map(toEntry);
}
