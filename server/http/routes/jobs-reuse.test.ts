// Reuse instead of regenerate (issue 6): an identical job of the same team returns the earlier assets for
// 0 credits, the estimate says so before the click, `fresh: true` pays for a new result, and a job without
// a fixed seed is never identical.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estimateSchema, jobResponseSchema, meSchema, type Job } from "../../../core/api/responses.ts";
import { createSpec, startTestServer, type TestServer } from "../../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const balance = async (token: string) => meSchema.parse(await (await s.call("/v1/me", { token })).json()).balance;
const quote = async (token: string, spec: unknown) => estimateSchema.parse(await (await s.call("/v1/estimate", { token, json: spec })).json());
const captures = (teamId: string) => s.deps.stores.db.all<{ amount: number }>("SELECT amount FROM entries WHERE team_id = $1 AND kind = 'capture'", [teamId]);

async function post(token: string, spec: unknown): Promise<{ status: number; job: Job }> {
  const res = await s.call("/v1/jobs", { token, json: spec, headers: { "Idempotency-Key": randomUUID() } });
  return { status: res.status, job: jobResponseSchema.parse(await res.json()).job };
}

describe("reuse of an identical earlier job", () => {
  it("returns the earlier assets for 0 credits, and the estimate says so before the click", async () => {
    const { team, token } = await s.createTeam("pro");
    const spec = createSpec({ seed: 42, variations: 2 });
    expect((await quote(token, spec)).reuse).toBeUndefined();
    const first = await s.runJob(token, spec);
    expect(first.charged).toBeGreaterThan(0);
    const after = await balance(token);

    const q = await quote(token, spec);
    expect(q).toMatchObject({ total: 0, allowed: true, reuse: { jobId: first.id } });
    const { status, job } = await post(token, spec);
    expect(status).toBe(202);
    // Finished at once: nothing queued, nothing held, nothing charged.
    expect(job).toMatchObject({ status: "succeeded", charged: 0, held: 0, reusedFrom: first.id, estimate: { total: 0 } });
    expect(job.assets.map((a) => a.id)).toEqual(first.assets.map((a) => a.id));
    expect(await balance(token)).toEqual(after);
    expect((await captures(team.id)).map((c) => c.amount)).toEqual([first.charged]);
    // The reuse is a job of its own (it is in the team's history), readable like any other.
    const read = jobResponseSchema.parse(await (await s.call(`/v1/jobs/${job.id}`, { token })).json()).job;
    expect(read).toMatchObject({ status: "succeeded", reusedFrom: first.id, charged: 0 });
  });

  it("pays for a new result when the request asks for a fresh one", async () => {
    const { token } = await s.createTeam("pro");
    const spec = createSpec({ seed: 7 });
    const first = await s.runJob(token, spec);
    const fresh = { ...spec, fresh: true };
    const q = await quote(token, fresh);
    expect(q.reuse).toBeUndefined();
    expect(q.total).toBe(first.charged);
    const again = await s.runJob(token, fresh);
    expect(again).toMatchObject({ charged: first.charged });
    expect(again.reusedFrom).toBeUndefined();
    expect(again.assets[0]!.id).not.toBe(first.assets[0]!.id);
  });

  it("never treats a job without a fixed seed as identical", async () => {
    const { token } = await s.createTeam("pro");
    const spec = createSpec({ prompt: "no seed here" });
    const first = await s.runJob(token, spec);
    expect((await quote(token, spec)).reuse).toBeUndefined();
    const again = await s.runJob(token, spec);
    expect(again.charged).toBe(first.charged);
    expect(again.reusedFrom).toBeUndefined();
  });

  it("does not reuse when any setting, the seed, the route or the team differs", async () => {
    const { token } = await s.createTeam("pro");
    const other = await s.createTeam("pro");
    const spec = createSpec({ seed: 99, prompt: "a red kite" });
    const first = await s.runJob(token, spec);
    for (const variant of [
      { ...spec, seed: 100 },
      { ...spec, prompt: "a blue kite" },
      { ...spec, aspectRatio: "16:9" },
      { ...spec, variations: 2 },
      { ...spec, quality: "standard" },
    ]) {
      expect((await quote(token, variant)).reuse, JSON.stringify(variant)).toBeUndefined();
    }
    expect((await quote(other.token, spec)).reuse).toBeUndefined();
    const theirs = await s.runJob(other.token, spec);
    expect(theirs.charged).toBe(first.charged);
    // The same route named explicitly is the same result.
    expect((await quote(token, { ...spec, provider: "local" })).reuse).toEqual({ jobId: first.id });
  });

  it("reuses an upscale of the same library asset's bytes, known before the click by sourceAssetId", async () => {
    const { token } = await s.createTeam("pro");
    const made = await s.runJob(token, createSpec({ seed: 5 }));
    const asset = made.assets[0]!;
    const bytes = new Uint8Array(await (await s.call(asset.url, { token })).arrayBuffer());
    const upscale = { operation: "upscale", mode: "fast", seed: 1, sourceAssetId: asset.id };
    const send = async () => {
      const form = new FormData();
      form.set("spec", JSON.stringify(upscale));
      form.set("image", new Blob([bytes], { type: asset.contentType }), "image");
      const res = await s.call("/v1/jobs", { token, body: form, headers: { "Idempotency-Key": randomUUID() } });
      expect(res.status).toBe(202);
      return s.waitForJob(token, jobResponseSchema.parse(await res.json()).job.id);
    };
    const quoteSpec = { ...upscale, input: { width: asset.width, height: asset.height } };
    expect((await quote(token, quoteSpec)).reuse).toBeUndefined();
    const first = await send();
    expect(first.charged).toBeGreaterThan(0);
    expect(await quote(token, quoteSpec)).toMatchObject({ total: 0, reuse: { jobId: first.id } });
    const before = await balance(token);
    const second = await send();
    expect(second).toMatchObject({ charged: 0, reusedFrom: first.id });
    expect(await balance(token)).toEqual(before);
  });

  it("makes a new result once the earlier one's assets were deleted from the library", async () => {
    const { token } = await s.createTeam("pro");
    const spec = createSpec({ seed: 3 });
    const first = await s.runJob(token, spec);
    await s.deps.stores.db.run("DELETE FROM assets WHERE job_id = $1", [first.id]);
    expect((await quote(token, spec)).reuse).toBeUndefined();
    const again = await s.runJob(token, spec);
    expect(again.charged).toBe(first.charged);
    expect(again.reusedFrom).toBeUndefined();
  });

  it("refuses a sourceAssetId of another team with 404, holding nothing", async () => {
    const mine = await s.createTeam("pro");
    const theirs = await s.createTeam("pro");
    const made = await s.runJob(theirs.token, createSpec());
    const bytes = new Uint8Array(await (await s.call(made.assets[0]!.url, { token: theirs.token })).arrayBuffer());
    const form = new FormData();
    form.set("spec", JSON.stringify({ operation: "upscale", mode: "fast", sourceAssetId: made.assets[0]!.id }));
    form.set("image", new Blob([bytes], { type: "image/png" }), "image");
    const res = await s.call("/v1/jobs", { token: mine.token, body: form });
    expect(res.status).toBe(404);
    expect(await balance(mine.token)).toMatchObject({ held: 0, spent: 0 });
  });
});
