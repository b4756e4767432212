// The batch store's transactions on SQLite and PostgreSQL alike, attacked with concurrency (docs/ledger.md):
// a batch is priced once and holds all of its items or none, against the balance, the member's cap and
// single jobs racing it; a retry holds once; a cancel releases exactly the items not started, and never
// both runs and cancels an item when it races the runner. On PostgreSQL the races also run across separate
// connections (pools), as several proxies would; test/ledger/batches.test.ts races real proxy processes.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { batchSchema, type BatchInput, type JobSpecInput } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { estimate } from "../../core/estimate.ts";
import { SqlAssetRepo } from "../assets/asset-repo.ts";
import { InsufficientCreditsError, MemberCapReachedError } from "../ledger/types.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { newJobRequest } from "../test-support/job-requests.ts";
import { balanceFromEntries, openTestStores, type TestStores } from "../test-support/test-stores.ts";
import { batchRequestHash } from "./accept-batch.ts";
import { SqlBatchStore, type BatchStore, type NewBatch } from "./batch-store.ts";
import { BatchIdempotencyMismatchError, JobRefusedError } from "./errors.ts";
import { SqlJobStore } from "./job-store.ts";
import { requestHash } from "./request-hash.ts";
import type { JobStore, NewAsset, NewJob } from "./types.ts";

/** A result of `n`: its own bytes (sha256), 2 credits. */
const asset = (n: number): NewAsset => ({
  sha256: (n + 1).toString(16).padStart(2, "0").repeat(32),
  contentType: "image/png",
  width: 64 + n,
  height: 64,
  bytes: 100 + n,
  cost: 1,
  provider: "local",
  model: "procedural",
  prompt: "p",
});

const CANCELLED = { code: "cancelled", message: "The batch was cancelled before this item started. Nothing was charged." } as const;

interface Who {
  teamId: string;
  memberId: string;
}

/** `n` draft creates on the local provider: 2 credits each. */
function newBatch(who: Who, n: number, o: { key?: string | null; prompt?: string; holdTtlMs?: (index: number) => number } = {}): NewBatch {
  const batch = batchSchema.parse({ items: Array.from({ length: n }, (_, i) => ({ operation: "create", prompt: `${o.prompt ?? "p"} ${i}`, quality: "draft" })) } satisfies BatchInput);
  return {
    teamId: who.teamId,
    memberId: who.memberId,
    idempotencyKey: o.key ?? null,
    requestHash: batchRequestHash(batch.items.map((spec) => ({ spec, images: {} }))),
    items: batch.items.map((spec) => ({ spec, requestHash: requestHash(spec), inputs: {}, freeModelKeys: [], reuseKey: null })),
    price: (state) => estimate(batch, DEFAULT_CATALOG, { ...state, configuredProviders: ["local"] }),
    holdTtlMs: o.holdTtlMs ?? (() => 60_000),
    leaseMs: 60_000,
  };
}

const newJob = (who: Who, input: Partial<JobSpecInput> = {}): NewJob => newJobRequest(who, { prompt: "single", ...input });

