import { rm } from "node:fs/promises";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jobSpecSchema } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { estimate } from "../../core/estimate.ts";
import { openStores } from "../compose.ts";
import { createLogger } from "../logger.ts";
import { builtInAdapters, ProviderRegistry } from "../providers/registry.ts";
import { Slots } from "../slots.ts";
import { ProviderError, type ProviderAdapter } from "../providers/types.ts";
import type { Stores } from "../stores.ts";
import { failingProvider, gatedProvider, garbageProvider, hangingProvider, partialProvider } from "../test-support/fake-providers.ts";
import { tempDir } from "../test-support/harness.ts";
import { JobRunner } from "./job-runner.ts";
import { parseConfig } from "../config.ts";
import { CircuitBreaker } from "../providers/circuit-breaker.ts";
import { ProviderQueue } from "../providers/provider-queue.ts";
import { requestHash } from "./request-hash.ts";

let dir: string;
let stores: Stores;
let teamId: string;
let memberId: string;

beforeEach(async () => {
  dir = await tempDir();
  stores = await openStores({ dataDir: dir, databaseUrl: undefined }, DEFAULT_CATALOG);
  const { team, manager } = await stores.teams.createTeam({ name: "T", tier: "pro", monthlyCredits: 100, managerName: "M" });
  teamId = team.id;
  memberId = manager.id;
});
afterEach(async () => {
  await stores.close();
  await rm(dir, { recursive: true, force: true });
});

function runner(adapter?: ProviderAdapter, jobTimeoutMs = 10_000): JobRunner {
  const providers = new ProviderRegistry(DEFAULT_CATALOG, [...builtInAdapters(parseConfig({}), () => undefined), ...(adapter ? [adapter] : [])], () => undefined, stores.retiredModels);
  return new JobRunner({
    jobs: stores.jobs,
    teams: stores.teams,
    blobs: stores.blobs,
    providers,
    catalog: DEFAULT_CATALOG,
    logger: createLogger("silent"),
    jobTimeoutMs,
    leaseMs: 10_000,
    queue: new ProviderQueue({ defaultLimit: 2 }),
    breaker: new CircuitBreaker(),
    imageWork: new Slots(2),
  });
}

async function submit(input: Record<string, unknown> = {}) {
  const spec = jobSpecSchema.parse({ operation: "create", prompt: "a kite", quality: "draft", aspectRatio: { width: 128, height: 96 }, ...input });
  const { job } = await stores.jobs.createWithHold({
    teamId,
    memberId,
    idempotencyKey: null,
    requestHash: requestHash(spec),
    spec,
    price: (state) => estimate(spec, DEFAULT_CATALOG, { ...state, configuredProviders: ["local"] }),
    holdTtlMs: 60_000,
    leaseMs: 10_000,
  });
  return job;
}

async function run(r: JobRunner, jobId: string) {
  r.enqueue(jobId);
  await r.idle();
  return (await stores.jobs.getById(jobId))!;
}

describe("JobRunner", () => {
  it("runs a create through the local provider, stores the images and captures the estimate", async () => {
    const job = await submit({ variations: 2 });
    const done = await run(runner(), job.id);
    expect(done).toMatchObject({ status: "succeeded", charged: 4, held: 0, progress: { stage: "done", completed: 2, total: 2 } });
    expect(done.assets.map((a) => [a.width, a.height, a.cost, a.contentType])).toEqual([
      [128, 96, 2, "image/png"],
      [128, 96, 2, "image/png"],
    ]);
    const bytes = await stores.blobs.get(done.assets[0]!.sha256);
    expect((await sharp(bytes!).metadata()).width).toBe(128);
    expect(await stores.ledger.balance(teamId)).toMatchObject({ spent: 4, held: 0, available: 96 });
  });

  it("captures only what a partly failed batch delivered", async () => {
    const job = await submit({ variations: 4 }); // 8 credits held
    const done = await run(runner(partialProvider(3)), job.id);
    expect(done).toMatchObject({ status: "succeeded", charged: 6 });
    expect(done.assets).toHaveLength(3);
    expect(await stores.ledger.balance(teamId)).toMatchObject({ spent: 6, held: 0, available: 94 });
  });

  it.each([
    ["a provider error", new ProviderError("content_rejected", "The prompt was refused by moderation"), "content_rejected", /refused by moderation\. Nothing was charged\.$/],
    ["an unexpected error, without leaking it", new Error("ECONNRESET at 10.0.0.7 with key sk-123"), "provider_error", /^The image could not be made\. Nothing was charged\.$/],
  ])("releases the hold on %s", async (_what, error, code, message) => {
    const job = await submit({ variations: 2 });
    const done = await run(runner(failingProvider(error)), job.id);
    expect(done).toMatchObject({ status: "failed", charged: 0, held: 0, error: { code } });
    expect(done.error?.message).toMatch(message);
    expect(await stores.ledger.balance(teamId)).toMatchObject({ spent: 0, held: 0, available: 100 });
  });

  it("fails a provider that returns something that is not an image", async () => {
    const job = await submit();
    const done = await run(runner(garbageProvider()), job.id);
    expect(done).toMatchObject({ status: "failed", charged: 0, error: { code: "provider_error" } });
  });

  it.each([true, false])("times out a provider that never answers (honours the signal: %s)", async (honour) => {
    const job = await submit();
    const done = await run(runner(hangingProvider(honour), 100), job.id);
    expect(done).toMatchObject({ status: "failed", charged: 0, error: { code: "provider_error" } });
    expect(done.error?.message).toMatch(/did not answer within/);
    expect((await stores.ledger.balance(teamId)).available).toBe(100);
  });

  it("on stop, fails running and queued jobs and returns their credits", async () => {
    const gated = gatedProvider();
    const r = runner(gated);
    const jobs = await Promise.all([submit(), submit(), submit()]);
    for (const j of jobs) r.enqueue(j.id);
    await gated.started;
    expect((await stores.ledger.balance(teamId)).held).toBe(6);
    await r.stop();
    const states = await Promise.all(jobs.map(async (j) => (await stores.jobs.getById(j.id))!.status));
    expect(states).toEqual(["failed", "failed", "failed"]);
    expect(await stores.ledger.balance(teamId)).toMatchObject({ held: 0, spent: 0, available: 100 });
  });

  it("on stop with handOver (graceful shutdown), leaves the jobs waiting for a slot queued, held, for another proxy", async () => {
    const gated = gatedProvider();
    const r = runner(gated); // 2 provider slots: two jobs run, the third waits
    const jobs = await Promise.all([submit(), submit(), submit()]);
    for (const j of jobs) r.enqueue(j.id);
    await gated.started;
    const left = await r.stop({ handOver: true });
    const after = await Promise.all(jobs.map(async (j) => (await stores.jobs.getById(j.id))!));
    const waiting = after.filter((j) => j.status === "queued");
    expect(waiting).toHaveLength(1);
    expect(left).toEqual([waiting[0]!.id]);
    expect(after.filter((j) => j.status === "failed")).toHaveLength(2);
    // Its hold stays for whoever runs it; the two stopped at their provider returned theirs.
    expect(await stores.ledger.balance(teamId)).toMatchObject({ held: 2, spent: 0, available: 98 });
  });
});
