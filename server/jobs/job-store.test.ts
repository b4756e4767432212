// The job store's money-moving transactions (job + hold + free allowance, capture + assets, release,
// expiry, lease takeover), on SQLite and PostgreSQL alike, each attacked with concurrency. On PostgreSQL the
// races also run across separate connections (pools), as several proxy instances would; on SQLite a second
// connection in this process would deadlock the only thread, so the cross-process races live in test/ledger.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jobSpecSchema, type JobSpec, type JobSpecInput } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import type { TierId } from "../../core/catalog/schema.ts";
import { estimate, type EstimateContext } from "../../core/estimate.ts";
import { SqlAssetRepo } from "../assets/asset-repo.ts";
import { InsufficientCreditsError, MemberCapReachedError } from "../ledger/types.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { balanceFromEntries, openTestStores, type TestStores } from "../test-support/test-stores.ts";
import { SqlJobStore } from "./job-store.ts";
import { requestHash } from "./request-hash.ts";
import { IdempotencyMismatchError, JobRefusedError, RateLimitedError } from "./errors.ts";
import type { JobRecord, JobStore, NewAsset, NewJob, PricingState } from "./types.ts";

/** Providers the price callback treats as configured: local always; huggingface for the jobs that name it
 * (its flux-schnell has a free allowance), so that draft jobs on `auto` route to local as on a keyless proxy. */
const configured = (spec: JobSpec) => ("provider" in spec && spec.provider === "huggingface" ? ["local", "huggingface"] : ["local"]);
const HF = { provider: "huggingface", model: "flux-schnell" } as const;
const HF_KEY = "huggingface/flux-schnell";
const FAILED = { code: "provider_error", message: "boom. Nothing was charged." } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Who {
  teamId: string;
  memberId: string;
}

interface JobOptions {
  key?: string | null;
  holdTtlMs?: number;
  leaseMs?: number;
  /** Changes what the price callback hands to estimate() (to make it blind to a figure the database checks). */
  context?: (state: PricingState) => EstimateContext;
  /** Receives every state the store handed to the price callback. */
  seen?: PricingState[];
}

function newJob(who: Who, input: Partial<JobSpecInput> = {}, o: JobOptions = {}): NewJob {
  const spec = jobSpecSchema.parse({ operation: "create", prompt: "p", quality: "draft", ...input });
  return {
    teamId: who.teamId,
    memberId: who.memberId,
    idempotencyKey: o.key ?? null,
    requestHash: requestHash(spec),
    spec,
    price: (state) => {
      o.seen?.push(state);
      return estimate(spec, DEFAULT_CATALOG, { ...(o.context ? o.context(state) : state), configuredProviders: configured(spec) });
    },
    holdTtlMs: o.holdTtlMs ?? 60_000,
    leaseMs: o.leaseMs ?? 60_000,
  };
}

const asset = (n: number, cost: number): NewAsset => ({
  sha256: n.toString(16).padStart(2, "0").repeat(32),
  contentType: "image/png",
  width: 64 + n,
  height: 64,
  bytes: 100 + n,
  cost,
  provider: "local",
  model: "procedural",
  prompt: "p",
});

