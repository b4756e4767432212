// The 429 lock-out shared through the database (rate-gate.ts; docs/providers.md, "Rate limits across
// instances"): the table on both databases, and two proxies on PostgreSQL (two adapters on two pools) against
// one Stability fake, which locks its key out after a 429 and answers every call in the window with another.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import type { Db } from "../db/sql.ts";
import { connectTestDb, DB_KINDS, openTestDb, type TestDb } from "../test-support/databases.ts";
import { startStabilityFake, stabilityError, type StabilityFake } from "../test-support/fakes/stability-fake.ts";
import { imagesOf, providerFailure } from "../test-support/provider-assertions.ts";
import { useTestDb } from "../test-support/suite-db.ts";
import { LocalRateGate, SqlRateGates, type RateGate } from "./rate-gate.ts";
import { StabilityAdapter } from "./stability.ts";

const quiet = { warn: () => undefined };

describe.each(DB_KINDS)("provider lock-outs in the database (%s)", (kind) => {
  let db: Db;
  useTestDb(kind, (opened) => (db = opened));

  it("a lock-out written by one proxy is seen by another, never shortened, and per provider", async () => {
    const a = new SqlRateGates(db, quiet);
    const b = new SqlRateGates(db, quiet);
    expect(await b.gate("stability").waitMs()).toBe(0);
    await a.gate("stability").lockFor(30_000);
    const seen = await b.gate("stability").waitMs();
    expect(seen).toBeGreaterThan(29_000);
    expect(seen).toBeLessThanOrEqual(30_000);
    // A later, shorter wait (another 429 with a small Retry-After) keeps the longer lock-out.
    await b.gate("stability").lockFor(1_000);
    expect(await new SqlRateGates(db, quiet).gate("stability").waitMs()).toBeGreaterThan(28_000);
    // A longer one extends it, for everyone.
    await b.gate("stability").lockFor(90_000);
    expect(await a.gate("stability").waitMs()).toBeGreaterThan(89_000);
    expect(await a.gate("gemini").waitMs()).toBe(0);
  });

  it("concurrent 429s on many proxies keep the latest end", async () => {
    const gates = Array.from({ length: 8 }, () => new SqlRateGates(db, quiet).gate("wavespeed"));
    await Promise.all(gates.map((g, i) => g.lockFor(10_000 + i * 5_000)));
    expect(await new SqlRateGates(db, quiet).gate("wavespeed").waitMs()).toBeGreaterThan(44_000);
  });

  it("a lock-out that ended lets calls go", async () => {
    const gate = new SqlRateGates(db, quiet).gate("huggingface");
    await gate.lockFor(150);
    expect(await new SqlRateGates(db, quiet).gate("huggingface").waitMs()).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(await new SqlRateGates(db, quiet).gate("huggingface").waitMs()).toBe(0);
  });
});

describe("without the database, a proxy still honours what it learnt itself", () => {
  it("falls back to its own memory and warns (once)", async () => {
    const t = await openTestDb("postgres");
    const other = await connectTestDb(t.url);
    await other.close();
    await t.cleanup();
    const warn = vi.fn();
    const gate = new SqlRateGates(other, { warn }).gate("stability");
    await gate.lockFor(20_000);
    expect(await gate.waitMs()).toBeGreaterThan(19_000);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe("two proxies on one PostgreSQL database and one Stability key", () => {
  const KEY = "sk-test-two-proxies-key-1234567890";
  const signal = new AbortController().signal;
  const model = DEFAULT_CATALOG.models.find((m) => m.provider === "stability" && m.model === "core")!;
  let t: TestDb;
  let second: Db;
  let fake: StabilityFake;
  /** Proxy A and proxy B: each its own pool on the same database, as two instances have. */
  let gateA: RateGate;
  let gateB: RateGate;

  beforeAll(async () => {
    t = await openTestDb("postgres");
    second = await connectTestDb(t.url);
    fake = await startStabilityFake({ apiKey: KEY });
  });
  afterAll(async () => {
    await fake.close();
    await second.close();
    await t.cleanup();
  });
  beforeEach(async () => {
    fake.reset();
    await t.db.run("DELETE FROM provider_lockouts");
    gateA = new SqlRateGates(t.db, quiet).gate("stability");
    gateB = new SqlRateGates(second, quiet).gate("stability");
  });

  const adapter = (gate: RateGate, maxRetryAfterMs: number) =>
    new StabilityAdapter({ apiKey: KEY, baseUrl: fake.url, timeoutMs: 5_000, gate, http: { baseDelayMs: 1, maxRetries: 2, maxRetryAfterMs } });
  const create = (a: StabilityAdapter) => a.create({ model, prompt: "a lighthouse at dusk", width: 1344, height: 768, seed: 42, count: 1 }, signal);
  const failure = (promise: Promise<unknown>) => providerFailure(promise, [KEY, fake.url]);

  it("after A's 429, B makes no call to the provider until the lock-out ends", async () => {
    // A is told "locked out for 2 s": longer than A sits out inside a job, so A's job fails carrying the wait.
    fake.failNext("generate/core", { status: 429, headers: { "retry-after": "2" }, body: stabilityError("rate_limit_exceeded", ["slow down"]) });
    const lockedAt = Date.now();
    const a = await failure(create(adapter(gateA, 500)));
    expect(a).toMatchObject({ code: "rate_limited", options: { retryAfterMs: 2_000 } });
    expect(fake.requests).toHaveLength(1);

    // B never saw a 429. A job on B that cannot sit 2 s out fails at once, without calling Stability.
    const b = await failure(create(adapter(gateB, 500)));
    expect(b.code).toBe("rate_limited");
    expect(b.options.retryAfterMs).toBeGreaterThan(1_000);
    expect(fake.requests).toHaveLength(1);

    // A job on B that may wait sits the lock-out out and then calls once: its only request comes after the end.
    expect(imagesOf(await create(adapter(gateB, 5_000)))).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.at - lockedAt).toBeGreaterThanOrEqual(2_000 - 50);
  });

  it("a lock-out learnt by one proxy before the database was reachable is still its own to honour (LocalRateGate as on SQLite)", async () => {
    fake.failNext("generate/core", { status: 429, headers: { "retry-after": "2" }, body: stabilityError("rate_limit_exceeded", ["slow down"]) });
    const local = new LocalRateGate();
    await failure(create(adapter(local, 500)));
    expect(await failure(create(adapter(local, 500)))).toMatchObject({ code: "rate_limited" });
    expect(fake.requests).toHaveLength(1);
  });
});
