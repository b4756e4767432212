// An accepted job's uploaded bytes are in the blob store when it runs, whatever deletes, sweeps or takeovers
// land around its accept (docs/ledger.md, "Input bytes"). The uploads are moved in after the accept's
// transaction committed (accept-job.ts storeInputs: re-stored from the temporary file when the stored copy is
// gone), and from the commit on the job's row keeps every delete and sweep off them (asset-repo.ts
// freeIfUnused, under the blob's lock that the accept's pin takes too). Each race is forced at its point,
// with the blobs in files (both databases) and in an S3 bucket (PostgreSQL, as N instances run).
import { createHash } from "node:crypto";
import { utimes, writeFile } from "node:fs/promises";
import sharp from "sharp";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { batchSchema, jobSpecSchema, type JobSpecInput } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { SqlAssetRepo } from "../assets/asset-repo.ts";
import type { BlobStore, FileBlobStore } from "../assets/blob-store.ts";
import { S3BlobStore } from "../assets/s3-blob-store.ts";
import { parseConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { CircuitBreaker } from "../providers/circuit-breaker.ts";
import { ProviderQueue } from "../providers/provider-queue.ts";
import { builtInAdapters, ProviderRegistry } from "../providers/registry.ts";
import { Slots } from "../slots.ts";
import type { Caller } from "../teams/types.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { startS3Server, type S3TestServer } from "../test-support/s3-server.ts";
import { openTestStores, type TestStores } from "../test-support/test-stores.ts";
import { acceptBatch, type AcceptBatchDeps } from "./accept-batch.ts";
import { acceptJob } from "./accept-job.ts";
import { JobRunner } from "./job-runner.ts";
import { SqlBatchStore } from "./batch-store.ts";
import { SqlJobStore } from "./job-store.ts";
import type { ImageUpload, JobRecord } from "./types.ts";

const HOUR_AGO = new Date(Date.now() - 3_600_000);
let buckets = 0;
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const CASES = [...DB_KINDS.map((kind) => [kind, "files"] as const), ["postgres", "s3"] as const];

describe.each(CASES)("an accepted job's input bytes on %s, blobs in %s", (kind, store) => {
  let t: TestStores;
  /** The stores on `t`'s database over the blob store of this case. */
  let s: { blobs: BlobStore; assets: SqlAssetRepo; jobs: SqlJobStore; batches: SqlBatchStore };
  let caller: Caller;
  let runner: JobRunner;
  let s3: S3TestServer | undefined;
  let bucket: S3BlobStore | undefined;
  /** How old a stored copy must be for the orphan sweep: S3 keeps its own LastModified, so 0 there. */
  let orphanAgeMs = 60_000;
  beforeAll(async () => {
    if (store === "s3") s3 = await startS3Server();
  }, 30_000);
  afterAll(() => s3?.close());
  beforeEach(async () => {
    t = await openTestStores(kind);
    const name = `inputs-${buckets++}`;
    if (s3) await s3.createBucket(name);
    bucket = s3 ? new S3BlobStore(s3.config(name, "a/"), join(t.dataDir, "tmp")) : undefined;
    const blobs: BlobStore = bucket ?? t.blobs;
    const assets = new SqlAssetRepo(t.db, blobs);
    const jobs = new SqlJobStore(t.db, DEFAULT_CATALOG, assets);
    s = { blobs, assets, jobs, batches: new SqlBatchStore(t.db, DEFAULT_CATALOG, jobs, assets) };
    orphanAgeMs = bucket ? 0 : 60_000;
    const { team, manager } = await t.teams.createTeam({ name: "T", tier: "enterprise", monthlyCredits: null, managerName: "M" });
    caller = { team, member: manager };
    runner = new JobRunner({
      jobs: s.jobs,
      teams: t.teams,
      blobs: s.blobs,
      providers: registry(),
      catalog: DEFAULT_CATALOG,
      logger: createLogger("silent"),
      jobTimeoutMs: 30_000,
      leaseMs: 10_000,
      queue: new ProviderQueue({ defaultLimit: 2 }),
      breaker: new CircuitBreaker(),
      imageWork: new Slots(2),
    });
  });
  afterEach(async () => {
    await runner.stop();
    bucket?.close();
    await t.cleanup();
  });

  /** Makes a stored copy old enough for the orphan sweep (files; S3's sweep here takes any age). */
  const age = async (sha256: string) => {
    if (!bucket) await utimes((s.blobs as FileBlobStore).pathOf(sha256), HOUR_AGO, HOUR_AGO);
  };

  const registry = () => new ProviderRegistry(DEFAULT_CATALOG, builtInAdapters(parseConfig({}), () => undefined), () => undefined, t.retiredModels);

  function deps(o: Partial<AcceptBatchDeps> = {}): AcceptBatchDeps {
    return {
      catalog: DEFAULT_CATALOG,
      jobs: s.jobs,
      batches: s.batches,
      assets: s.assets,
      blobs: s.blobs,
      providers: registry(),
      runner,
      imageWork: new Slots(2),
      holdTtlMs: 60_000,
      leaseMs: 10_000,
      waves: { itemsPerWave: 2, waveMs: 60_000 },
      ...o,
    };
  }

  /** An image as a request's upload: a temporary file of the blob store, as the multipart reader writes it. */
  async function upload(bytes: Buffer): Promise<ImageUpload> {
    const path = s.blobs.tempPath();
    await writeFile(path, bytes);
    return { path, size: bytes.byteLength, contentType: "image/png", sha256: sha(bytes) };
  }

  /** A library asset made by a job; its bytes are what the designer uploads again. */
  async function libraryImage(): Promise<{ assetId: string; bytes: Buffer }> {
    const { job } = await acceptJob(deps(), { caller, idempotencyKey: null, spec: jobSpecSchema.parse({ operation: "create", prompt: "a kite", quality: "draft", aspectRatio: { width: 128, height: 96 } }), uploads: {} });
    await runner.idle();
    const done = (await s.jobs.getById(job.id))!;
    expect(done.status).toBe("succeeded");
    return { assetId: done.assets[0]!.id, bytes: (await s.blobs.get(done.assets[0]!.sha256))! };
  }

  const upscale: JobSpecInput = { operation: "upscale", mode: "fast" };

  async function runUpscale(image: ImageUpload, o: Partial<AcceptBatchDeps> = {}): Promise<JobRecord> {
    const { job } = await acceptJob(deps(o), { caller, idempotencyKey: null, spec: jobSpecSchema.parse(upscale), uploads: { image } });
    await runner.idle();
    return (await s.jobs.getById(job.id))!;
  }

  it("an asset delete between the upload and the accept: the upload's bytes are stored again, and the job runs", async () => {
    const { assetId, bytes } = await libraryImage();
    const image = await upload(bytes);
    expect(await s.assets.delete(caller.team.id, assetId)).not.toBeNull();
    expect(await s.blobs.has(image.sha256)).toBe(false); // the stored copy went with the asset
    const job = await runUpscale(image);
    expect(job, JSON.stringify(job.error)).toMatchObject({ status: "succeeded" });
  });

  it("the orphan sweep between the upload and the accept (the stored copy old and unreferenced): the job runs", async () => {
    const bytes = await sharp({ create: { width: 96, height: 80, channels: 3, background: "#a63" } }).png().toBuffer();
    await s.blobs.put(bytes); // left by a crash before a commit: no row refers to it
    await age(sha(bytes));
    const image = await upload(bytes);
    expect(await s.assets.sweepOrphans(orphanAgeMs)).toEqual([sha(bytes)]);
    const job = await runUpscale(image);
    expect(job, JSON.stringify(job.error)).toMatchObject({ status: "succeeded" });
  });

  it("a delete and a sweep racing the accept's transaction and the storing after it keep the job's bytes", async () => {
    const { assetId, bytes } = await libraryImage();
    // The stored copy is old, so an orphan sweep would consider it.
    await age(sha(bytes));
    const image = await upload(bytes);
    // Another proxy's connection (PostgreSQL) deletes the asset while the accept's transaction holds the blob's
    // pin: the delete waits for the commit and then sees the job. On SQLite it queues behind the transaction.
    const [db] = kind === "postgres" ? await t.connect(1) : [t.db];
    const other = new SqlAssetRepo(db!, s.blobs);
    let deleting: Promise<unknown> | undefined;
    const racing = new SqlJobStore(t.db, DEFAULT_CATALOG, s.assets, s.jobs.instanceId);
    const jobs: AcceptBatchDeps["jobs"] = {
      createWithHold: (input) =>
        racing.createWithHold({
          ...input,
          price: (state) => {
            deleting ??= other.delete(caller.team.id, assetId); // inside the transaction, after the pin
            return input.price(state);
          },
        }),
      fail: (id, error) => s.jobs.fail(id, error),
      renewLeases: (ids, ms) => s.jobs.renewLeases(ids, ms),
    };
    // After the commit, just before the bytes are moved in: another delete path and the sweep.
    const blobs: AcceptBatchDeps["blobs"] = {
      putFile: async (path, sha256) => {
        await deleting;
        expect(await other.sweepOrphans(orphanAgeMs)).toEqual([]);
        expect(await s.blobs.has(sha256)).toBe(true);
        await s.blobs.putFile(path, sha256);
      },
    };
    const job = await runUpscale(image, { jobs, blobs });
    expect(await deleting).toMatchObject({ id: assetId }); // the asset went, its bytes stayed for the job
    expect(job, JSON.stringify(job.error)).toMatchObject({ status: "succeeded" });
  });

  it("a batch whose uploads take longer to store than a lease lasts: no item is taken over before its bytes are stored", async () => {
    const leaseMs = 450;
    const images = await Promise.all(
      Array.from({ length: 4 }, (_, i) => sharp({ create: { width: 80 + i, height: 80, channels: 3, background: "#36a" } }).png().toBuffer().then(upload)),
    );
    const b = new SqlJobStore(kind === "postgres" ? (await t.connect(1))[0]! : t.db, DEFAULT_CATALOG, new SqlAssetRepo(t.db));
    const takenOver: string[] = [];
    // Each upload takes a lease's length to store (a slow bucket); another instance sweeps meanwhile.
    const blobs: AcceptBatchDeps["blobs"] = {
      putFile: async (path, sha256) => {
        const until = Date.now() + leaseMs;
        while (Date.now() < until) {
          takenOver.push(...(await b.claimLapsed(60_000)).map((j) => j.id));
          await new Promise((r) => setTimeout(r, 50));
        }
        await s.blobs.putFile(path, sha256);
      },
    };
    const batch = batchSchema.parse({ items: images.map(() => upscale) });
    const result = await acceptBatch(deps({ blobs, leaseMs }), { caller, idempotencyKey: null, batch, uploads: images.map((image) => ({ image })) });
    await runner.idle();
    expect(takenOver).toEqual([]);
    const items = (await s.batches.get(caller.team.id, result.batch.id))!.items;
    expect(items.map((j) => [j.status, j.error?.message ?? null])).toEqual(images.map(() => ["succeeded", null]));
  }, 20_000);
});
