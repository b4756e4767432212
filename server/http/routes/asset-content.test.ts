import { createHash } from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../../core/api/errors.ts";
import { jobResponseSchema, type Job } from "../../../core/api/responses.ts";
import { createSpec, startTestServer, type TestServer, type TestTeam } from "../../test-support/harness.ts";

let s: TestServer;
let owner: TestTeam;
let job: Job;
beforeAll(async () => {
  s = await startTestServer();
  owner = await s.createTeam("pro");
  const res = await s.call("/v1/jobs", { token: owner.token, json: createSpec({ aspectRatio: { width: 320, height: 200 } }) });
  job = await s.waitForJob(owner.token, jobResponseSchema.parse(await res.json()).job.id);
});
afterAll(() => s.close());

describe("GET /v1/assets/:id/content", () => {
  it("returns the PNG bytes with their type, length and a strong ETag of their sha256", async () => {
    const asset = job.assets[0]!;
    const res = await s.call(asset.url, { token: owner.token, headers: { Origin: "null" } });
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(Number(res.headers.get("content-length"))).toBe(asset.bytes);
    expect(res.headers.get("etag")).toBe(`"${createHash("sha256").update(bytes).digest("hex")}"`);
    expect(res.headers.get("access-control-expose-headers")).toMatch(/ETag/);
    const meta = await sharp(bytes).metadata();
    expect([meta.width, meta.height]).toEqual([320, 200]);
  });

  it("answers 304 without a body when If-None-Match matches", async () => {
    const url = job.assets[0]!.url;
    const etag = (await s.call(url, { token: owner.token })).headers.get("etag")!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const res = await s.call(url, { token: owner.token, headers: { "If-None-Match": header } });
      expect(res.status).toBe(304);
      expect(res.headers.get("etag")).toBe(etag);
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    }
    expect((await s.call(url, { token: owner.token, headers: { "If-None-Match": '"stale"' } })).status).toBe(200);
  });

  it("keeps assets within their team: another team gets 404, no token 401", async () => {
    const other = await s.createTeam("pro");
    const res = await s.call(job.assets[0]!.url, { token: other.token });
    expect(res.status).toBe(404);
    expect(errorResponseSchema.parse(await res.json()).error.code).toBe("not_found");
    expect((await s.call("/v1/assets/ast_nope/content", { token: owner.token })).status).toBe(404);
    expect((await s.call(job.assets[0]!.url)).status).toBe(401);
  });
});