describe.each(DB_KINDS)("batch store on %s", (kind) => {
  let t: TestStores;
  beforeEach(async () => {
    t = await openTestStores(kind);
  });
  afterEach(() => t.cleanup());

  /** This store's batches and jobs, plus (PostgreSQL) `n` more on connections of their own. */
  async function stores(n: number): Promise<{ batches: BatchStore; jobs: JobStore }[]> {
    const own = { batches: t.batches, jobs: t.jobs };
    if (kind !== "postgres") return [own];
    const dbs = await t.connect(n);
    return [
      own,
      ...dbs.map((db) => {
        const assets = new SqlAssetRepo(db);
        // More connections of this same instance (a proxy's pool): it holds the leases of the items it accepted.
        const jobs = new SqlJobStore(db, DEFAULT_CATALOG, assets, t.jobs.instanceId);
        return { jobs, batches: new SqlBatchStore(db, DEFAULT_CATALOG, jobs, assets) };
      }),
    ];
  }

  async function team(monthlyCredits: number | null): Promise<Who> {
    const { team, manager } = await t.teams.createTeam({ name: "T", tier: "pro", monthlyCredits, managerName: "M" });
    return { teamId: team.id, memberId: manager.id };
  }

  async function expectConsistent(teamId: string) {
    const b = await t.ledger.balance(teamId);
    expect(balanceFromEntries(await t.ledger.entries(teamId))).toEqual({ granted: b.granted, spent: b.spent, held: b.held });
    expect(await t.ledger.verify()).toEqual([]);
  }

  it("inserts the batch and its items, each holding its share of the one estimate, in one transaction", async () => {
    const who = await team(100);
    const { batch, items, created } = await t.batches.createWithHolds(newBatch(who, 3));
    expect(created).toBe(true);
    expect(batch).toMatchObject({ teamId: who.teamId, memberId: who.memberId, operation: "create", cancelled: false });
    expect(batch.estimate.total).toBe(6);
    expect(items.map((j) => [j.batch, j.status, j.held, j.estimate.total])).toEqual([0, 1, 2].map((index) => [{ id: batch.id, index }, "queued", 2, 2]));
    for (const job of items) expect(await t.ledger.getHold(job.holdId!)).toMatchObject({ jobId: job.id, amount: 2, state: "pending", memberId: who.memberId });
    expect(await t.ledger.balance(who.teamId)).toMatchObject({ held: 6, available: 94 });
    expect(await t.batches.get(who.teamId, batch.id)).toMatchObject({ batch: { id: batch.id }, items: items.map((j) => expect.objectContaining({ id: j.id })) });
    const stranger = await team(10);
    expect(await t.batches.get(stranger.teamId, batch.id)).toBeNull();
    await expectConsistent(who.teamId);
  });

  it("reads a batch in three queries however many items succeeded, each item with its own assets in order", async () => {
    // An events stream reads the batch at each change of any item (batch-events.ts): not one query per result.
    const who = await team(100);
    const { batch, items } = await t.batches.createWithHolds(newBatch(who, 6));
    const made = (i: number): NewAsset[] => [asset(2 * i + 1), asset(2 * i)];
    for (const [i, job] of items.entries()) {
      if (i === 2) continue; // one item still queued: it has no assets yet
      await t.jobs.markRunning(job.id);
      await t.jobs.succeed(job.id, { charge: 2, assets: made(i) });
    }
    let queries = 0;
    const counted = new Proxy(t.db, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (key === "one" || key === "all") queries++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const assets = new SqlAssetRepo(counted);
    const store = new SqlBatchStore(counted, DEFAULT_CATALOG, new SqlJobStore(counted, DEFAULT_CATALOG, assets), assets);
    const read = await store.get(who.teamId, batch.id);
    expect(queries).toBeLessThanOrEqual(3);
    expect(read!.items.map((j) => [j.status, j.assets.map((a) => a.sha256)])).toEqual(
      items.map((_, i) => (i === 2 ? ["queued", []] : ["succeeded", made(i).map((a) => a.sha256)])),
    );
    expect(read!.items.flatMap((j) => j.assets.map((a) => a.jobId))).toEqual(items.flatMap((j, i) => (i === 2 ? [] : [j.id, j.id])));
  });

  it("holds nothing of a batch the balance does not cover, and leaves no row", async () => {
    const who = await team(5);
    await expect(t.batches.createWithHolds(newBatch(who, 3))).rejects.toBeInstanceOf(JobRefusedError);
    // The figures the price was given were wrong (an estimate blind to the balance): the holds refuse it.
    const blind = { ...newBatch(who, 3), price: (s: Parameters<NewBatch["price"]>[0]) => newBatch(who, 3).price({ ...s, available: null }) };
    await expect(t.batches.createWithHolds(blind)).rejects.toBeInstanceOf(InsufficientCreditsError);
    expect((await t.db.all("SELECT id FROM batches WHERE team_id = $1", [who.teamId])).length).toBe(0);
    expect((await t.db.all("SELECT id FROM jobs WHERE team_id = $1", [who.teamId])).length).toBe(0);
    expect(await t.ledger.balance(who.teamId)).toMatchObject({ held: 0, available: 5 });
    expect((await t.ledger.entries(who.teamId)).map((e) => e.kind)).toEqual(["grant"]);
  });

  it("never overspends when 40 batches and 40 single jobs race for one balance; each batch holds all or none", async () => {
    const who = await team(50);
    const pool = await stores(3);
    const attempts = [
      ...Array.from({ length: 40 }, (_, i) => (s: (typeof pool)[number]) => s.batches.createWithHolds(newBatch(who, 3, { prompt: `b${i}` })).then(() => "batch" as const)),
      ...Array.from({ length: 40 }, (_, i) => (s: (typeof pool)[number]) => s.jobs.createWithHold(newJob(who, { prompt: `j${i}` })).then(() => "job" as const)),
    ].sort(() => Math.random() - 0.5);
    const results = await Promise.allSettled(attempts.map((a, i) => a(pool[i % pool.length]!)));
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(JobRefusedError);
    const won = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const batches = won.filter((w) => w === "batch").length;
    const singles = won.filter((w) => w === "job").length;
    const balance = await t.ledger.balance(who.teamId);
    expect(balance.held).toBe(6 * batches + 2 * singles);
    expect(balance.held).toBeLessThanOrEqual(50);
    expect(balance.available).toBeGreaterThanOrEqual(0);
    expect(balance.available).toBeLessThan(2); // 40 single jobs of 2 credits were refused only when under 2 remained
    const perBatch = await t.db.all<{ n: number }>("SELECT count(*) AS n FROM jobs WHERE team_id = $1 AND batch_id IS NOT NULL GROUP BY batch_id", [who.teamId]);
    expect(perBatch.map((r) => Number(r.n))).toEqual(Array(batches).fill(3));
    await expectConsistent(who.teamId);
  });

  it("never passes a member's cap when the member's batches race each other", async () => {
    const who = await team(1000);
    const { member } = await t.teams.addMember({ teamId: who.teamId, name: "Capped", role: "member", monthlyCap: 16 });
    const capped = { teamId: who.teamId, memberId: member.id };
    const pool = await stores(3);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => pool[i % pool.length]!.batches.createWithHolds(newBatch(capped, 3, { prompt: `c${i}` }))));
    for (const r of results) if (r.status === "rejected") expect([JobRefusedError, MemberCapReachedError].some((E) => r.reason instanceof E)).toBe(true);
    // 16 credits cover two batches of 6; the third would pass the cap.
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    expect((await t.db.one<{ n: number }>("SELECT sum(amount) AS n FROM holds WHERE member_id = $1", [member.id]))!.n).toBe(12);
    await expectConsistent(who.teamId);
  });

  it("makes one batch of 30 concurrent requests with the same key, and refuses the key for another batch", async () => {
    const who = await team(100);
    const pool = await stores(2);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => pool[i % pool.length]!.batches.createWithHolds(newBatch(who, 2, { key: "k1" }))));
    expect(new Set(results.map((r) => r.batch.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await t.db.all("SELECT id FROM holds WHERE team_id = $1", [who.teamId])).length).toBe(2);
    await expect(t.batches.createWithHolds(newBatch(who, 2, { key: "k1", prompt: "other" }))).rejects.toBeInstanceOf(BatchIdempotencyMismatchError);
    await expectConsistent(who.teamId);
  });

  it("cancels exactly the items not started: their shares released at once, the running one left to finish", async () => {
    const who = await team(100);
    const { batch, items } = await t.batches.createWithHolds(newBatch(who, 4));
    expect(await t.jobs.markRunning(items[0]!.id)).not.toBeNull();
    const done = await t.batches.cancel(who.teamId, batch.id, CANCELLED);
    expect(done!.batch.cancelled).toBe(true);
    expect(done!.cancelled.map((j) => j.id)).toEqual(items.slice(1).map((j) => j.id));
    expect(done!.items.map((j) => [j.status, j.held, j.error?.code ?? null])).toEqual([
      ["running", 2, null],
      ["failed", 0, "cancelled"],
      ["failed", 0, "cancelled"],
      ["failed", 0, "cancelled"],
    ]);
    expect(await t.ledger.balance(who.teamId)).toMatchObject({ held: 2, available: 98 });
    for (const job of items.slice(1)) expect(await t.ledger.getHold(job.holdId!)).toMatchObject({ state: "released" });
    // A runner that looks at a cancelled item later finds it no longer queued.
    expect(await t.jobs.markRunning(items[1]!.id)).toBeNull();
    // Idempotent: cancelling again releases nothing more.
    const again = await t.batches.cancel(who.teamId, batch.id, CANCELLED);
    expect(again!.cancelled).toEqual([]);
    expect(await t.batches.cancel((await team(1)).teamId, batch.id, CANCELLED)).toBeNull();
    await t.jobs.succeed(items[0]!.id, { charge: 2, assets: [] });
    expect(await t.ledger.balance(who.teamId)).toMatchObject({ held: 0, spent: 2, available: 98 });
    await expectConsistent(who.teamId);
  });

  it("never both runs and cancels an item when a cancel races the runners", async () => {
    const who = await team(1000);
    const pool = await stores(2);
    const { batch, items } = await t.batches.createWithHolds(newBatch(who, 20));
    const [cancelled, ...started] = await Promise.all([
      pool[1 % pool.length]!.batches.cancel(who.teamId, batch.id, CANCELLED),
      ...items.map((j, i) => pool[i % pool.length]!.jobs.markRunning(j.id)),
    ]);
    const cancelledIds = new Set((cancelled as Awaited<ReturnType<BatchStore["cancel"]>>)!.cancelled.map((j) => j.id));
    for (const [i, job] of items.entries()) {
      const ran = started[i] !== null;
      expect(ran, job.id).toBe(!cancelledIds.has(job.id)); // exactly one of the two won
      const now = (await t.jobs.getById(job.id))!;
      expect(now.status).toBe(ran ? "running" : "failed");
      expect((await t.ledger.getHold(job.holdId!))!.state).toBe(ran ? "pending" : "released");
    }
    expect((await t.ledger.balance(who.teamId)).held).toBe(2 * (items.length - cancelledIds.size));
    await expectConsistent(who.teamId);
  });
});
