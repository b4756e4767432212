// Provider slots across proxies (cluster-slots.ts; docs/providers.md, "Rate limits across instances"): never
// more calls in flight than the limit, whatever the number of proxies; a dead proxy's slots come back when
// their leases lapse; a held slot is renewed; a freed slot wakes a waiter on another proxy through NOTIFY.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "../db/sql.ts";
import { PgJobChanges } from "../jobs/pg-job-changes.ts";
import { connectTestDb, DB_KINDS, openTestDb, type TestDb } from "../test-support/databases.ts";
import { ClusterSlots } from "./cluster-slots.ts";
import { ProviderQueue } from "./provider-queue.ts";

const quiet = { warn: () => undefined, info: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const never = new AbortController().signal;

describe.each(DB_KINDS)("cluster slots (%s)", (kind) => {
  let t: TestDb;
  const pools: Db[] = [];
  /** A proxy's connection pool on the shared database (the same Db on SQLite: one process). */
  beforeAll(async () => {
    t = await openTestDb(kind);
  });
  const pool = async (): Promise<Db> => {
    if (kind === "sqlite") return t.db;
    const db = await connectTestDb(t.url);
    pools.push(db);
    return db;
  };
  afterAll(async () => {
    for (const db of pools) await db.close();
    await t.cleanup();
  });

  it("three proxies, each with its own priority line of 2, make at most 2 calls at once between them", async () => {
    let inFlight = 0;
    let peak = 0;
    const proxies = await Promise.all(
      [0, 1, 2].map(async () => ({
        queue: new ProviderQueue({ defaultLimit: 2 }),
        slots: new ClusterSlots({ db: await pool(), logger: quiet, limitFor: () => 2, retryMs: 20 }),
      })),
    );
    // As the job runner does: this proxy's line first, then a slot of the cluster, then the call.
    const call = async (i: number) => {
      const proxy = proxies[i % 3]!;
      const local = await proxy.queue.acquire("stability", { id: `job-${i}`, priority: 0 }, never);
      const slot = await proxy.slots.acquire("stability", `job-${i}`, never);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(15);
      inFlight--;
      await slot?.release();
      local.release();
    };
    await Promise.all(Array.from({ length: 18 }, (_, i) => call(i)));
    expect(peak).toBe(2);
  });

  it("a slot held by a proxy that died comes back when its lease lapses, not before", async () => {
    const db = await pool();
    const dead = new ClusterSlots({ db, logger: quiet, limitFor: () => 1, leaseMs: 400 });
    await dead.acquire("wavespeed", "job-dead", never);
    // The proxy dies: no release, no renewal (its timers die with it).
    await db.run("UPDATE provider_slots SET holder = 'dead' WHERE provider = 'wavespeed'");
    const alive = new ClusterSlots({ db: await pool(), logger: quiet, limitFor: () => 1, retryMs: 25 });
    const started = Date.now();
    const slot = await alive.acquire("wavespeed", "job-alive", never);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(slot?.slot).toBe(0);
    await slot?.release();
  });

  it("a call longer than the lease keeps its slot (renewed), and an abort leaves the line without a slot", async () => {
    const holder = new ClusterSlots({ db: await pool(), logger: quiet, limitFor: () => 1, leaseMs: 300 });
    const other = new ClusterSlots({ db: await pool(), logger: quiet, limitFor: () => 1, retryMs: 20 });
    const held = await holder.acquire("gemini", "job-long", never);
    const stop = new AbortController();
    const waiting = other.acquire("gemini", "job-waiting", stop.signal);
    const outcome = vi.fn();
    waiting.then(outcome, outcome);
    await sleep(1_000); // over three leases
    expect(outcome).not.toHaveBeenCalled();
    stop.abort(new Error("stopped"));
    await expect(waiting).rejects.toThrow("stopped");
    await held?.release();
    const next = await other.acquire("gemini", "job-next", never);
    expect(next?.slot).toBe(0);
    await next?.release();
  });

  it("a provider not limited across proxies (local) takes no slot", async () => {
    const slots = new ClusterSlots({ db: await pool(), logger: quiet, limitFor: (p) => (p === "local" ? null : 1) });
    expect(await slots.acquire("local", "job-local", never)).toBeNull();
  });
});

describe("a freed slot wakes a waiting proxy at once (PostgreSQL, NOTIFY on the job news connection)", () => {
  it("without waiting for the next look", async () => {
    const t = await openTestDb("postgres");
    const other = await connectTestDb(t.url);
    const newsA = new PgJobChanges({ url: t.url, db: t.db, logger: quiet });
    const newsB = new PgJobChanges({ url: t.url, db: other, logger: quiet });
    try {
      await newsA.start();
      await newsB.start();
      const a = new ClusterSlots({ db: t.db, logger: quiet, limitFor: () => 1, retryMs: 60_000 });
      const b = new ClusterSlots({ db: other, logger: quiet, limitFor: () => 1, retryMs: 60_000 });
      newsB.onSlotFreed((provider) => b.wake(provider));
      const held = await a.acquire("stability", "job-a", never);
      const waiting = b.acquire("stability", "job-b", never);
      await sleep(200);
      const freedAt = Date.now();
      await held?.release();
      const slot = await waiting;
      const wokeMs = Date.now() - freedAt;
      console.log(`a slot freed on A reached B's waiter in ${wokeMs} ms (its next look was 60 s away)`);
      expect(wokeMs).toBeLessThan(2_000);
      await slot?.release();
    } finally {
      await newsA.close();
      await newsB.close();
      await other.close();
      await t.cleanup();
    }
  });
});
