// Where a provider's rate-limit lock-out is remembered (docs/providers.md, "Rate limits across instances").
// Providers limit per API key, and every proxy instance uses the same key: a 429 told to one instance is
// true for all of them, and every extra call during a lock-out is another 429 that may extend it
// (Stability: 60 s per 429). So on PostgreSQL the lock-out is a row of provider_lockouts, raised with
// GREATEST by whoever learns of it and read before every call (one primary-key read, next to a provider call
// of seconds, and never stale: no news to miss while a LISTEN connection is down). One process on SQLite
// keeps it in memory, as before. Times are the database clock's, so instances' clocks need not agree.
import type { Sql } from "../db/sql.ts";
import type { Logger } from "../logger.ts";

/** Until when the proxy leaves one provider alone after a 429. */
export interface RateGate {
  /** How long calls to the provider must still wait, in ms (0: go). */
  waitMs(): Promise<number>;
  /** The provider locked the key out for `ms` from now; a longer known lock-out is kept, never shortened. */
  lockFor(ms: number): Promise<void>;
}

/** This process's own memory of a lock-out: one proxy (SQLite), or the fallback while the database is away. */
export class LocalRateGate implements RateGate {
  private until = 0;

  async waitMs(): Promise<number> {
    return this.remaining();
  }

  async lockFor(ms: number): Promise<void> {
    this.raise(ms);
  }

  remaining(): number {
    return Math.max(0, this.until - Date.now());
  }

  raise(ms: number): void {
    this.until = Math.max(this.until, Date.now() + ms);
  }
}

/** How often a failing lock-out table is logged, at most (a database outage would otherwise log per call). */
const WARN_EVERY_MS = 60_000;

/** The lock-outs every proxy on one database shares: one gate per provider id. */
export class SqlRateGates {
  private readonly gates = new Map<string, RateGate>();
  private warnedAt = 0;

  constructor(
    private readonly db: Pick<Sql, "one" | "run" | "dialect">,
    private readonly logger: Pick<Logger, "warn">,
  ) {}

  /** The gate of `provider` (the same object for every call with that id). */
  gate = (provider: string): RateGate => {
    let gate = this.gates.get(provider);
    if (!gate) {
      gate = this.make(provider);
      this.gates.set(provider, gate);
    }
    return gate;
  };

  private make(provider: string): RateGate {
    const local = new LocalRateGate();
    const { db } = this;
    return {
      waitMs: async () => {
        try {
          const row = await db.one<{ until: string; now: string }>(`SELECT until, ${db.dialect.now} AS now FROM provider_lockouts WHERE provider = $1`, [provider]);
          if (row) local.raise(Math.max(0, Date.parse(row.until) - Date.parse(row.now)));
        } catch (error) {
          // Without the table, what this process knows still holds: calls go on, the worst case is today's.
          this.warn(error, provider);
        }
        return local.remaining();
      },
      lockFor: async (ms) => {
        local.raise(ms);
        try {
          // One statement, so concurrent 429s on several instances keep the latest end (GREATEST on PostgreSQL).
          await db.run(
            `INSERT INTO provider_lockouts (provider, until) VALUES ($1, ${db.dialect.nowPlusMs("$2")})
             ON CONFLICT (provider) DO UPDATE SET until = ${db.dialect.name === "postgres" ? "GREATEST" : "max"}(provider_lockouts.until, excluded.until)`,
            [provider, Math.max(0, Math.round(ms))],
          );
        } catch (error) {
          this.warn(error, provider);
        }
      },
    };
  }

  private warn(error: unknown, provider: string): void {
    if (Date.now() - this.warnedAt < WARN_EVERY_MS) return;
    this.warnedAt = Date.now();
    this.logger.warn({ err: error, provider }, "could not share a provider's rate-limit lock-out with the other proxies");
  }
}
