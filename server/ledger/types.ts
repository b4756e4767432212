// The credit ledger's contract (docs/ledger.md). One implementation over `Db` serves SQLite and PostgreSQL:
// every method is one database transaction, and the database, not this process, decides whether credits
// are available (conditional updates and CHECKs), so any number of proxy processes may share it.
import type { Catalog, TierId } from "../../core/catalog/schema.ts";

export type GrantKind = "monthly" | "topup" | "adjust";
export type HoldState = "pending" | "captured" | "released" | "expired";
export type EntryKind = "grant" | "hold" | "capture" | "release" | "expire" | "adjust";

export interface LedgerBalance {
  teamId: string;
  /** Enterprise: metered, never capped. `available` is then null. */
  unlimited: boolean;
  granted: number;
  spent: number;
  held: number;
  /** granted - spent - held; null when unlimited. */
  available: number | null;
}

export interface GrantRecord {
  id: string;
  teamId: string;
  kind: GrantKind;
  amount: number;
  remaining: number;
  /** null: never expires (top-ups). */
  expiresAt: string | null;
  note: string | null;
  createdAt: string;
}

export interface HoldRecord {
  id: string;
  teamId: string;
  memberId: string | null;
  jobId: string | null;
  amount: number;
  state: HoldState;
  /** Credits captured; the rest of `amount` went back to the team. */
  captured: number;
  expiresAt: string;
  createdAt: string;
  resolvedAt: string | null;
  /** The project the hold is charged to (null: none). */
  projectId?: string | null;
}

export interface EntryRecord {
  id: string;
  kind: EntryKind;
  amount: number;
  teamId: string;
  memberId: string | null;
  jobId: string | null;
  holdId: string | null;
  grantId: string | null;
  /** granted - spent - held after this entry (may go below zero only for unlimited teams). */
  availableAfter: number;
  note: string | null;
  createdAt: string;
}

export interface GrantInput {
  teamId: string;
  kind: GrantKind;
  amount: number;
  /** ISO time; null or absent: never expires. */
  expiresAt?: string | null;
  note?: string | null;
}

export interface HoldInput {
  /** The hold's id when the caller already named it (a job refers to its hold); default: a new id. */
  id?: string;
  teamId: string;
  memberId: string | null;
  jobId?: string | null;
  amount: number;
  /** The hold expires this long after now (database clock) unless resolved before. */
  ttlMs: number;
  /** The project whose budget the hold is charged to, checked in the same transaction (invariant 10). */
  projectId?: string | null;
}

/** A member's monthly cap refused the hold (checked in the same transaction as the team balance). */
export class MemberCapReachedError extends Error {
  override name = "MemberCapReachedError";
  constructor(
    readonly cap: number,
    readonly remaining: number,
    readonly needed: number,
  ) {
    super(`This job needs ${needed} credits; your monthly cap of ${cap} has ${remaining} left`);
  }
}

export interface TierChange {
  from: TierId;
  to: TierId;
  /** Credits granted (positive) or taken back (negative) for the rest of the period. */
  adjustment: number;
  note: string;
}

/** One disagreement between a stored figure and what the entries say it must be. */
export interface Drift {
  teamId: string;
  what: string;
  stored: number;
  expected: number;
}

/** The outcome of capture/release: `changed` is false when the hold had already been resolved, and `hold`
 * then reports that first resolution unchanged. */
export interface HoldResolution {
  hold: HoldRecord;
  changed: boolean;
}

export class InsufficientCreditsError extends Error {
  override name = "InsufficientCreditsError";
  constructor(
    readonly needed: number,
    readonly available: number,
  ) {
    super(`Needs ${needed} credits; ${available} available`);
  }
}

export class LedgerNotFoundError extends Error {
  override name = "LedgerNotFoundError";
}

export interface MemberUsage {
  /** Captured by the member in the team's current period. */
  spent: number;
  /** Held for the member's unfinished jobs. */
  held: number;
}

export interface Ledger {
  /** Adds credits (one grant row, one `grant` entry). */
  grant(input: GrantInput): Promise<{ grant: GrantRecord; balance: LedgerBalance }>;
  /** Reserves credits; throws InsufficientCreditsError when the team's available balance is short. */
  hold(input: HoldInput): Promise<HoldRecord>;
  /** Spends a pending hold, fully or partly (default: all of it); the rest returns to the team. */
  capture(holdId: string, amount?: number): Promise<HoldResolution>;
  /** Returns a pending hold's credits. */
  release(holdId: string): Promise<HoldResolution>;
  /** Resolves every pending hold past its expiry as `expired`; returns them. */
  expireHolds(): Promise<HoldRecord[]>;
  /** Expires what is left of grants past their expiry (never more than keeps held credits covered). */
  expireGrants(): Promise<number>;
  /** Starts the next period of every team whose period has ended (exactly once across processes):
   * the old monthly grant's remainder expires and the tier's allocation is granted. Returns the teams. */
  rollOver(catalog: Catalog, teamId?: string): Promise<string[]>;
  /** Changes the team's tier now; this period's allocation changes as `catalog.tierChange` says. */
  changeTier(teamId: string, tier: TierId, catalog: Catalog): Promise<TierChange>;
  /** Recomputes every balance, grant and member counter from entries and holds; [] when all agree. */
  verify(): Promise<Drift[]>;
  balance(teamId: string): Promise<LedgerBalance>;
  getHold(holdId: string): Promise<HoldRecord | null>;
  /** The team's grants, in the order spending draws from them. */
  grants(teamId: string): Promise<GrantRecord[]>;
  /** Oldest first. */
  entries(teamId: string, filter?: { jobId?: string; holdId?: string }): Promise<EntryRecord[]>;
  memberUsage(memberId: string): Promise<MemberUsage>;
}
