// Several proxy processes on one PostgreSQL database and one S3-compatible bucket (s3rver), as a team with N
// instances behind a load balancer runs them: each process has its own DATA_DIR (its own disk), so what
// they share is only the database and the bucket. Helpers to post jobs, follow a job's events as a client
// does, and check that no byte was lost.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { errorResponseSchema } from "../../core/api/errors.ts";
import { jobResponseSchema, jobSchema, type Job } from "../../core/api/responses.ts";
import { S3BlobStore } from "../../server/assets/s3-blob-store.ts";
import { startStabilityFake, type StabilityFake } from "../../server/test-support/fakes/stability-fake.ts";
import { startS3Server, type S3TestServer } from "../../server/test-support/s3-server.ts";
import { spawnServer, type SpawnedServer } from "../../server/test-support/spawn-server.ts";
import { call, openCluster, type Cluster } from "../ledger/support/cluster.ts";

// The HTTP helpers are the ledger cluster's (the same API, driven the same way).
export { call, finished, getJob, waitForJob } from "../ledger/support/cluster.ts";

export interface Instance extends SpawnedServer {
  dataDir: string;
}

export interface Scale {
  cluster: Cluster;
  s3: S3TestServer;
  bucket: string;
  /** This test's view of the bucket. */
  blobs: S3BlobStore;
  /** Starts a proxy process on the database and the bucket, with its own DATA_DIR. */
  start(env?: Record<string, string>): Promise<Instance>;
  close(): Promise<void>;
}

let buckets = 0;

export async function openScale(): Promise<Scale> {
  const s3 = await startS3Server();
  const cluster = await openCluster("postgres");
  const bucket = `scale-${process.pid}-${++buckets}`;
  await s3.createBucket(bucket);
  const root = await mkdtemp(join(tmpdir(), "scale-"));
  const blobs = new S3BlobStore(s3.config(bucket, "assets/"), join(root, "test-tmp"));
  const started: Instance[] = [];
  return {
    cluster,
    s3,
    bucket,
    blobs,
    async start(env = {}) {
      const dataDir = await mkdtemp(join(root, "proxy-"));
      const server = await spawnServer({ DATABASE_URL: cluster.databaseUrl, DATA_DIR: dataDir, HOST: "127.0.0.1", ...s3.env(bucket, "assets/"), ...env }, 30_000);
      const instance = { ...server, dataDir };
      started.push(instance);
      return instance;
    },
    async close() {
      await Promise.allSettled(started.map((p) => (p.child.exitCode === null && p.child.signalCode === null ? p.stop("SIGKILL") : null)));
      blobs.close();
      await cluster.close();
      await s3.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * A scale test file's setup: a Scale (database, bucket) and a Stability fake, opened before its tests and
 * closed after them; read `scale` and `stability` inside the tests.
 */
export function useScale(): { readonly scale: Scale; readonly stability: StabilityFake } {
  let scale: Scale | undefined;
  let stability: StabilityFake | undefined;
  beforeAll(async () => {
    [scale, stability] = await Promise.all([openScale(), startStabilityFake()]);
  }, 60_000);
  afterAll(async () => {
    await scale?.close();
    await stability?.close();
  }, 60_000);
  return {
    get scale() {
      if (!scale) throw new Error("useScale(): read scale inside a test");
      return scale;
    },
    get stability() {
      if (!stability) throw new Error("useScale(): read stability inside a test");
      return stability;
    },
  };
}

/** POST /v1/jobs: JSON, or multipart when images are given; expects 202. */
export async function postJob(base: string, token: string, spec: Record<string, unknown>, images: Record<string, Buffer> = {}): Promise<Job> {
  let res: Response;
  if (Object.keys(images).length === 0) res = await call(base, "/v1/jobs", { token, json: spec });
  else {
    const form = new FormData();
    form.append("spec", JSON.stringify(spec));
    for (const [part, bytes] of Object.entries(images)) form.append(part, new Blob([new Uint8Array(bytes)], { type: "image/png" }), `${part}.png`);
    res = await fetch(`${base}/v1/jobs`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: form });
  }
  const text = await res.text();
  expect(res.status, text).toBe(202);
  return jobResponseSchema.parse(JSON.parse(text)).job;
}

export interface JobEvent {
  job: Job;
  /** performance.timeOrigin + performance.now() when it arrived: comparable with the database clock here. */
  at: number;
}

/** Follows GET /v1/jobs/:id/events as a client does; `events` fills as they arrive, `done` when the stream ends. */
export function followEvents(base: string, token: string, id: string): { events: JobEvent[]; opened: Promise<void>; done: Promise<void>; stop(): void } {
  const events: JobEvent[] = [];
  const abort = new AbortController();
  let opened!: () => void;
  const openedP = new Promise<void>((r) => (opened = r));
  const done = (async () => {
    const res = await fetch(`${base}/v1/jobs/${id}/events`, { headers: { Authorization: `Bearer ${token}` }, signal: abort.signal });
    expect(res.status).toBe(200);
    opened();
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split("\n").find((l) => l.startsWith("data:"));
        if (data && block.includes("event: job")) events.push({ job: jobSchema.parse((JSON.parse(data.slice(5).trim()) as { job: unknown }).job), at: performance.timeOrigin + performance.now() });
      }
    }
  })();
  return { events, opened: openedP, done, stop: () => abort.abort() };
}

export async function errorOf(res: Response): Promise<{ code: string; details?: Record<string, unknown> }> {
  return errorResponseSchema.parse(await res.json()).error;
}

/**
 * No byte lost, none left over: every asset's content answers on every instance given; the bucket holds
 * exactly the bytes that assets and unfinished jobs refer to; and no instance wrote asset bytes or left
 * temporary files on its own disk.
 */
export async function expectBytesWhole(scale: Scale, token: string, teamId: string, bases: readonly string[], instances: readonly Instance[]): Promise<number> {
  const db = scale.cluster.stores.db;
  const assets = await db.all<{ id: string; sha256: string; bytes: number }>("SELECT id, sha256, bytes FROM assets WHERE team_id = $1", [teamId]);
  for (const a of assets)
    for (const base of bases) {
      const res = await call(base, `/v1/assets/${a.id}/content`, { token });
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(a.bytes);
    }
  const inputs = (await db.all<{ inputs: string | null }>("SELECT inputs FROM jobs WHERE status IN ('queued', 'running')")).flatMap((r) =>
    r.inputs ? Object.values(JSON.parse(r.inputs) as Record<string, string>) : [],
  );
  const referenced = new Set([...(await db.all<{ sha256: string }>("SELECT sha256 FROM assets")).map((r) => r.sha256), ...inputs]);
  const stored: string[] = [];
  for await (const b of scale.blobs.list()) stored.push(b.sha256);
  expect(stored.sort()).toEqual([...referenced].sort());
  for (const p of instances) {
    expect(await readdir(join(p.dataDir, "tmp")).catch(() => [])).toEqual([]);
    expect(await readdir(join(p.dataDir, "assets")).catch(() => [])).toEqual([]);
  }
  return assets.length;
}
