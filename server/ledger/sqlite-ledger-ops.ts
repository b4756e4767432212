// The SQLite ledger's primitives. Every method here MUST run inside a transaction opened with
// BEGIN IMMEDIATE (better-sqlite3's `transaction(...).immediate()`): SqliteLedger wraps each one alone, and
// the job store combines them with its own rows (job + hold, assets + capture) in one transaction.
// Balances change only through `change()`: one conditional UPDATE plus exactly one entry.
import type { SqliteDatabase } from "../db/open-sqlite.ts";
import { SQL_NOW } from "../db/open-sqlite.ts";
import { newId } from "../ids.ts";
import {
  InsufficientCreditsError,
  LedgerNotFoundError,
  type EntryKind,
  type EntryRecord,
  type GrantInput,
  type GrantRecord,
  type HoldInput,
  type HoldRecord,
  type HoldResolution,
  type HoldState,
  type LedgerBalance,
  type MemberUsage,
} from "./types.ts";

interface BalanceRow {
  team_id: string;
  unlimited: number;
  granted: number;
  spent: number;
  held: number;
}
interface GrantRow {
  id: string;
  team_id: string;
  kind: GrantRecord["kind"];
  amount: number;
  remaining: number;
  expires_at: string | null;
  note: string | null;
  created_at: string;
}
interface HoldRow {
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
  created_at: string;
}

const toBalance = (r: BalanceRow): LedgerBalance => ({
  teamId: r.team_id,
  unlimited: r.unlimited === 1,
  granted: r.granted,
  spent: r.spent,
  held: r.held,
  available: r.unlimited === 1 ? null : r.granted - r.spent - r.held,
});
const toGrant = (r: GrantRow): GrantRecord => ({
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
}

function assertCredits(amount: number, what: string): void {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`${what} must be a non-negative integer, got ${amount}`);
}

export class SqliteLedgerOps {
  private readonly stmts;

  constructor(db: SqliteDatabase) {
    this.stmts = {
      openBalance: db.prepare<[string, number]>("INSERT INTO balances (team_id, unlimited) VALUES (?, ?)"),
      balance: db.prepare<[string], BalanceRow>("SELECT team_id, unlimited, granted, spent, held FROM balances WHERE team_id = ?"),
      // The conditional update of invariant 1: it changes nothing unless the credits are there.
      reserve: db.prepare<{ teamId: string; amount: number }, { available: number }>(
        `UPDATE balances SET held = held + @amount, updated_at = ${SQL_NOW}
         WHERE team_id = @teamId AND (unlimited = 1 OR granted - spent - held >= @amount)
         RETURNING granted - spent - held AS available`,
      ),
      move: db.prepare<{ teamId: string; granted: number; spent: number; held: number }, { available: number }>(
        `UPDATE balances SET granted = granted + @granted, spent = spent + @spent, held = held + @held, updated_at = ${SQL_NOW}
         WHERE team_id = @teamId
         RETURNING granted - spent - held AS available`,
      ),
      entry: db.prepare<Omit<EntryRow, "created_at">, EntryRow>(
        `INSERT INTO entries (id, kind, amount, team_id, member_id, job_id, hold_id, grant_id, available_after)
         VALUES (@id, @kind, @amount, @team_id, @member_id, @job_id, @hold_id, @grant_id, @available_after)
         RETURNING id, kind, amount, team_id, member_id, job_id, hold_id, grant_id, available_after, created_at`,
      ),
      insertGrant: db.prepare<Omit<GrantRow, "created_at">, GrantRow>(
        `INSERT INTO grants (id, team_id, kind, amount, remaining, expires_at, note)
         VALUES (@id, @team_id, @kind, @amount, @remaining, @expires_at, @note) RETURNING *`,
      ),
      drawable: db.prepare<[string], { id: string; remaining: number }>(
        // Spending draws from the grant that expires first; grants that never expire come last.
        "SELECT id, remaining FROM grants WHERE team_id = ? AND remaining > 0 ORDER BY expires_at IS NULL, expires_at, created_at, rowid",
      ),
      grants: db.prepare<[string], GrantRow>(
        "SELECT * FROM grants WHERE team_id = ? ORDER BY expires_at IS NULL, expires_at, created_at, rowid",
      ),
      draw: db.prepare<[number, string, number]>("UPDATE grants SET remaining = remaining - ? WHERE id = ? AND remaining >= ?"),
      insertHold: db.prepare<{ id: string; teamId: string; memberId: string | null; jobId: string | null; amount: number; ttl: string }, HoldRow>(
        `INSERT INTO holds (id, team_id, member_id, job_id, amount, expires_at)
         VALUES (@id, @teamId, @memberId, @jobId, @amount, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', @ttl)) RETURNING *`,
      ),
      hold: db.prepare<[string], HoldRow>("SELECT * FROM holds WHERE id = ?"),
      resolve: db.prepare<{ id: string; state: HoldState; captured: number }, HoldRow>(
        `UPDATE holds SET state = @state, captured = @captured, resolved_at = ${SQL_NOW}
         WHERE id = @id AND state = 'pending' RETURNING *`,
      ),
      overdue: db.prepare<[], { id: string }>(
        `SELECT id FROM holds WHERE state = 'pending' AND expires_at <= ${SQL_NOW} ORDER BY expires_at`,
      ),
      entries: db.prepare<{ teamId: string; jobId: string | null; holdId: string | null }, EntryRow>(
        `SELECT id, kind, amount, team_id, member_id, job_id, hold_id, grant_id, available_after, created_at FROM entries
         WHERE team_id = @teamId AND (@jobId IS NULL OR job_id = @jobId) AND (@holdId IS NULL OR hold_id = @holdId)
         ORDER BY seq`,
      ),
      memberSpent: db.prepare<[string, string], { spent: number }>(
        "SELECT coalesce(sum(amount), 0) AS spent FROM entries WHERE member_id = ? AND kind = 'capture' AND created_at >= ?",
      ),
      memberHeld: db.prepare<[string], { held: number }>(
        "SELECT coalesce(sum(amount), 0) AS held FROM holds WHERE member_id = ? AND state = 'pending'",
      ),
    };
  }

