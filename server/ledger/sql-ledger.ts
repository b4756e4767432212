// The Ledger over `Db`, for SQLite and PostgreSQL alike: each call is one write transaction around the
// primitives of ledger-ops.ts. A call that touches a team first moves it into its current period, so no
// spend is ever counted in a period that has ended.
import type { Catalog, TierId } from "../../core/catalog/schema.ts";
import type { Db, Sql } from "../db/sql.ts";
import * as ops from "./ledger-ops.ts";
import { memberFigures } from "./member-spend.ts";
import { changeTier, openTeam, openTeamOfHold, rollOverIfDue, teamsDue } from "./period-ops.ts";
import type {
  Drift,
  EntryRecord,
  GrantInput,
  GrantRecord,
  HoldInput,
  HoldRecord,
  HoldResolution,
  Ledger,
  LedgerBalance,
  MemberUsage,
  TierChange,
} from "./types.ts";
import { LedgerNotFoundError } from "./types.ts";
import { verifyLedger } from "./verify.ts";

export class SqlLedger implements Ledger {
  constructor(
    private readonly db: Db,
    private readonly catalog: Catalog,
  ) {}

  /** Opens the team of a hold (locks its balance, current period); returns the period. */
  private async holdTeam(sql: Sql, holdId: string): Promise<string> {
    try {
      return (await openTeamOfHold(sql, this.catalog, holdId)).periodStart;
    } catch (error) {
      if (error instanceof LedgerNotFoundError) throw new LedgerNotFoundError(`no hold ${holdId}`);
      throw error;
    }
  }

  grant(input: GrantInput): Promise<{ grant: GrantRecord; balance: LedgerBalance }> {
    return this.db.tx(async (sql) => {
      await openTeam(sql, this.catalog, input.teamId);
      const grant = await ops.grant(sql, input);
      return { grant, balance: await ops.balance(sql, input.teamId) };
    });
  }

  hold(input: HoldInput): Promise<HoldRecord> {
    return this.db.tx(async (sql) => {
      const team = await openTeam(sql, this.catalog, input.teamId);
      return ops.hold(sql, input, team.periodStart);
    });
  }

  capture(holdId: string, amount?: number): Promise<HoldResolution> {
    return this.db.tx(async (sql) => {
      return ops.capture(sql, holdId, amount, await this.holdTeam(sql, holdId));
    });
  }

  release(holdId: string): Promise<HoldResolution> {
    return this.db.tx(async (sql) => {
      return ops.release(sql, holdId, "released", await this.holdTeam(sql, holdId));
    });
  }

  async expireHolds(): Promise<HoldRecord[]> {
    const expired: HoldRecord[] = [];
    for (const h of await ops.overdueHolds(this.db)) {
      const r = await this.db.tx(async (sql) => {
        await ops.lockBalance(sql, h.team_id);
        return ops.release(sql, h.id, "expired");
      });
      if (r.changed) expired.push(r.hold);
    }
    return expired;
  }

  async expireGrants(): Promise<number> {
    let total = 0;
    for (const g of await ops.expiredGrants(this.db))
      total += await this.db.tx((sql) => ops.expireFromGrant(sql, g, `${g.note ?? "grant"}: expired`));
    return total;
  }

  async rollOver(catalog: Catalog, teamId?: string): Promise<string[]> {
    const due = teamId ? [teamId] : await teamsDue(this.db);
    const rolled: string[] = [];
    for (const id of due) if (await this.db.tx((sql) => rollOverIfDue(sql, catalog, id))) rolled.push(id);
    return rolled;
  }

  changeTier(teamId: string, tier: TierId, catalog: Catalog): Promise<TierChange> {
    return this.db.tx((sql) => changeTier(sql, catalog, teamId, tier));
  }

  verify(): Promise<Drift[]> {
    // One transaction, so the figures compared are one consistent snapshot.
    return this.db.tx(async (sql) => {
      if (sql.dialect.name === "postgres") await sql.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      return verifyLedger(sql);
    });
  }

  balance(teamId: string): Promise<LedgerBalance> {
    return ops.balance(this.db, teamId);
  }

  getHold(holdId: string): Promise<HoldRecord | null> {
    return ops.getHold(this.db, holdId);
  }

  grants(teamId: string): Promise<GrantRecord[]> {
    return ops.grants(this.db, teamId);
  }

  entries(teamId: string, filter?: { jobId?: string; holdId?: string }): Promise<EntryRecord[]> {
    return ops.entries(this.db, teamId, filter);
  }

  async memberUsage(memberId: string): Promise<MemberUsage> {
    const { spent, held } = await memberFigures(this.db, memberId);
    return { spent, held };
  }
}
