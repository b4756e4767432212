import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../../core/api/errors.ts";
import { jobResponseSchema } from "../../../core/api/responses.ts";
import { gatedProvider } from "../../test-support/fake-providers.ts";
import { createSpec, startTestServer, type TestServer } from "../../test-support/harness.ts";

let s: TestServer;
const gated = gatedProvider();
beforeAll(async () => {
  s = await startTestServer({ adapters: [gated] });
});
afterAll(async () => {
  gated.release();
  await s.close();
});

describe("GET /v1/jobs/:id", () => {
  it("shows a running job's hold, then its result", async () => {
    const { token } = await s.createTeam("pro");
    const created = jobResponseSchema.parse(await (await s.call("/v1/jobs", { token, json: createSpec({ aspectRatio: { width: 128, height: 128 }, variations: 2 }) })).json()).job;
    await gated.started;
    const running = jobResponseSchema.parse(await (await s.call(`/v1/jobs/${created.id}`, { token })).json()).job;
    expect(running).toMatchObject({ id: created.id, status: "running", held: 4, charged: 0, assets: [], progress: { stage: "running", total: 2 } });
    expect(running.error).toBeUndefined();
    gated.release();
    const done = await s.waitForJob(token, created.id);
    expect(done).toMatchObject({ status: "succeeded", held: 0, charged: 4 });
    expect(done.assets.map((a) => a.url)).toEqual(done.assets.map((a) => `/v1/assets/${a.id}/content`));
  });

  it("answers 404 for an unknown job and for another team's job alike", async () => {
    const mine = await s.createTeam("pro");
    const theirs = await s.createTeam("pro");
    const job = jobResponseSchema.parse(await (await s.call("/v1/jobs", { token: mine.token, json: createSpec({ aspectRatio: { width: 64, height: 64 } }) })).json()).job;
    for (const path of [`/v1/jobs/${job.id}`, "/v1/jobs/job_doesnotexistdoesnotexist00"]) {
      const res = await s.call(path, { token: theirs.token });
      expect(res.status).toBe(404);
      expect(errorResponseSchema.parse(await res.json()).error.code).toBe("not_found");
    }
    expect((await s.call(`/v1/jobs/${job.id}`)).status).toBe(401);
    await s.waitForJob(mine.token, job.id);
  });
});