describe.each(DB_KINDS)("job store on %s", (kind) => {
  let t: TestStores;
  beforeEach(async () => {
    t = await openTestStores(kind);
  });
  afterEach(() => t.cleanup());

  /** This store, plus (PostgreSQL) `n` job stores on connections of their own, as other proxy instances. */
  async function jobStores(n: number): Promise<JobStore[]> {
    if (kind !== "postgres") return [t.jobs];
    const dbs = await t.connect(n);
    return [t.jobs, ...dbs.map((db) => new SqlJobStore(db, DEFAULT_CATALOG, new SqlAssetRepo(db)))];
  }

  async function team(monthlyCredits: number | null, tier: TierId = "pro"): Promise<Who> {
    const { team, manager } = await t.teams.createTeam({ name: "T", tier, monthlyCredits, managerName: "M" });
    return { teamId: team.id, memberId: manager.id };
  }

  async function count(table: "jobs" | "holds" | "entries" | "assets" | "free_use", teamId: string): Promise<number> {
    return (await t.db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE team_id = $1`, [teamId]))!.n;
  }

  async function expectConsistent(teamId: string) {
    const b = await t.ledger.balance(teamId);
    expect(balanceFromEntries(await t.ledger.entries(teamId))).toEqual({ granted: b.granted, spent: b.spent, held: b.held });
    expect(await t.ledger.verify()).toEqual([]);
  }

  describe("createWithHold", () => {
    it("creates the job and holds its estimate total together", async () => {
      const who = await team(20);
      const { job, created } = await t.jobs.createWithHold(newJob(who, { variations: 3 }));
      expect(created).toBe(true);
      expect(job).toMatchObject({ status: "queued", held: 6, charged: 0, progress: { stage: "queued", completed: 0, total: 3 } });
      expect(job.estimate.total).toBe(6);
      expect(job.route).toEqual({ provider: "local", model: "procedural" });
      expect(await t.ledger.getHold(job.holdId!)).toMatchObject({ jobId: job.id, amount: 6, state: "pending", memberId: who.memberId });
      expect((await t.ledger.balance(who.teamId)).available).toBe(14);
      expect((await t.ledger.entries(who.teamId, { jobId: job.id })).map((e) => [e.kind, e.amount])).toEqual([["hold", 6]]);
      await expectConsistent(who.teamId);
    });

    it("prices from the tier, balance, member cap and free allowance read inside the transaction", async () => {
      const who = await team(30);
      const { member } = await t.teams.addMember({ teamId: who.teamId, name: "Capped", role: "member", monthlyCap: 9 });
      const capped = { teamId: who.teamId, memberId: member.id };
      const seen: PricingState[] = [];
      await t.jobs.createWithHold(newJob(who, { variations: 2 }, { seen }));
      expect(seen).toEqual([{ tier: "pro", available: 30, memberCapRemaining: null, freeUsed: {}, reuse: null }]);

      seen.length = 0;
      await t.jobs.createWithHold(newJob(capped, { variations: 2 }, { seen }));
      expect(seen).toEqual([{ tier: "pro", available: 26, memberCapRemaining: 9, freeUsed: {}, reuse: null }]);

      // The member's own hold counts against the cap; the team's held credits against the balance.
      seen.length = 0;
      await t.jobs.createWithHold(newJob(capped, { ...HF, variations: 3 }, { seen }));
      expect(seen).toEqual([{ tier: "pro", available: 22, memberCapRemaining: 5, freeUsed: {}, reuse: null }]);
      seen.length = 0;
      await t.jobs.createWithHold(newJob(who, HF, { seen }));
      expect(seen).toEqual([{ tier: "pro", available: 22, memberCapRemaining: null, freeUsed: { [HF_KEY]: 3 }, reuse: null }]);

      // A figure changed by someone else between two jobs is what the next job is priced from.
      await t.ledger.grant({ teamId: who.teamId, kind: "topup", amount: 100 });
      await t.teams.updateMember(member.id, { monthlyCap: 100 });
      seen.length = 0;
      await t.jobs.createWithHold(newJob(capped, {}, { seen }));
      expect(seen).toEqual([{ tier: "pro", available: 122, memberCapRemaining: 96, freeUsed: { [HF_KEY]: 4 }, reuse: null }]);
      // So is a new tier: enterprise is metered, its available balance unlimited (null).
      await t.ledger.changeTier(who.teamId, "enterprise", DEFAULT_CATALOG);
      seen.length = 0;
      await t.jobs.createWithHold(newJob(who, {}, { seen }));
      expect(seen).toEqual([{ tier: "enterprise", available: null, memberCapRemaining: null, freeUsed: { [HF_KEY]: 4 }, reuse: null }]);
    });

    it("prices concurrent jobs one after another, each from the balance the previous one left", async () => {
      const who = await team(2000);
      const seen: PricingState[] = [];
      const stores = await jobStores(2);
      await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % stores.length]!.createWithHold(newJob(who, {}, { seen }))));
      // Every job saw a different balance: 2000, 1998, ... (a price read outside the lock would repeat one).
      const availables = seen.map((s) => s.available!).sort((a, b) => b - a);
      expect(availables).toEqual(Array.from({ length: 12 }, (_, i) => 2000 - 2 * i));
      expect((await t.ledger.balance(who.teamId)).held).toBe(24);
    });

    it("a refusal by the estimate (JobRefusedError) holds nothing and writes no job", async () => {
      const free = await team(50, "free");
      const premium = t.jobs.createWithHold(newJob(free, { quality: "premium" }));
      await expect(premium).rejects.toBeInstanceOf(JobRefusedError);
      await expect(premium).rejects.toMatchObject({ reason: { code: "tier_required", details: { tier: "pro", currentTier: "free" } } });
      await expect(t.jobs.createWithHold(newJob(free, { variations: 3 }))).rejects.toMatchObject({ reason: { code: "tier_required", details: { tier: "basic" } } });
      const poor = await team(3);
      const short = t.jobs.createWithHold(newJob(poor, { variations: 2 }));
      await expect(short).rejects.toBeInstanceOf(JobRefusedError);
      await expect(short).rejects.toMatchObject({ reason: { code: "insufficient_credits", details: { needed: 4, available: 3 } } });
      for (const who of [free, poor]) {
        expect(await count("jobs", who.teamId)).toBe(0);
        expect(await count("holds", who.teamId)).toBe(0);
        expect((await t.ledger.entries(who.teamId)).map((e) => e.kind)).toEqual(["grant"]);
        expect((await t.ledger.balance(who.teamId)).held).toBe(0);
      }
    });

    it("refusals of every kind, including holds the database refuses behind a blind price, hold nothing and write nothing", async () => {
      const who = await team(10);
      const { member } = await t.teams.addMember({ teamId: who.teamId, name: "Capped", role: "member", monthlyCap: 3 });
      const capped = { teamId: who.teamId, memberId: member.id };
      // A price blind to the balance and the cap: the conditional updates in the same transaction still refuse.
      const blind = (s: PricingState): EstimateContext => ({ ...s, available: null, memberCapRemaining: null });
      const before = await t.ledger.entries(who.teamId);

      const byEstimate = t.jobs.createWithHold(newJob(who, { quality: "premium", variations: 4 })); // 24 > 10
      await expect(byEstimate).rejects.toBeInstanceOf(JobRefusedError);
      const byEstimateCap = t.jobs.createWithHold(newJob(capped, { variations: 2 })); // 4 > cap 3
      await expect(byEstimateCap).rejects.toMatchObject({ reason: { code: "member_cap_reached" } });
      const byBalance = t.jobs.createWithHold(newJob(who, { variations: 6 }, { context: blind })); // 12 > 10
      await expect(byBalance).rejects.toBeInstanceOf(InsufficientCreditsError);
      await expect(byBalance).rejects.toMatchObject({ needed: 12, available: 10 });
      // 4 free images and 6 paid: the hold is refused after the job row was written, so all of it rolls back.
      const byCap = t.jobs.createWithHold(newJob(capped, { ...HF, variations: 10 }, { context: (s) => ({ ...blind(s), freeUsed: { [HF_KEY]: 16 } }) }));
      await expect(byCap).rejects.toBeInstanceOf(MemberCapReachedError);
      await expect(byCap).rejects.toMatchObject({ cap: 3, remaining: 3, needed: 6 });

      expect(await count("jobs", who.teamId)).toBe(0);
      expect(await count("holds", who.teamId)).toBe(0);
      expect(await count("free_use", who.teamId)).toBe(0);
      expect(await t.ledger.entries(who.teamId)).toEqual(before);
      expect(await t.ledger.balance(who.teamId)).toMatchObject({ available: 10, held: 0 });
      expect(await t.ledger.memberUsage(member.id)).toEqual({ spent: 0, held: 0 });
      expect(await t.jobs.freeUsed(who.teamId)).toEqual({});
      await expectConsistent(who.teamId);
    });
  });

  describe("idempotency", () => {
    it("returns the first job for the same key and request, holding nothing more; a different request is refused", async () => {
      const who = await team(20);
      const first = await t.jobs.createWithHold(newJob(who, {}, { key: "key-1" }));
      const seen: PricingState[] = [];
      const again = await t.jobs.createWithHold(newJob(who, {}, { key: "key-1", seen }));
      expect(again).toMatchObject({ created: false, job: { id: first.job.id, holdId: first.job.holdId } });
      expect(seen).toEqual([]); // a replay is not priced again
      expect(await count("holds", who.teamId)).toBe(1);
      expect((await t.ledger.balance(who.teamId)).held).toBe(2);
      const mismatch = t.jobs.createWithHold(newJob(who, { prompt: "other" }, { key: "key-1" }));
      await expect(mismatch).rejects.toBeInstanceOf(IdempotencyMismatchError);
      await expect(mismatch).rejects.toMatchObject({ existingJobId: first.job.id });
      expect(await count("jobs", who.teamId)).toBe(1);
      expect(await t.db.one("SELECT id FROM jobs WHERE team_id = $1 AND idempotency_key = $2", [who.teamId, "key-1"])).toMatchObject({ id: first.job.id });
      // The same key in another team is another request.
      const other = await team(20);
      expect((await t.jobs.createWithHold(newJob(other, {}, { key: "key-1" }))).created).toBe(true);
      await expectConsistent(who.teamId);
    });

    it("creates exactly one job and one hold for 50 concurrent requests with the same key", async () => {
      const who = await team(100);
      const stores = await jobStores(3); // PostgreSQL: this pool and three more connections race
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => stores[i % stores.length]!.createWithHold(newJob(who, { variations: 2 }, { key: "burst" }))),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
      expect(new Set(results.map((r) => r.job.holdId)).size).toBe(1);
      expect(await count("jobs", who.teamId)).toBe(1);
      expect(await count("holds", who.teamId)).toBe(1);
      expect(await t.ledger.balance(who.teamId)).toMatchObject({ held: 4, available: 96 });
      expect((await t.ledger.entries(who.teamId)).filter((e) => e.kind === "hold")).toHaveLength(1);
      await expectConsistent(who.teamId);
    });
  });

  describe("free allowance", () => {
    it("takes free images in the hold's transaction: 30 concurrent one-image jobs use exactly 20 free and pay for 10", async () => {
      const who = await team(100);
      const stores = await jobStores(2);
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % stores.length]!.createWithHold(newJob(who, HF))));
      const totals = results.map((r) => r.job.estimate.total);
      expect(totals.filter((n) => n === 0)).toHaveLength(20);
      expect(totals.filter((n) => n === 1)).toHaveLength(10);
      for (const r of results) {
        const free = r.job.estimate.steps[0]!.freeUsed;
        expect(free).toEqual(r.job.estimate.total === 0 ? { [HF_KEY]: 1 } : {});
      }
      expect(await t.jobs.freeUsed(who.teamId)).toEqual({ [HF_KEY]: 20 });
      expect(await t.ledger.balance(who.teamId)).toMatchObject({ held: 10, available: 90 });

      // A failed job gives its free image back; a failed paid job gives back credits, not free images.
      const freeJob = results.find((r) => r.job.estimate.total === 0)!.job;
      const paidJob = results.find((r) => r.job.estimate.total === 1)!.job;
      await t.jobs.fail(freeJob.id, FAILED);
      expect(await t.jobs.freeUsed(who.teamId)).toEqual({ [HF_KEY]: 19 });
      await t.jobs.fail(paidJob.id, FAILED);
      expect(await t.jobs.freeUsed(who.teamId)).toEqual({ [HF_KEY]: 19 });
      expect(await t.ledger.balance(who.teamId)).toMatchObject({ held: 9, available: 91 });
      // ...and the next job gets it.
      const next = await t.jobs.createWithHold(newJob(who, { ...HF, variations: 2 }));
      expect(next.job.estimate.steps[0]!.freeUsed).toEqual({ [HF_KEY]: 1 });
      expect(next.job.estimate.total).toBe(1);
      expect(await t.jobs.freeUsed(who.teamId)).toEqual({ [HF_KEY]: 20 });
      // A succeeded free job keeps its image counted.
      await t.jobs.succeed(results.find((r) => r.job.estimate.total === 0 && r.job.id !== freeJob.id)!.job.id, { charge: 0, assets: [asset(1, 0)] });
      expect(await t.jobs.freeUsed(who.teamId)).toEqual({ [HF_KEY]: 20 });
      await expectConsistent(who.teamId);
    });

    it("a partly delivered job keeps the free images its delivered ones used and gives the others back", async () => {
      const who = await team(100);
      // 18 of 20 free images used: a 4-image job takes the last 2 free and holds 2 credits for the other 2.
      for (const seed of [1, 2]) {
        const used = await t.jobs.createWithHold(newJob(who, { ...HF, variations: 9, seed }));
        await t.jobs.succeed(used.job.id, { charge: 0, assets: [asset(seed + 1, 0)] });
      }
      const { job } = await t.jobs.createWithHold(newJob(who, { ...HF, variations: 4 }));
      expect([job.estimate.total, job.estimate.steps[0]!.freeUsed]).toEqual([2, { [HF_KEY]: 2 }]);
      // One image delivered (free): charge 0, one free image back, both held credits back.
      const done = await t.jobs.succeed(job.id, { charge: 0, freeUsed: { [HF_KEY]: 1 }, assets: [asset(4, 0)] });
      expect(done).toMatchObject({ status: "succeeded", charged: 0, held: 0 });
      expect(await t.jobs.freeUsed(who.teamId)).toEqual({ [HF_KEY]: 19 });
      expect(await t.ledger.balance(who.teamId)).toMatchObject({ held: 0, available: 100 });
      await expectConsistent(who.teamId);
    });
  });

  describe("rate limit", () => {
    it("refuses a free team's 7th job in a minute, holding nothing, with when to retry", async () => {
      const who = await team(50, "free");
      for (let i = 0; i < 6; i++) await t.jobs.createWithHold(newJob(who, { seed: i }));
      const before = await t.ledger.entries(who.teamId);
      const seventh = t.jobs.createWithHold(newJob(who, { seed: 6 }));
      await expect(seventh).rejects.toBeInstanceOf(RateLimitedError);
      const error = (await seventh.catch((e: unknown) => e)) as RateLimitedError;
      expect(error.limit).toBe(6);
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(await count("jobs", who.teamId)).toBe(6);
      expect(await t.ledger.entries(who.teamId)).toEqual(before);
      // Once the first jobs are more than a minute old, the team may start jobs again.
      await t.db.run("UPDATE jobs SET created_at = $2 WHERE team_id = $1", [who.teamId, new Date(Date.now() - 61_000).toISOString()]);
      await expect(t.jobs.createWithHold(newJob(who, { seed: 7 }))).resolves.toMatchObject({ created: true });
      await expectConsistent(who.teamId);
    });

    it("counts concurrent jobs in the same transaction: of 10 at once, exactly 6 start", async () => {
      const who = await team(50, "free");
      const stores = await jobStores(2);
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => stores[i % stores.length]!.createWithHold(newJob(who, { seed: i }))));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(6);
      for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(RateLimitedError);
      expect(await count("jobs", who.teamId)).toBe(6);
      expect(await count("holds", who.teamId)).toBe(6);
      await expectConsistent(who.teamId);
    });
  });

  describe("finishing", () => {
    it("succeed captures exactly the charge, returns the rest and records the assets in order, in one step", async () => {
      const who = await team(20);
      const { job } = await t.jobs.createWithHold(newJob(who, { variations: 4 })); // holds 8
      expect(await t.jobs.markRunning(job.id)).toMatchObject({ status: "running", progress: { stage: "running", completed: 0, total: 4 } });
      expect(await t.jobs.markRunning(job.id)).toBeNull();
      const assets = [asset(3, 2), asset(1, 2), asset(2, 2)];
      const done = await t.jobs.succeed(job.id, { charge: 6, assets });
      expect(done).toMatchObject({ status: "succeeded", charged: 6, held: 0, error: null, progress: { stage: "done", completed: 3, total: 4 } });
      expect(done.finishedAt).not.toBeNull();
      expect(done.assets.map((a) => [a.sha256, a.width, a.cost, a.jobId, a.teamId, a.memberId])).toEqual(
        assets.map((a) => [a.sha256, a.width, a.cost, job.id, who.teamId, who.memberId]),
      );
      expect((await t.jobs.getById(job.id))!.assets.map((a) => a.sha256)).toEqual(assets.map((a) => a.sha256));
      expect(await t.ledger.getHold(job.holdId!)).toMatchObject({ state: "captured", captured: 6, amount: 8 });
      expect((await t.ledger.entries(who.teamId, { jobId: job.id })).map((e) => [e.kind, e.amount])).toEqual([
        ["hold", 8],
        ["capture", 6],
        ["release", 2],
      ]);
      expect(await t.ledger.balance(who.teamId)).toMatchObject({ spent: 6, held: 0, available: 14 });
      expect(await t.ledger.memberUsage(who.memberId)).toEqual({ spent: 6, held: 0 });
      // A second result, or a failure, changes nothing.
      const entries = await t.ledger.entries(who.teamId);
      expect(await t.jobs.succeed(job.id, { charge: 8, assets: [asset(4, 8)] })).toMatchObject({ status: "succeeded", charged: 6 });
      expect(await t.jobs.fail(job.id, FAILED)).toMatchObject({ status: "succeeded", charged: 6 });
      expect(await t.ledger.entries(who.teamId)).toEqual(entries);
      expect(await count("assets", who.teamId)).toBe(3);
      await expectConsistent(who.teamId);
    });

    it("succeed refuses to capture more than was held and then changes nothing", async () => {
      const who = await team(20);
      const { job } = await t.jobs.createWithHold(newJob(who)); // holds 2
      await expect(t.jobs.succeed(job.id, { charge: 3, assets: [asset(1, 3)] })).rejects.toThrowError(RangeError);
      expect(await t.jobs.getById(job.id)).toMatchObject({ status: "queued", held: 2, charged: 0, assets: [] });
      expect(await count("assets", who.teamId)).toBe(0);
      expect(await t.ledger.balance(who.teamId)).toMatchObject({ held: 2, spent: 0 });
      await expectConsistent(who.teamId);
    });

    it("fail releases the hold, once", async () => {
      const who = await team(20);
      const { job } = await t.jobs.createWithHold(newJob(who, { variations: 2 }));
      const failed = await t.jobs.fail(job.id, FAILED);
      expect(failed).toMatchObject({ status: "failed", charged: 0, held: 0, error: FAILED, progress: { stage: "done", completed: 0 } });
      expect(await t.ledger.getHold(job.holdId!)).toMatchObject({ state: "released", captured: 0 });
      expect(await t.ledger.balance(who.teamId)).toMatchObject({ available: 20, held: 0, spent: 0 });
      const entries = await t.ledger.entries(who.teamId);
      expect(await t.jobs.fail(job.id, { code: "provider_error", message: "again" })).toMatchObject({ error: FAILED });
      expect(await t.jobs.succeed(job.id, { charge: 4, assets: [asset(1, 4)] })).toMatchObject({ status: "failed", charged: 0, assets: [] });
      expect(await t.ledger.entries(who.teamId)).toEqual(entries);
      expect((await t.ledger.entries(who.teamId, { jobId: job.id })).map((e) => e.kind)).toEqual(["hold", "release"]);
      await expectConsistent(who.teamId);
    });

    it("finds jobs only within their team", async () => {
      const who = await team(20);
      const { job } = await t.jobs.createWithHold(newJob(who));
      expect((await t.jobs.get(who.teamId, job.id))?.id).toBe(job.id);
      const other = await team(20);
      expect(await t.jobs.get(other.teamId, job.id)).toBeNull();
      expect(await t.jobs.getById("job_nope")).toBeNull();
    });
  });

  describe("expiry and takeover", () => {
    it("expireOverdue fails each overdue job exactly once, even when several sweeps race", async () => {
      const who = await team(100);
      const overdue: JobRecord[] = [];
      for (let i = 0; i < 6; i++) overdue.push((await t.jobs.createWithHold(newJob(who, { seed: i }, { holdTtlMs: 1 }))).job);
      await t.jobs.markRunning(overdue[0]!.id);
      const fresh = (await t.jobs.createWithHold(newJob(who))).job;
      await sleep(20);
      const stores = await jobStores(3);
      const swept = await Promise.all(stores.flatMap((s) => [s.expireOverdue(FAILED), s.expireOverdue(FAILED)]));
      expect(swept.flat().sort()).toEqual(overdue.map((j) => j.id).sort());
      for (const j of overdue) {
        expect(await t.jobs.getById(j.id)).toMatchObject({ status: "failed", charged: 0, held: 0, error: FAILED });
        expect((await t.ledger.entries(who.teamId, { jobId: j.id })).map((e) => [e.kind, e.amount])).toEqual([
          ["hold", 2],
          ["expire", 2],
        ]);
      }
      expect((await t.jobs.getById(fresh.id))?.status).toBe("queued");
      expect(await t.jobs.expireOverdue(FAILED)).toEqual([]);
      // A late result of an expired job charges nothing.
      expect(await t.jobs.succeed(overdue[0]!.id, { charge: 2, assets: [asset(1, 2)] })).toMatchObject({ status: "failed", charged: 0, assets: [] });
      expect(await t.ledger.balance(who.teamId)).toMatchObject({ spent: 0, held: 2, available: 98 });
      await expectConsistent(who.teamId);
    });

    it("fails a job whose hold expired under it instead of charging, and gives back its free images", async () => {
      const who = await team(20);
      const { job } = await t.jobs.createWithHold(newJob(who, HF, { holdTtlMs: 1 }));
      await t.jobs.markRunning(job.id);
      expect(await t.jobs.freeUsed(who.teamId)).toEqual({ [HF_KEY]: 1 });
      await sleep(20);
      await t.ledger.expireHolds(); // the hold alone, as the ledger's own sweep might
      const late = await t.jobs.succeed(job.id, { charge: 0, assets: [asset(1, 0)] });
      expect(late).toMatchObject({ status: "failed", charged: 0, assets: [], error: { code: "provider_error" } });
      expect(await t.jobs.freeUsed(who.teamId)).toEqual({});
      expect((await t.ledger.balance(who.teamId)).available).toBe(20);
      await expectConsistent(who.teamId);
    });

    it("claimLapsed gives each lapsed job to exactly one of several concurrent callers", async () => {
      const who = await team(100);
      const lapsed: JobRecord[] = [];
      for (let i = 0; i < 8; i++) lapsed.push((await t.jobs.createWithHold(newJob(who, { seed: i }, { leaseMs: 1 }))).job);
      await t.jobs.markRunning(lapsed[0]!.id);
      const live = (await t.jobs.createWithHold(newJob(who, {}, { leaseMs: 60_000 }))).job;
      const finished = (await t.jobs.createWithHold(newJob(who, {}, { leaseMs: 1 }))).job;
      await t.jobs.fail(finished.id, FAILED);
      await sleep(20);
      const stores = await jobStores(3);
      const claims = await Promise.all(stores.flatMap((s) => [s.claimLapsed(60_000), s.claimLapsed(60_000), s.claimLapsed(60_000)]));
      const claimed = claims.flat().map((j) => j.id);
      const claimer = new Map(claims.flatMap((c, i) => c.map((j) => [j.id, stores[Math.floor(i / 3)]!] as const)));
      expect(claimed.sort()).toEqual(lapsed.map((j) => j.id).sort());
      expect(claimed).not.toContain(live.id);
      expect(claimed).not.toContain(finished.id);
      expect(claims.flat().find((j) => j.id === lapsed[0]!.id)).toMatchObject({ status: "running" });
      // Claimed with a fresh lease: nobody else takes them now...
      expect(await t.jobs.claimLapsed(60_000)).toEqual([]);
      // ...until that lease lapses in turn (the claimer died too); a renewed lease keeps its job.
      await t.db.run("UPDATE jobs SET lease_until = $2 WHERE team_id = $1 AND lease_until IS NOT NULL", [who.teamId, new Date(Date.now() - 1000).toISOString()]);
      for (const j of lapsed.slice(0, 4)) expect(await claimer.get(j.id)!.renewLeases([j.id], 60_000)).toEqual([]); // by the holder
      const again = await Promise.all(stores.map((s) => s.claimLapsed(60_000)));
      expect(again.flat().map((j) => j.id).sort()).toEqual([...lapsed.slice(4).map((j) => j.id), live.id].sort());
      await expectConsistent(who.teamId);
    });

    it("releaseLeases hands unfinished jobs to the next claimLapsed at once, long before their leases would lapse", async () => {
      const who = await team(100);
      const queued = (await t.jobs.createWithHold(newJob(who, { seed: 1 }, { leaseMs: 60_000 }))).job;
      const running = (await t.jobs.createWithHold(newJob(who, { seed: 2 }, { leaseMs: 60_000 }))).job;
      await t.jobs.markRunning(running.id);
      const kept = (await t.jobs.createWithHold(newJob(who, { seed: 3 }, { leaseMs: 60_000 }))).job;
      const done = (await t.jobs.createWithHold(newJob(who, { seed: 4 }, { leaseMs: 60_000 }))).job;
      await t.jobs.fail(done.id, FAILED);
      expect(await t.jobs.claimLapsed(60_000)).toEqual([]);
      await t.jobs.releaseLeases([queued.id, running.id, done.id]);
      const stores = await jobStores(2);
      const claimed = (await Promise.all(stores.map((s) => s.claimLapsed(60_000)))).flat();
      expect(claimed.map((j) => j.id).sort()).toEqual([queued.id, running.id].sort());
      expect(claimed.find((j) => j.id === running.id)).toMatchObject({ status: "running" });
      expect(claimed.map((j) => j.id)).not.toContain(kept.id);
      expect(await t.jobs.getById(done.id)).toMatchObject({ status: "failed" });
      await expectConsistent(who.teamId);
    });
  });
});
