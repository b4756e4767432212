import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../../core/api/errors.ts";
import { jobResponseSchema, type Job } from "../../../core/api/responses.ts";
import { JobChanges } from "../../jobs/job-changes.ts";
import { createApp } from "../app.ts";
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

/** Reads a text/event-stream body to its end and returns the `job` events' payloads. */
async function events(res: Response): Promise<Job[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.includes("event: job"))
    .map((block) => jobResponseSchema.parse(JSON.parse(block.split("\n").find((l) => l.startsWith("data: "))!.slice(6))).job);
}

describe("GET /v1/jobs/:id/events", () => {
  it("streams the job as it changes and ends when it has finished", async () => {
    const { token } = await s.createTeam("pro");
    const created = jobResponseSchema.parse(await (await s.call("/v1/jobs", { token, json: createSpec({ aspectRatio: { width: 128, height: 128 } }) })).json()).job;
    await gated.started;
    const stream = s.call(`/v1/jobs/${created.id}/events`, { token });
    const res = await stream;
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    setTimeout(() => gated.release(), 300);
    const seen = await events(res);
    expect(seen[0]).toMatchObject({ id: created.id, status: "running" });
    expect(seen.at(-1)).toMatchObject({ id: created.id, status: "succeeded", charged: created.estimate.total });
    // Only changes are sent: no two consecutive events are the same.
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toEqual(seen[i - 1]);
  });

  it("is 404 for another team's job and 401 without a token", async () => {
    const a = await s.createTeam("pro");
    const b = await s.createTeam("pro");
    gated.release();
    const job = jobResponseSchema.parse(await (await s.call("/v1/jobs", { token: a.token, json: createSpec({ aspectRatio: { width: 128, height: 128 } }) })).json()).job;
    expect((await s.call(`/v1/jobs/${job.id}/events`, { token: b.token })).status).toBe(404);
    expect((await s.call(`/v1/jobs/${job.id}/events`)).status).toBe(401);
  });

  it("refuses a stream with 503 and Retry-After once the process follows as many as its bound", async () => {
    const { token } = await s.createTeam("pro");
    gated.release();
    const job = jobResponseSchema.parse(await (await s.call("/v1/jobs", { token, json: createSpec({ aspectRatio: { width: 128, height: 128 } }) })).json()).job;
    const app = createApp({ ...s.deps, jobChanges: new JobChanges(0) });
    const res = await app.request(`/v1/jobs/${job.id}/events`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(errorResponseSchema.parse(await res.json()).error.code).toBe("provider_unavailable");
  });
});
