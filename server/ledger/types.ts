// The credit ledger's contract (ledger.md). Async so a PostgreSQL implementation can follow the SQLite one
// with the same semantics: every method is one database transaction, and the database, not this process,
// decides whether credits are available.

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
  teamId: string;
  memberId: string | null;
  jobId?: string | null;
  amount: number;
  /** The hold expires this long after now (database clock) unless resolved before. */
  ttlMs: number;
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
  /** Captured by the member since the given time. */
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
  balance(teamId: string): Promise<LedgerBalance>;
  getHold(holdId: string): Promise<HoldRecord | null>;
  /** The team's grants, in the order spending draws from them. */
  grants(teamId: string): Promise<GrantRecord[]>;
  /** Oldest first. */
  entries(teamId: string, filter?: { jobId?: string; holdId?: string }): Promise<EntryRecord[]>;
  memberUsage(memberId: string, since: string): Promise<MemberUsage>;
}
