// The use case behind POST /v1/jobs, on fakes: a job is routed and checked before its transaction and
// priced once, inside it (the store hands the figures it read to `price`); a refusal holds nothing.
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { jobSpecSchema, type JobSpecInput } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import * as core from "../../core/estimate.ts";
import { parseConfig } from "../config.ts";
import { builtInAdapters, ProviderRegistry } from "../providers/registry.ts";
import { Slots } from "../slots.ts";
import type { Caller } from "../teams/types.ts";
import { memoryRetiredModels } from "../test-support/memory-retired-models.ts";
import { acceptJob, type AcceptJobDeps } from "./accept-job.ts";
import { JobRefusedError, UnknownSourceAssetError } from "./errors.ts";
import type { ImageUpload, JobRecord, NewJob, PricingState } from "./types.ts";

vi.mock("../../core/estimate.ts", async (original) => {
  const actual = await original<typeof core>();
  return { ...actual, estimate: vi.fn(actual.estimate) };
});

const caller: Caller = {
  team: { id: "team_a", name: "A", tier: "pro", periodStart: "2026-01-01T00:00:00.000Z", periodEnd: "2026-02-01T00:00:00.000Z", createdAt: "2026-01-01T00:00:00.000Z" },
  member: { id: "mem_a", teamId: "team_a", name: "Ada", role: "manager", monthlyCap: null, disabled: false, createdAt: "2026-01-01T00:00:00.000Z" },
};
/** What the store read inside its transaction, as the job store hands it to `price`. */
const FIGURES: PricingState = { tier: "pro", available: 100, memberCapRemaining: null, freeUsed: {}, reuse: null };

function fakes() {
  const held: NewJob[] = [];
  const enqueued: JobRecord[] = [];
  const deps: AcceptJobDeps = {
    catalog: DEFAULT_CATALOG,
    jobs: {
      async createWithHold(input) {
        held.push(input);
        const estimate = input.price(FIGURES);
        if (!estimate.allowed) throw new JobRefusedError(estimate.reasons[0]!);
        return { job: { id: "job_a", status: "queued", estimate, route: estimate.steps[0]!.route } as JobRecord, created: true };
      },
      fail: async () => ({}) as JobRecord,
      renewLeases: async () => [],
    },
    assets: { get: async () => null },
    blobs: { putFile: async () => {} },
    providers: new ProviderRegistry(DEFAULT_CATALOG, builtInAdapters(parseConfig({}), () => undefined), () => undefined, memoryRetiredModels()),
    runner: { enqueue: (job) => void enqueued.push(job as JobRecord) },
    imageWork: new Slots(1),
    holdTtlMs: 60_000,
    leaseMs: 10_000,
  };
  return { deps, held, enqueued };
}

let dir: string;
let image: ImageUpload;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "accept-job-"));
  const bytes = await sharp({ create: { width: 128, height: 96, channels: 3, background: "#3a6" } }).png().toBuffer();
  image = { path: join(dir, "image.png"), size: bytes.byteLength, contentType: "image/png", sha256: createHash("sha256").update(bytes).digest("hex") };
  await writeFile(image.path, bytes);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const accept = (deps: AcceptJobDeps, spec: JobSpecInput) =>
  acceptJob(deps, { caller, idempotencyKey: null, spec: jobSpecSchema.parse(spec), uploads: spec.operation === "create" ? {} : { image } });
const ASSET = "ast_abcdefghij";

describe("acceptJob", () => {
  it("prices a job once, inside the hold's transaction, from the figures read there", async () => {
    const { deps, held, enqueued } = fakes();
    const estimate = vi.mocked(core.estimate);
    estimate.mockClear();
    const { job, created } = await accept(deps, { operation: "create", prompt: "a kite", quality: "draft", variations: 3, seed: 7 });
    expect(created).toBe(true);
    expect(estimate).toHaveBeenCalledTimes(1);
    expect(estimate.mock.calls[0]![2]).toMatchObject({ ...FIGURES, configuredProviders: ["local"] });
    expect(job.estimate.total).toBe(6);
    // Routed before the transaction: the reuse key and the free-allowance keys need the route, not the price.
    expect(held[0]).toMatchObject({ teamId: "team_a", memberId: "mem_a", freeModelKeys: [], reuseKey: expect.any(String) });
    expect(enqueued.map((j) => j.id)).toEqual(["job_a"]);
  });

  it("refuses what no configured provider can do before anything is priced or held", async () => {
    const { deps, held } = fakes();
    const estimate = vi.mocked(core.estimate);
    estimate.mockClear();
    const refused = accept(deps, { operation: "edit", kind: "general", prompt: "snow" });
    await expect(refused).rejects.toBeInstanceOf(JobRefusedError);
    await expect(refused).rejects.toMatchObject({ reason: { code: "provider_unavailable" } });
    expect(estimate).not.toHaveBeenCalled();
    expect(held).toEqual([]);
  });

  it("refuses a source asset outside the caller's team before anything is held", async () => {
    const { deps, held } = fakes();
    await expect(accept(deps, { operation: "upscale", mode: "fast", sourceAssetId: ASSET })).rejects.toBeInstanceOf(UnknownSourceAssetError);
    expect(held).toEqual([]);
  });
});
