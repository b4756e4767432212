// Job news between processes on PostgreSQL (pg-job-changes.ts): two PgJobChanges on one database stand for
// two proxies. What a client would notice: a change on A wakes a stream on B within milliseconds; a dropped
// news connection wakes every waiter (nothing missed) and comes back by itself; a process keeps one
// listening connection however many streams are open.
import { connect, createServer, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/sql.ts";
import { openTestDb, type TestDb } from "../test-support/databases.ts";
import { JobChanges, LOCAL_POLL_MS } from "./job-changes.ts";
import { LISTENING_POLL_MS, PgJobChanges } from "./pg-job-changes.ts";

const quiet = { warn: () => undefined, info: () => undefined, error: () => undefined };
let t: TestDb;
const open: PgJobChanges[] = [];

beforeAll(async () => {
  t = await openTestDb("postgres");
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await t?.cleanup();
});

async function instance(o: { maxWaiters?: number } = {}): Promise<PgJobChanges> {
  const c = new PgJobChanges({ url: t.url, db: t.db, logger: quiet, ...o });
  open.push(c);
  await c.start();
  return c;
}

async function listeners(db: Db): Promise<number> {
  const row = await db.one<{ n: number }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'image-studio-listen' AND datname = current_database()");
  return row!.n;
}

/**
 * A TCP relay to the test database whose open connections can be silenced: their traffic is swallowed, as on
 * a dead network path (no FIN, no RST; TCP keepalive would notice after about two hours). Connections opened
 * later go through.
 */
async function silenceableRelay(): Promise<{ url: string; silence(): void; close(): void }> {
  const target = new URL(t.url);
  const pairs: [Socket, Socket][] = [];
  const all: Socket[] = [];
  const relay = createServer((down) => {
    const up = connect(Number(target.port || 5432), target.hostname);
    down.pipe(up).pipe(down);
    for (const socket of [down, up]) socket.on("error", () => undefined);
    pairs.push([down, up]);
    all.push(down, up);
  });
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", () => r()));
  const via = new URL(t.url);
  via.hostname = "127.0.0.1";
  via.port = String((relay.address() as { port: number }).port);
  return {
    url: via.href,
    silence() {
      for (const [down, up] of pairs.splice(0)) {
        down.unpipe(up);
        up.unpipe(down);
        for (const socket of [down, up]) {
          socket.removeAllListeners("data");
          socket.on("data", () => undefined);
        }
      }
    },
    close() {
      for (const socket of all) socket.destroy();
      relay.close();
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("PgJobChanges", () => {
  it("wakes a waiter on another instance within milliseconds, not at its re-read", async () => {
    const [a, b] = [await instance(), await instance()];
    expect(b.pollMs).toBe(LISTENING_POLL_MS);
    const took: number[] = [];
    for (let i = 0; i < 30; i++) {
      const waiting = b.next(`job_${i}`, 5000);
      const started = performance.now();
      a.notify(`job_${i}`);
      await waiting;
      took.push(performance.now() - started);
    }
    // Measured here: a few ms on one machine (reported in the README); far under any re-read interval.
    console.log(`cross-instance news: median ${median(took).toFixed(1)} ms, max ${Math.max(...took).toFixed(1)} ms over ${took.length}`);
    expect(median(took)).toBeLessThan(100);
    expect(Math.max(...took)).toBeLessThan(1000);
  });

  it("wakes only the waiters of the jobs that changed, and every one of a batch of changes", async () => {
    const [a, b] = [await instance(), await instance()];
    let otherWoke = false;
    void b.next("job_other", 2000).then(() => (otherWoke = true));
    // 400 changes in one turn: several NOTIFYs, each under the 8000-byte payload limit.
    const ids = Array.from({ length: 400 }, (_, i) => `job_${"x".repeat(30)}_${i}`);
    const woken = Promise.all(ids.map((id) => b.next(id, 3000).then(() => performance.now())));
    const started = performance.now();
    for (const id of ids) a.notify(id);
    const at = await woken;
    expect(Math.max(...at) - started).toBeLessThan(1500);
    expect(otherWoke).toBe(false);
  });

  it("keeps one listening connection per process, however many streams wait", async () => {
    const a = await instance();
    expect(await listeners(t.db)).toBe(1);
    const waits = Array.from({ length: 200 }, (_, i) => a.next(`job_${i}`, 300));
    expect(a.waiters).toBe(200);
    expect(await listeners(t.db)).toBe(1);
    await Promise.all(waits);
    expect(a.waiters).toBe(0);
  });

  it("bounds its waiters: past the bound a waiter is woken by its timer alone, and the route can refuse", async () => {
    const a = await instance({ maxWaiters: 3 });
    const waits = Array.from({ length: 5 }, (_, i) => a.next(`job_${i}`, 200));
    expect(a.waiters).toBe(3);
    expect(a.full).toBe(true);
    await Promise.all(waits);
    expect(a.full).toBe(false);
  });

  it("when its connection drops: wakes every waiter at once, re-reads often meanwhile, and reconnects", async () => {
    const [a, b] = [await instance(), await instance()];
    const pid = await b.backendPid();
    expect(pid).not.toBeNull();
    const waiting = b.next("job_1", 10_000).then(() => performance.now());
    const started = performance.now();
    await t.db.one("SELECT pg_terminate_backend($1)", [pid]);
    // Woken by the drop itself, long before its 10 s: it re-reads the job (a change may have been missed).
    expect((await waiting) - started).toBeLessThan(2000);
    expect(b.connected).toBe(false);
    expect(b.pollMs).toBe(LOCAL_POLL_MS);
    // Back by itself (the first retry is after 100 ms), and news flows again.
    const until = Date.now() + 5000;
    while (!b.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(b.connected).toBe(true);
    expect(await b.backendPid()).not.toBe(pid);
    const again = b.next("job_2", 5000).then(() => performance.now());
    const sent = performance.now();
    a.notify("job_2");
    expect((await again) - sent).toBeLessThan(500);
  });

  it("notices a connection gone silent (no FIN, no RST: a NAT or a failover) and reconnects, instead of trusting it for hours", async () => {
    const relay = await silenceableRelay();
    const b = new PgJobChanges({ url: relay.url, db: t.db, logger: quiet, probe: { everyMs: 200, timeoutMs: 300 } });
    open.push(b);
    await b.start();
    const a = await instance();
    expect(b.connected).toBe(true);
    const waiting = b.next("job_1", 20_000).then(() => performance.now());
    const started = performance.now();
    relay.silence();
    // Woken once the silence is noticed (a probe unanswered), long before its 20 s re-read.
    expect((await waiting) - started).toBeLessThan(3000);
    const until = Date.now() + 5000;
    while (!b.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(b.connected).toBe(true);
    const again = b.next("job_2", 5000).then(() => performance.now());
    const sent = performance.now();
    a.notify("job_2");
    expect((await again) - sent).toBeLessThan(500);
    await b.close();
    relay.close();
  }, 30_000);

  it("closes within a second when its connection has gone silent (a shutdown must not hang on it)", async () => {
    const relay = await silenceableRelay();
    const b = new PgJobChanges({ url: relay.url, db: t.db, logger: quiet });
    await b.start();
    relay.silence();
    const started = performance.now();
    await b.close();
    expect(performance.now() - started).toBeLessThan(2000);
    relay.close();
  }, 30_000);

  it("does not wake itself twice with its own news", async () => {
    const a = await instance();
    let wakes = 0;
    const loop = (async () => {
      for (let i = 0; i < 2; i++) {
        await a.next("job_1", 400);
        wakes++;
      }
    })();
    a.notify("job_1");
    await a.settled();
    await new Promise((r) => setTimeout(r, 100)); // the echo would have arrived by now
    expect(wakes).toBe(1);
    await loop;
  });
});

describe("PgJobChanges: hand-over", () => {
  it("tells the other instances, not itself, that a draining instance released its jobs' leases", async () => {
    const [a, b] = [await instance(), await instance()];
    let aHeard = 0;
    let bHeard = 0;
    a.onHandover(() => aHeard++);
    b.onHandover(() => bHeard++);
    await b.announceHandover();
    const until = Date.now() + 2000;
    while (aHeard === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    expect([aHeard, bHeard]).toEqual([1, 0]);
  });
});

describe("JobChanges (one process, SQLite)", () => {
  it("wakes a waiter of any of several jobs and frees every listener", async () => {
    const c = new JobChanges();
    const woke = c.nextAny(["a", "b", "c"], 5000);
    expect(c.waiters).toBe(1);
    c.notify("b");
    await woke;
    expect(c.waiters).toBe(0);
    expect(c.pollMs).toBe(LOCAL_POLL_MS);
  });

  it("past the bound, a waiter that cannot hear news re-reads every LOCAL_POLL_MS, not at the 30 s safety net", async () => {
    // Streams give their place back between rounds, so at the bound one can find it taken; it must still see
    // its job move (a stream on PostgreSQL asks for LISTENING_POLL_MS, meant for waiters that hear news).
    const c = new JobChanges(1);
    const holder = c.next("other", 5000);
    const started = performance.now();
    const over = c.next("mine", LISTENING_POLL_MS, AbortSignal.timeout(10_000));
    c.notify("mine"); // not heard: no listener past the bound
    await over;
    expect(performance.now() - started).toBeLessThan(LOCAL_POLL_MS + 500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(LOCAL_POLL_MS - 5);
    c.notify("other");
    await holder;
  });
});
