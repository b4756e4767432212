// A finished job's uploads are not part of the library: their bytes are freed once the job is done, unless an
// asset (of any team) or an unfinished job has the same bytes.
import { createHash, randomUUID } from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobResponseSchema, type Job } from "../../core/api/responses.ts";
import { createSpec, startTestServer, type TestServer } from "../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function upscale(token: string, image: Uint8Array, extra: Record<string, unknown> = {}): Promise<Job> {
  const form = new FormData();
  form.set("spec", JSON.stringify({ operation: "upscale", mode: "fast", ...extra }));
  form.set("image", new Blob([new Uint8Array(image)], { type: "image/png" }), "image");
  const res = await s.call("/v1/jobs", { token, body: form, headers: { "Idempotency-Key": randomUUID() } });
  expect(res.status).toBe(202);
  return s.waitForJob(token, jobResponseSchema.parse(await res.json()).job.id);
}

describe("uploaded inputs", () => {
  it("are freed when the job is done, the results stay", async () => {
    const { token } = await s.createTeam("pro");
    const upload = await sharp({ create: { width: 96, height: 64, channels: 3, background: "#336699" } }).png().toBuffer();
    const job = await upscale(token, upload);
    expect(job.status).toBe("succeeded");
    expect(await s.deps.stores.blobs.has(sha(upload))).toBe(false);
    const out = new Uint8Array(await (await s.call(job.assets[0]!.url, { token })).arrayBuffer());
    expect(await s.deps.stores.blobs.has(sha(out))).toBe(true);
  });

  it("stay while they are a library asset's bytes", async () => {
    const { token } = await s.createTeam("pro");
    const made = await s.runJob(token, createSpec());
    const bytes = new Uint8Array(await (await s.call(made.assets[0]!.url, { token })).arrayBuffer());
    const job = await upscale(token, bytes, { sourceAssetId: made.assets[0]!.id });
    expect(job.status).toBe("succeeded");
    expect(await s.deps.stores.blobs.has(sha(bytes))).toBe(true);
    expect((await s.call(made.assets[0]!.url, { token })).status).toBe(200);
  });

  it("of a reused job are freed at once, and the reuse still works", async () => {
    const { token } = await s.createTeam("pro");
    const upload = await sharp({ create: { width: 80, height: 80, channels: 3, background: "#993366" } }).png().toBuffer();
    const first = await upscale(token, upload, { seed: 4 });
    const again = await upscale(token, upload, { seed: 4 });
    expect(again).toMatchObject({ status: "succeeded", reusedFrom: first.id, charged: 0 });
    expect(await s.deps.stores.blobs.has(sha(upload))).toBe(false);
  });
});
