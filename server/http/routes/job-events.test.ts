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

  it("sends a change that lands while the stream reads the job at once, not at the next re-read", async () => {
    // On PostgreSQL the re-read without news is a 30 s safety net (pg-job-changes.ts, LISTENING_POLL_MS), so a
    // stream must be listening BEFORE it reads: news that arrives during the read then wakes it again.
    const { token } = await s.createTeam("pro");
    gated.release();
    const created = jobResponseSchema.parse(await (await s.call("/v1/jobs", { token, json: createSpec({ aspectRatio: { width: 128, height: 128 } }) })).json()).job;
    const real = s.deps.stores.jobs;
    let done = await real.getById(created.id);
    for (const until = Date.now() + 10_000; done?.status !== "succeeded" && Date.now() < until; done = await real.getById(created.id))
      await new Promise((r) => setTimeout(r, 20));
    expect(done?.status).toBe("succeeded");
    const running = { ...done!, status: "running" as const, progress: { stage: "running" as const, completed: 0, total: 1 } };
    class ListeningChanges extends JobChanges {
      override get pollMs(): number {
        return 30_000;
      }
    }
    const changes = new ListeningChanges();
    // The job "is running" until the race: then one read returns the running job while the job finishes and its
    // news arrives (the other proxy's NOTIFY) before that read's answer is used; later reads see it finished.
    let phase: "running" | "racing" | "finished" = "running";
    const jobs = Object.assign(Object.create(real) as typeof real, {
      async get(teamId: string, id: string) {
        const record = await real.get(teamId, id);
        if (!record || phase === "finished") return record;
        if (phase === "racing") {
          phase = "finished";
          changes.notify(id);
        }
        return running;
      },
    });
    const app = createApp({ ...s.deps, jobChanges: changes, stores: { ...s.deps.stores, jobs } });
    const res = await app.request(`/v1/jobs/${created.id}/events`, { headers: { Authorization: `Bearer ${token}` } });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const read = async (until: (t: string) => boolean, ms: number) => {
      const deadline = setTimeout(() => void reader.cancel(), ms);
      while (!until(text)) {
        const { value, done: end } = await reader.read();
        if (end) break;
        text += value;
      }
      clearTimeout(deadline);
    };
    await read((t) => t.includes('"status":"running"'), 5_000);
    expect(text).toContain('"status":"running"');
    phase = "racing";
    changes.notify(created.id); // some change: the stream reads again, and the race happens in that read
    const t0 = Date.now();
    await read((t) => t.includes('"status":"succeeded"'), 5_000);
    expect(text).toContain('"status":"succeeded"');
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it("leaves no waiter behind once a stream has ended: it does not count against the bound until its timer", async () => {
    const { token } = await s.createTeam("pro");
    gated.release();
    const created = jobResponseSchema.parse(await (await s.call("/v1/jobs", { token, json: createSpec({ aspectRatio: { width: 128, height: 128 } }) })).json()).job;
    for (const until = Date.now() + 10_000; (await s.deps.stores.jobs.getById(created.id))?.status !== "succeeded" && Date.now() < until; )
      await new Promise((r) => setTimeout(r, 20));
    const changes = new (class extends JobChanges {
      override get pollMs(): number {
        return 30_000; // PostgreSQL's safety-net re-read
      }
    })();
    const app = createApp({ ...s.deps, jobChanges: changes });
    for (let i = 0; i < 3; i++) {
      const res = await app.request(`/v1/jobs/${created.id}/events`, { headers: { Authorization: `Bearer ${token}` } });
      expect((await events(res)).at(-1)?.status).toBe("succeeded");
    }
    expect(changes.waiters).toBe(0);
  });
});