  /** Creates the team's balance row; part of creating a team. */
  openBalance(teamId: string, unlimited: boolean): void {
    this.stmts.openBalance.run(teamId, unlimited ? 1 : 0);
  }

  balance(teamId: string): LedgerBalance {
    const row = this.stmts.balance.get(teamId);
    if (!row) throw new LedgerNotFoundError(`no balance for team ${teamId}`);
    return toBalance(row);
  }

  /** One balance change = one UPDATE + one entry. */
  private change(teamId: string, kind: EntryKind, amount: number, delta: Delta, refs: EntryRefs): EntryRecord {
    const moved = this.stmts.move.get({ teamId, granted: delta.granted ?? 0, spent: delta.spent ?? 0, held: delta.held ?? 0 });
    if (!moved) throw new LedgerNotFoundError(`no balance for team ${teamId}`);
    return this.writeEntry(teamId, kind, amount, moved.available, refs);
  }

  private writeEntry(teamId: string, kind: EntryKind, amount: number, availableAfter: number, refs: EntryRefs): EntryRecord {
    const row: Omit<EntryRow, "created_at"> = {
      id: newId("ent"),
      kind,
      amount,
      team_id: teamId,
      member_id: refs.memberId ?? null,
      job_id: refs.jobId ?? null,
      hold_id: refs.holdId ?? null,
      grant_id: refs.grantId ?? null,
      available_after: availableAfter,
    };
    return toEntry(this.stmts.entry.get(row)!);
  }

  grant(input: GrantInput): GrantRecord {
    assertCredits(input.amount, "grant amount");
    this.balance(input.teamId); // unknown team: LedgerNotFoundError rather than a foreign-key error
    const grant = this.stmts.insertGrant.get({
      id: newId("grant"),
      team_id: input.teamId,
      kind: input.kind,
      amount: input.amount,
      remaining: input.amount,
      expires_at: input.expiresAt ?? null,
      note: input.note ?? null,
    })!;
    this.change(input.teamId, "grant", input.amount, { granted: input.amount }, { grantId: grant.id });
    return toGrant(grant);
  }

