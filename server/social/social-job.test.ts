// The social optimizer as a job through the proxy (issue 6.3): one image to many platform formats at once,
// for 0 credits, each format's safe zone as data beside the image, never in it.
import { randomUUID } from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assetResponseSchema } from "../../core/api/assets.ts";
import { errorResponseSchema } from "../../core/api/errors.ts";
import { jobResponseSchema, meSchema, type Job } from "../../core/api/responses.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { createSpec, startTestServer, type TestServer } from "../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const ALL = DEFAULT_CATALOG.social.formats.map((f) => f.id);

/** Left half red, right half blue: where a crop was taken is visible in the result's mean colour. */
async function splitImage(width: number, height: number): Promise<Buffer> {
  const half = Math.floor(width / 2);
  const red = await sharp({ create: { width: half, height, channels: 3, background: "#ff0000" } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: "#0000ff" } })
    .composite([{ input: red, left: 0, top: 0 }])
    .png()
    .toBuffer();
}

async function social(token: string, spec: Record<string, unknown>, image: Buffer): Promise<{ status: number; body: unknown }> {
  const form = new FormData();
  form.set("spec", JSON.stringify({ operation: "social", ...spec }));
  form.set("image", new Blob([new Uint8Array(image)], { type: "image/png" }), "image");
  const res = await s.call("/v1/jobs", { token, body: form, headers: { "Idempotency-Key": randomUUID() } });
  return { status: res.status, body: await res.json() };
}

async function run(token: string, spec: Record<string, unknown>, image: Buffer): Promise<Job> {
  const { status, body } = await social(token, spec, image);
  expect(status, JSON.stringify(body)).toBe(202);
  return s.waitForJob(token, jobResponseSchema.parse(body).job.id);
}

const meanRgb = async (bytes: Uint8Array) => (await sharp(bytes).stats()).channels.slice(0, 3).map((c) => Math.round(c.mean));

describe("social optimizer jobs", () => {
  it("makes all fifteen formats from one image at their exact sizes, for 0 credits on the free tier", async () => {
    const { token } = await s.createTeam("free");
    const before = meSchema.parse(await (await s.call("/v1/me", { token })).json()).balance;
    const job = await run(token, { formats: ALL, crop: "smart" }, await splitImage(2048, 2048));
    expect(job).toMatchObject({ status: "succeeded", charged: 0, estimate: { total: 0 } });
    expect(job.assets.map((a) => `${a.format} ${a.width}x${a.height}`)).toEqual(DEFAULT_CATALOG.social.formats.map((f) => `${f.id} ${f.width}x${f.height}`));
    for (const a of job.assets) {
      const meta = await sharp(new Uint8Array(await (await s.call(a.url, { token })).arrayBuffer())).metadata();
      expect([meta.width, meta.height]).toEqual([a.width, a.height]);
    }
    expect(meSchema.parse(await (await s.call("/v1/me", { token })).json()).balance).toEqual(before);
  });

  it("follows the focal point, and fit keeps the whole picture", async () => {
    const { token } = await s.createTeam("pro");
    const image = await splitImage(1600, 900);
    const left = await run(token, { formats: ["pinterest-pin"], crop: "center", focalPoint: { x: 0.05, y: 0.5 } }, image);
    const right = await run(token, { formats: ["pinterest-pin"], crop: "center", focalPoint: { x: 0.95, y: 0.5 } }, image);
    const bytesOf = async (j: Job) => new Uint8Array(await (await s.call(j.assets[0]!.url, { token })).arrayBuffer());
    const [lr, , lb] = await meanRgb(await bytesOf(left));
    const [rr, , rb] = await meanRgb(await bytesOf(right));
    expect(lr).toBeGreaterThan(200);
    expect(lb).toBeLessThan(55);
    expect(rb).toBeGreaterThan(200);
    expect(rr).toBeLessThan(55);
    // Fit pads instead of cropping: both halves survive, in equal parts.
    const fit = await run(token, { formats: ["pinterest-pin"], crop: "fit" }, image);
    const [fr, , fb] = await meanRgb(await bytesOf(fit));
    expect(Math.abs(fr! - fb!)).toBeLessThan(10);
  });

  it("records each result with its format and safe zone as data, and the library asset it came from", async () => {
    const { token } = await s.createTeam("pro");
    const made = await s.runJob(token, createSpec({ aspectRatio: "16:9" }));
    const source = made.assets[0]!;
    const bytes = Buffer.from(await (await s.call(source.url, { token })).arrayBuffer());
    const job = await run(token, { formats: ["instagram-story", "x-post"], crop: "smart", sourceAssetId: source.id }, bytes);
    const story = assetResponseSchema.parse(await (await s.call(`/v1/assets/${job.assets[0]!.id}`, { token })).json()).asset;
    const catalogStory = DEFAULT_CATALOG.social.formats.find((f) => f.id === "instagram-story")!;
    expect(story).toMatchObject({ type: "social", operation: "social", cost: 0, parentAssetId: source.id, jobId: job.id });
    expect(story.format).toEqual({ id: "instagram-story", safeZone: catalogStory.safeZone });
    const post = assetResponseSchema.parse(await (await s.call(`/v1/assets/${job.assets[1]!.id}`, { token })).json()).asset;
    expect(post.format).toEqual({ id: "x-post" });
  });

  it("refuses unknown formats, a missing image and an image that is not one, holding nothing", async () => {
    const { token } = await s.createTeam("pro");
    const png = await splitImage(200, 200);
    const unknown = await social(token, { formats: ["myspace-banner"] }, png);
    expect(unknown.status).toBe(400);
    expect(errorResponseSchema.parse(unknown.body).error.details).toMatchObject({ fields: { "formats.0": expect.stringContaining("unknown format") } });
    const none = await s.call("/v1/jobs", { token, json: { operation: "social", formats: ["x-post"] } });
    expect(none.status).toBe(400);
    const garbage = await social(token, { formats: ["x-post"] }, Buffer.from("not an image at all"));
    expect(garbage.status).toBe(415);
    expect(await s.deps.stores.db.all("SELECT id FROM jobs WHERE operation = 'social' AND status = 'failed'")).toEqual([]);
  });
});
