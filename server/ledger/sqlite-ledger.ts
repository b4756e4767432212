// The Ledger on SQLite: each call is one BEGIN IMMEDIATE transaction around the primitives of
// SqliteLedgerOps, so concurrent writers (requests, the admin CLI, other processes) are serialised by the
// database itself.
import type { SqliteDatabase } from "../db/open-sqlite.ts";
import { SqliteLedgerOps } from "./sqlite-ledger-ops.ts";
import type { EntryRecord, GrantInput, GrantRecord, HoldInput, HoldRecord, HoldResolution, Ledger, LedgerBalance, MemberUsage } from "./types.ts";

export class SqliteLedger implements Ledger {
  readonly ops: SqliteLedgerOps;

  constructor(private readonly db: SqliteDatabase) {
    this.ops = new SqliteLedgerOps(db);
  }

  /** Runs `fn` in BEGIN IMMEDIATE; async only to honour the interface. */
  private async write<T>(fn: () => T): Promise<T> {
    return this.db.transaction(fn).immediate();
  }

  grant(input: GrantInput): Promise<{ grant: GrantRecord; balance: LedgerBalance }> {
    return this.write(() => {
      const grant = this.ops.grant(input);
      return { grant, balance: this.ops.balance(input.teamId) };
    });
  }

  hold(input: HoldInput): Promise<HoldRecord> {
    return this.write(() => this.ops.hold(input));
  }

  capture(holdId: string, amount?: number): Promise<HoldResolution> {
    return this.write(() => this.ops.capture(holdId, amount));
  }

  release(holdId: string): Promise<HoldResolution> {
    return this.write(() => this.ops.release(holdId));
  }

  expireHolds(): Promise<HoldRecord[]> {
    return this.write(() =>
      this.ops.overdueHoldIds().flatMap((id) => {
        const r = this.ops.release(id, "expired");
        return r.changed ? [r.hold] : [];
      }),
    );
  }

  async balance(teamId: string): Promise<LedgerBalance> {
    return this.ops.balance(teamId);
  }

  async getHold(holdId: string): Promise<HoldRecord | null> {
    return this.ops.getHold(holdId);
  }

  async grants(teamId: string): Promise<GrantRecord[]> {
    return this.ops.grants(teamId);
  }

  async entries(teamId: string, filter?: { jobId?: string; holdId?: string }): Promise<EntryRecord[]> {
    return this.ops.entries(teamId, filter);
  }

  async memberUsage(memberId: string, since: string): Promise<MemberUsage> {
    return this.ops.memberUsage(memberId, since);
  }
}