  hold(input: HoldInput): HoldRecord {
    assertCredits(input.amount, "hold amount");
    if (!Number.isFinite(input.ttlMs) || input.ttlMs < 0) throw new RangeError(`ttlMs must be >= 0, got ${input.ttlMs}`);
    const reserved = this.stmts.reserve.get({ teamId: input.teamId, amount: input.amount });
    if (!reserved) {
      const balance = this.balance(input.teamId);
      throw new InsufficientCreditsError(input.amount, balance.available ?? 0);
    }
    const hold = this.stmts.insertHold.get({
      id: newId("hold"),
      teamId: input.teamId,
      memberId: input.memberId,
      jobId: input.jobId ?? null,
      amount: input.amount,
      ttl: `${(input.ttlMs / 1000).toFixed(3)} seconds`,
    })!;
    this.writeEntry(input.teamId, "hold", input.amount, reserved.available, {
      memberId: hold.member_id,
      jobId: hold.job_id,
      holdId: hold.id,
    });
    return toHold(hold);
  }

  grants(teamId: string): GrantRecord[] {
    return this.stmts.grants.all(teamId).map(toGrant);
  }

  getHold(holdId: string): HoldRecord | null {
    const row = this.stmts.hold.get(holdId);
    return row ? toHold(row) : null;
  }

  private pending(holdId: string): { pending: HoldRow | null; current: HoldRecord } {
    const row = this.stmts.hold.get(holdId);
    if (!row) throw new LedgerNotFoundError(`no hold ${holdId}`);
    return { pending: row.state === "pending" ? row : null, current: toHold(row) };
  }

  capture(holdId: string, amount?: number): HoldResolution {
    const { pending, current } = this.pending(holdId);
    if (!pending) return { hold: current, changed: false };
    const captured = amount ?? pending.amount;
    assertCredits(captured, "capture amount");
    if (captured > pending.amount) throw new RangeError(`cannot capture ${captured} of a hold of ${pending.amount}`);
    const resolved = this.stmts.resolve.get({ id: holdId, state: "captured", captured });
    if (!resolved) return { hold: this.pending(holdId).current, changed: false };
    const refs = { memberId: pending.member_id, jobId: pending.job_id, holdId };
    this.change(pending.team_id, "capture", captured, { held: -captured, spent: captured }, refs);
    this.drawFromGrants(pending.team_id, captured);
    const rest = pending.amount - captured;
    if (rest > 0) this.change(pending.team_id, "release", rest, { held: -rest }, refs);
    return { hold: toHold(resolved), changed: true };
  }

  /** Returns the whole hold: `released` by the caller, or `expired` by the expiry sweep. */
  release(holdId: string, as: "released" | "expired" = "released"): HoldResolution {
    const { pending, current } = this.pending(holdId);
    if (!pending) return { hold: current, changed: false };
    const resolved = this.stmts.resolve.get({ id: holdId, state: as, captured: 0 });
    if (!resolved) return { hold: this.pending(holdId).current, changed: false };
    this.change(pending.team_id, as === "expired" ? "expire" : "release", pending.amount, { held: -pending.amount }, {
      memberId: pending.member_id,
      jobId: pending.job_id,
      holdId,
    });
    return { hold: toHold(resolved), changed: true };
  }

  /** Pending holds past their expiry on the database clock. */
  overdueHoldIds(): string[] {
    return this.stmts.overdue.all().map((r) => r.id);
  }

  entries(teamId: string, filter: { jobId?: string; holdId?: string } = {}): EntryRecord[] {
    return this.stmts.entries.all({ teamId, jobId: filter.jobId ?? null, holdId: filter.holdId ?? null }).map(toEntry);
  }

  memberUsage(memberId: string, since: string): MemberUsage {
    return {
      spent: this.stmts.memberSpent.get(memberId, since)!.spent,
      held: this.stmts.memberHeld.get(memberId)!.held,
    };
  }

  /** Marks spent credits against grants, earliest expiry first. For a limited team the grants always cover
   * it (sum of remaining = granted - spent); an unlimited team's excess is metered use beyond its grants. */
  private drawFromGrants(teamId: string, amount: number): void {
    let left = amount;
    for (const g of this.stmts.drawable.all(teamId)) {
      if (left === 0) break;
      const take = Math.min(left, g.remaining);
      this.stmts.draw.run(take, g.id, take);
      left -= take;
    }
    if (left > 0 && !this.balance(teamId).unlimited)
      throw new Error(`ledger inconsistency: grants of team ${teamId} are ${left} credits short of what was spent`);
  }
}
