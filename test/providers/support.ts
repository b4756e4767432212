// Shared steps of the provider-through-the-proxy tests: post a job as the panel does (JSON, or multipart with
// image parts made by sharp), then check what a client and the ledger see: a succeeded job charged exactly its
// estimate with downloadable canvas-ready assets, or a failed job with its docs/api.md code that charged nothing and
// released its hold; and refusals at POST time that hold nothing at all.
import sharp from "sharp";
import { expect } from "vitest";
import { ERROR_STATUS, errorResponseSchema, type ApiErrorBody, type ErrorCode, type JobError } from "../../core/api/errors.ts";
import { jobResponseSchema, meSchema, type Job, type Me } from "../../core/api/responses.ts";
import type { StartServerOptions } from "../../server/start-server.ts";
import { startTestServer, type TestServer, type TestTeam } from "../../server/test-support/harness.ts";

export type Images = Partial<Record<"image" | "mask" | "backgroundReference" | "lightReference", Buffer>>;

let colour = 17;
/** A real PNG (or JPEG) with some structure, so encoders and resizers have something to work on. */
export async function picture(width: number, height: number, options: { format?: "png" | "jpeg"; alpha?: boolean } = {}): Promise<Buffer> {
  colour = (colour + 53) % 256;
  const channels = options.alpha ? 4 : 3;
  const base = sharp({ create: { width, height, channels, background: { r: colour, g: 90, b: 255 - colour, alpha: 1 } } });
  const spot = await sharp({ create: { width: Math.max(1, width >> 1), height: Math.max(1, height >> 1), channels, background: { r: 250, g: 240, b: 20, alpha: 1 } } })
    .png()
    .toBuffer();
  const composed = base.composite([{ input: spot, left: width >> 2, top: height >> 2 }]);
  return options.format === "jpeg" ? composed.jpeg({ quality: 85 }).toBuffer() : composed.png().toBuffer();
}

/** A black mask with a white rectangle in the middle (white = the area to change). */
export async function mask(width: number, height: number): Promise<Buffer> {
  const white = await sharp({ create: { width: Math.max(1, width >> 1), height: Math.max(1, height >> 1), channels: 3, background: "#ffffff" } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: "#000000" } })
    .composite([{ input: white, left: width >> 2, top: height >> 2 }])
    .png()
    .toBuffer();
}

let keys = 0;
/** POST /v1/jobs: JSON for a spec alone, multipart (`spec` + image parts) when images are given. */
export function postJob(s: TestServer, token: string, spec: Record<string, unknown>, images: Images = {}): Promise<Response> {
  const headers = { "Idempotency-Key": `providers-${process.pid}-${++keys}` };
  if (Object.keys(images).length === 0) return s.call("/v1/jobs", { token, json: spec, headers });
  const form = new FormData();
  form.append("spec", JSON.stringify(spec));
  for (const [part, bytes] of Object.entries(images)) {
    const type = bytes[0] === 0xff ? "image/jpeg" : "image/png";
    form.append(part, new Blob([new Uint8Array(bytes)], { type }), `${part}.${type === "image/jpeg" ? "jpg" : "png"}`);
  }
  return s.call("/v1/jobs", { token, body: form, headers });
}

export async function me(s: TestServer, token: string): Promise<Me> {
  const res = await s.call("/v1/me", { token });
  expect(res.status).toBe(200);
  return meSchema.parse(await res.json());
}

/** The 202 of an accepted job, with its hold equal to its estimate. */
export async function accepted(res: Response): Promise<Job> {
  const text = await res.text();
  expect(res.status, text).toBe(202);
  const { job } = jobResponseSchema.parse(JSON.parse(text));
  expect(job.held).toBe(job.estimate.total);
  expect(job.charged).toBe(0);
  return job;
}

export interface Submitted {
  job: Job;
  before: Me;
}

/** Posts a job and checks it was accepted; `before` is the balance just before the POST. */
export async function submit(s: TestServer, t: TestTeam, spec: Record<string, unknown>, images: Images = {}): Promise<Submitted> {
  const before = await me(s, t.token);
  const job = await accepted(await postJob(s, t.token, spec, images));
  return { job, before };
}

export interface SucceededJob {
  job: Job;
  /** The decoded assets, in order. */
  images: { format: string; width: number; height: number; bytes: Buffer }[];
}

/**
 * Waits for the job and checks it as a client would: succeeded, every asset downloadable as PNG or JPEG with
 * the long side at most 4096 px, charged exactly the estimate the 202 showed, and the balance down by exactly
 * that (entries: one hold, one capture).
 */
