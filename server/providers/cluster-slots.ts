// Provider slots across every proxy on one PostgreSQL database (docs/providers.md, "Rate limits across
// instances"): providers limit concurrent calls per key and every instance has the same key, so at most
// PROVIDER_CONCURRENCY calls per provider are in flight in the whole cluster, not per instance. Each slot is
// a row of provider_slots held as a lease: taken with one conditional UPDATE ... RETURNING (a free slot, or
// one whose lease lapsed: a killed instance's slots come back after SLOT_LEASE_MS), renewed while the call
// lasts, and freed with a NOTIFY on SLOT_CHANNEL that the process's one listening connection
// (jobs/pg-job-changes.ts) turns into wake(); waiters also look again every SLOT_RETRY_MS, since a lapsed
// lease sends no news. The in-process priority line (provider-queue.ts) stays in front: a job asks for a
// cluster slot only once it leads its own proxy's line, so tiers keep their order within an instance;
// between instances it is first come, first served.
import { randomBytes } from "node:crypto";
import type { Sql } from "../db/sql.ts";
import type { Logger } from "../logger.ts";

export const SLOT_CHANNEL = "image_studio_slots";
/** A held slot's lease; an instance that dies gives its slots back after this long. */
export const SLOT_LEASE_MS = 60_000;
/** How long a waiter waits for news before looking again (lapsed leases, lost NOTIFYs). */
export const SLOT_RETRY_MS = 2_000;

/** A cluster slot; release it when the provider call is over, whatever its outcome. Release never throws. */
export interface ClusterSlot {
  readonly provider: string;
  readonly slot: number;
  release(): Promise<void>;
}

export interface ClusterSlotsOptions {
  db: Pick<Sql, "one" | "run" | "dialect">;
  /** Slots of a provider in the cluster; null: not limited across instances (the local provider runs on this machine). */
  limitFor(provider: string): number | null;
  logger: Pick<Logger, "warn">;
  leaseMs?: number;
  retryMs?: number;
}

export class ClusterSlots {
  private readonly seeded = new Map<string, Promise<void>>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly leaseMs: number;
  private readonly retryMs: number;

  constructor(private readonly o: ClusterSlotsOptions) {
    this.leaseMs = o.leaseMs ?? SLOT_LEASE_MS;
    this.retryMs = o.retryMs ?? SLOT_RETRY_MS;
  }

  /** A slot of `provider` was freed (here or, through NOTIFY, on another instance): waiters try again now. */
  wake(provider: string): void {
    for (const wake of this.waiters.get(provider) ?? []) wake();
  }

  /**
   * Waits for a cluster slot of `provider`; null at once for a provider not limited across instances. An abort
   * while waiting rejects with the signal's reason.
   */
  async acquire(provider: string, jobId: string, signal: AbortSignal): Promise<ClusterSlot | null> {
    const limit = this.o.limitFor(provider);
    if (limit === null) return null;
    await this.seed(provider, limit);
    const holder = `${jobId}.${randomBytes(6).toString("hex")}`;
    for (;;) {
      if (signal.aborted) throw signal.reason;
      // Listen before trying, so a release between the try and the wait is not missed.
      const news = this.news(provider, signal);
      let taken: { slot: number } | undefined;
      try {
        taken = await this.take(provider, limit, holder);
      } catch (error) {
        news.cancel();
        throw error;
      }
      if (taken) {
        news.cancel();
        return this.held(provider, taken.slot, holder);
      }
      await news.promise;
    }
  }

  /** The rows of slots 0..limit-1, once per provider and process (a lower limit later leaves the rest unused). */
  private seed(provider: string, limit: number): Promise<void> {
    let seeded = this.seeded.get(provider);
    if (!seeded) {
      const values = Array.from({ length: limit }, (_, i) => `($1, ${i})`).join(", ");
      seeded = this.o.db.run(`INSERT INTO provider_slots (provider, slot) VALUES ${values} ON CONFLICT (provider, slot) DO NOTHING`, [provider]).then(() => undefined);
      seeded.catch(() => this.seeded.delete(provider));
      this.seeded.set(provider, seeded);
    }
    return seeded;
  }

  /** One statement: the lowest free (or lapsed) slot under the limit becomes this holder's, or nothing does. */
  private take(provider: string, limit: number, holder: string): Promise<{ slot: number } | undefined> {
    const { dialect } = this.o.db;
    const free = `(holder IS NULL OR expires_at < ${dialect.now})`;
    // SKIP LOCKED: concurrent takers on other instances each get a different row instead of queueing on one.
    const lock = dialect.name === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
    return this.o.db.one<{ slot: number }>(
      `UPDATE provider_slots SET holder = $3, expires_at = ${dialect.nowPlusMs("$4")}
       WHERE provider = $1 AND ${free} AND slot = (
         SELECT slot FROM provider_slots WHERE provider = $1 AND slot < $2 AND ${free} ORDER BY slot LIMIT 1${lock})
       RETURNING slot`,
      [provider, limit, holder, this.leaseMs],
    );
  }

  private held(provider: string, slot: number, holder: string): ClusterSlot {
    const { db, logger } = this.o;
    // Renewed well before it lapses, so a long call (an async task polled for minutes) keeps its slot.
    const renew = setInterval(() => {
      db.run(`UPDATE provider_slots SET expires_at = ${db.dialect.nowPlusMs("$4")} WHERE provider = $1 AND slot = $2 AND holder = $3`, [
        provider,
        slot,
        holder,
        this.leaseMs,
      ]).catch((error: unknown) => logger.warn({ err: error, provider }, "could not renew a provider slot's lease"));
    }, Math.max(10, Math.floor(this.leaseMs / 3)));
    renew.unref();
    let released: Promise<void> | null = null;
    return {
      provider,
      slot,
      release: () =>
        (released ??= (async () => {
          clearInterval(renew);
          try {
            await db.run("UPDATE provider_slots SET holder = NULL, expires_at = NULL WHERE provider = $1 AND slot = $2 AND holder = $3", [provider, slot, holder]);
            if (db.dialect.name === "postgres") await db.run("SELECT pg_notify($1, $2)", [SLOT_CHANNEL, provider]);
          } catch (error) {
            // The lease lapses by itself: the slot comes back after SLOT_LEASE_MS at the latest.
            logger.warn({ err: error, provider }, "could not free a provider slot; it comes back when its lease lapses");
          }
          this.wake(provider);
        })()),
    };
  }

  /** Resolves on a wake of `provider` or after retryMs; rejects on abort. */
  private news(provider: string, signal: AbortSignal): { promise: Promise<void>; cancel(): void } {
    let cancel = (): void => undefined;
    const promise = new Promise<void>((resolve, reject) => {
      const set = this.waiters.get(provider) ?? new Set<() => void>();
      this.waiters.set(provider, set);
      const cleanup = () => {
        clearTimeout(timer);
        set.delete(wake);
        signal.removeEventListener("abort", onAbort);
      };
      const wake = () => (cleanup(), resolve());
      const onAbort = () => (cleanup(), reject(signal.reason));
      const timer = setTimeout(wake, this.retryMs);
      set.add(wake);
      signal.addEventListener("abort", onAbort, { once: true });
      if (signal.aborted) onAbort();
      cancel = wake;
    });
    return { promise, cancel: () => cancel() };
  }
}
