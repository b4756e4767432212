import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jobSpecSchema } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { estimate } from "../../core/estimate.ts";
import { InsufficientCreditsError } from "../ledger/types.ts";
import { balanceFromEntries, openTestDb, type TestDb } from "../test-support/sqlite.ts";
import { requestHash } from "./request-hash.ts";
import { IdempotencyMismatchError, type NewAsset, type NewJob } from "./types.ts";

let t: TestDb;
let teamId: string;
let memberId: string;
beforeEach(async () => {
  t = openTestDb();
  const { team, manager } = await t.teams.createTeam({ name: "T", tier: "pro", monthlyCredits: 20, managerName: "M" });
  teamId = team.id;
  memberId = manager.id;
});
afterEach(() => t.close());

function newJob(input: Record<string, unknown> = {}, key: string | null = null, ttl = 60_000): NewJob {
  const spec = jobSpecSchema.parse({ operation: "create", prompt: "p", quality: "draft", ...input });
  const quote = estimate(spec, DEFAULT_CATALOG, {});
  return { teamId, memberId, idempotencyKey: key, requestHash: requestHash(spec), spec, estimate: quote, route: quote.steps[0]!.route, holdTtlMs: ttl };
}

const asset = (cost: number): NewAsset => ({
  sha256: "ab".repeat(32),
  contentType: "image/png",
  width: 64,
  height: 64,
  bytes: 100,
  cost,
  provider: "local",
  model: "procedural",
  prompt: "p",
});

const count = (table: string) => t.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();

describe("SqliteJobStore", () => {
  it("creates the job and holds its estimate total together", async () => {
    const { job, created } = await t.jobs.createWithHold(newJob({ variations: 3 }));
    expect(created).toBe(true);
    expect(job).toMatchObject({ status: "queued", held: 6, charged: 0, progress: { stage: "queued", completed: 0, total: 3 } });
    expect((await t.ledger.getHold(job.holdId!))?.jobId).toBe(job.id);
    expect((await t.ledger.balance(teamId)).available).toBe(14);
  });

  it("returns the first job for the same key and request, holding nothing more", async () => {
    const first = await t.jobs.createWithHold(newJob({}, "key-1"));
    const again = await t.jobs.createWithHold(newJob({}, "key-1"));
    expect(again).toMatchObject({ created: false, job: { id: first.job.id } });
    expect(count("holds")).toBe(1);
    expect((await t.ledger.balance(teamId)).held).toBe(2);
    await expect(t.jobs.createWithHold(newJob({ prompt: "other" }, "key-1"))).rejects.toBeInstanceOf(IdempotencyMismatchError);
    expect(count("jobs")).toBe(1);
    // The same key in another team is another request.
    const other = await t.teams.createTeam({ name: "O", tier: "pro", monthlyCredits: 20, managerName: "M" });
    const theirs = await t.jobs.createWithHold({ ...newJob({}, "key-1"), teamId: other.team.id, memberId: other.manager.id });
    expect(theirs.created).toBe(true);
  });

  it("leaves no job behind when the hold is refused", async () => {
    await expect(t.jobs.createWithHold(newJob({ quality: "premium", variations: 4 }))).rejects.toBeInstanceOf(InsufficientCreditsError);
    expect(count("jobs")).toBe(0);
    expect(count("holds")).toBe(0);
    expect((await t.ledger.balance(teamId)).available).toBe(20);
  });

  it("succeeds by capturing the charge and recording the assets in one step", async () => {
    const { job } = await t.jobs.createWithHold(newJob({ variations: 4 })); // holds 8
    await t.jobs.markRunning(job.id);
    const done = await t.jobs.succeed(job.id, { charge: 6, assets: [asset(2), asset(2), asset(2)] });
    expect(done).toMatchObject({ status: "succeeded", charged: 6, held: 0, progress: { stage: "done", completed: 3, total: 4 } });
    expect(done.assets.map((a) => a.cost)).toEqual([2, 2, 2]);
    expect(await t.ledger.balance(teamId)).toMatchObject({ spent: 6, held: 0, available: 14 });
    const b = await t.ledger.balance(teamId);
    expect(balanceFromEntries(await t.ledger.entries(teamId))).toEqual({ granted: b.granted, spent: b.spent, held: b.held });
  });

  it("fails by releasing the hold, once", async () => {
    const { job } = await t.jobs.createWithHold(newJob({ variations: 2 }));
    const failed = await t.jobs.fail(job.id, { code: "provider_error", message: "boom. Nothing was charged." });
    expect(failed).toMatchObject({ status: "failed", charged: 0, held: 0, error: { code: "provider_error" } });
    expect((await t.ledger.balance(teamId)).available).toBe(20);
    const entries = await t.ledger.entries(teamId);
    expect(await t.jobs.fail(job.id, { code: "provider_error", message: "again" })).toMatchObject({ error: { message: "boom. Nothing was charged." } });
    expect(await t.jobs.succeed(job.id, { charge: 4, assets: [asset(4)] })).toMatchObject({ status: "failed", charged: 0 });
    expect(await t.ledger.entries(teamId)).toEqual(entries);
  });

  it("expires overdue holds and fails their jobs; a late result then charges nothing", async () => {
    const { job } = await t.jobs.createWithHold(newJob({}, null, 1));
    const { job: fresh } = await t.jobs.createWithHold(newJob());
    await t.jobs.markRunning(job.id);
    await new Promise((r) => setTimeout(r, 15));
    expect(await t.jobs.expireOverdue({ code: "provider_error", message: "timed out" })).toEqual([job.id]);
    expect(await t.jobs.getById(job.id)).toMatchObject({ status: "failed", charged: 0 });
    expect((await t.jobs.getById(fresh.id))?.status).toBe("queued");
    expect(await t.jobs.succeed(job.id, { charge: 2, assets: [asset(2)] })).toMatchObject({ status: "failed", assets: [] });
    expect(await t.ledger.balance(teamId)).toMatchObject({ spent: 0, held: 2 });
  });

  it("fails a job whose hold expired under it instead of charging", async () => {
    const { job } = await t.jobs.createWithHold(newJob({}, null, 1));
    await t.jobs.markRunning(job.id);
    await new Promise((r) => setTimeout(r, 15));
    await t.ledger.expireHolds(); // the hold alone, as another process's sweep might
    const late = await t.jobs.succeed(job.id, { charge: 2, assets: [asset(2)] });
    expect(late).toMatchObject({ status: "failed", charged: 0, assets: [] });
    expect((await t.ledger.balance(teamId)).available).toBe(20);
  });

  it("finds jobs only within their team", async () => {
    const { job } = await t.jobs.createWithHold(newJob());
    expect((await t.jobs.get(teamId, job.id))?.id).toBe(job.id);
    expect(await t.jobs.get("team_other", job.id)).toBeNull();
  });

  it("counts free-allowance images of jobs that did not fail", async () => {
    const spec = (n: number) => newJob({ provider: "huggingface", model: "flux-schnell", variations: n });
    const a = await t.jobs.createWithHold(spec(2));
    await t.jobs.createWithHold(spec(3));
    const failed = await t.jobs.createWithHold(spec(4));
    await t.jobs.fail(failed.job.id, { code: "provider_error", message: "x" });
    expect(a.job.estimate.steps[0]!.freeUsed).toEqual({ "huggingface/flux-schnell": 2 });
    expect(await t.jobs.freeUsed(teamId, "1970-01-01T00:00:00.000Z")).toEqual({ "huggingface/flux-schnell": 5 });
  });
});