export async function expectSucceeded(s: TestServer, t: TestTeam, submitted: Submitted, timeoutMs = 15_000): Promise<SucceededJob> {
  const { job: first, before } = submitted;
  const job = await s.waitForJob(t.token, first.id, timeoutMs);
  expect(job.error, JSON.stringify(job.error)).toBeUndefined();
  expect(job.status).toBe("succeeded");
  expect(job.charged).toBe(first.estimate.total);
  expect(job.held).toBe(0);
  expect(job.assets.length).toBeGreaterThan(0);
  expect(job.assets.reduce((n, a) => n + a.cost, 0)).toBe(job.charged);
  const images: SucceededJob["images"] = [];
  for (const asset of job.assets) {
    const res = await s.call(asset.url, { token: t.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(asset.contentType);
    const bytes = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect(["png", "jpeg"]).toContain(meta.format);
    expect(`image/${meta.format}`).toBe(asset.contentType);
    expect([meta.width, meta.height]).toEqual([asset.width, asset.height]);
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(4096);
    images.push({ format: meta.format!, width: meta.width!, height: meta.height!, bytes });
  }
  const after = await me(s, t.token);
  if (before.balance.available !== null) expect(after.balance.available).toBe(before.balance.available - job.charged);
  expect(after.balance.spent - before.balance.spent).toBe(job.charged);
  expect(after.balance.held).toBe(before.balance.held);
  const entries = await s.deps.stores.ledger.entries(t.team.id, { jobId: job.id });
  if (job.charged > 0) expect(entries.map((e) => [e.kind, e.amount])).toEqual([["hold", job.charged], ["capture", job.charged]]);
  else expect(entries.filter((e) => e.amount > 0)).toEqual([]);
  return { job, images };
}

/**
 * Waits for the job and checks the failure as a client would: failed with `code`, a message saying nothing
 * was charged, charged 0, the balance as it was before the POST, and the hold released (hold + release).
 */
export async function expectFailed(s: TestServer, t: TestTeam, submitted: Submitted, code: ErrorCode, timeoutMs = 15_000): Promise<JobError> {
  const { job: first, before } = submitted;
  const job = await s.waitForJob(t.token, first.id, timeoutMs);
  expect(job.status, JSON.stringify(job)).toBe("failed");
  expect(job.error?.code, job.error?.message).toBe(code);
  expect(job.error!.message).toMatch(/Nothing was charged\.$/);
  expect(job.charged).toBe(0);
  expect(job.held).toBe(0);
  expect(job.assets).toEqual([]);
  const after = await me(s, t.token);
  expect(after.balance.available).toBe(before.balance.available);
  expect(after.balance.spent).toBe(before.balance.spent);
  expect(after.balance.held).toBe(before.balance.held);
  const entries = await s.deps.stores.ledger.entries(t.team.id, { jobId: job.id });
  expect(entries.map((e) => [e.kind, e.amount])).toEqual([
    ["hold", first.estimate.total],
    ["release", first.estimate.total],
  ]);
  return job.error!;
}

/** A refusal before anything is held: the docs/api.md status and code, no hold, no entry, the balance untouched. */
export async function expectRefused(s: TestServer, t: TestTeam, spec: Record<string, unknown>, code: ErrorCode, images: Images = {}): Promise<ApiErrorBody> {
  const before = await me(s, t.token);
  const entriesBefore = (await s.deps.stores.ledger.entries(t.team.id)).length;
  const res = await postJob(s, t.token, spec, images);
  const text = await res.text();
  expect(res.status, text).toBe(ERROR_STATUS[code]);
  const { error } = errorResponseSchema.parse(JSON.parse(text));
  expect(error.code).toBe(code);
  const after = await me(s, t.token);
  expect(after.balance).toEqual(before.balance);
  expect((await s.deps.stores.ledger.entries(t.team.id)).length).toBe(entriesBefore);
  return error;
}

/** Waits until `check` holds (polling every 10 ms), or fails after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A fake provider and a proxy of its own, for tests that run concurrently without sharing scripted failures. */
export interface Rig<F> {
  fake: F;
  s: TestServer;
  team: TestTeam;
}

/** Starts `startFake()`, a proxy on `options(fake)` and a pro team; runs `body`; closes both whatever happens. */
export function isolated<F extends { close(): Promise<void> }>(
  startFake: () => Promise<F>,
  options: (fake: F) => StartServerOptions,
): (body: (rig: Rig<F>) => Promise<void>) => () => Promise<void> {
  return (body) => async () => {
    const fake = await startFake();
    let s: TestServer | undefined;
    try {
      s = await startTestServer(options(fake));
      await body({ fake, s, team: await s.createTeam("pro") });
    } finally {
      await s?.close();
      await fake.close();
    }
  };
}
