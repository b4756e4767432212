// GET /v1/batches/:id/events is not a database poll per client: between changes the stream waits on the
// items' news (JobChanges.nextAny), and re-reads without news only after `jobChanges.pollMs`, which on
// PostgreSQL while listening is a 30 s safety net (pg-job-changes.ts). Here pollMs is that long, so a
// stream that read on a short timer, or that missed an item's news, would show it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { batchResponseSchema } from "../../../core/api/responses.ts";
import { LISTENING_POLL_MS } from "../../jobs/pg-job-changes.ts";
import { createApp } from "../app.ts";
import { gatedProvider } from "../../test-support/fake-providers.ts";
import { createSpec, SMALL, startTestServer, type TestServer } from "../../test-support/harness.ts";

let s: TestServer;
let gated: ReturnType<typeof gatedProvider>;
// A proxy per test: each holds its items at its own provider gate.
beforeEach(async () => {
  gated = gatedProvider();
  s = await startTestServer({ adapters: [gated] });
  // As on PostgreSQL with its news connection up: no re-read without news for 30 s.
  Object.defineProperty(s.deps.jobChanges, "pollMs", { get: () => LISTENING_POLL_MS });
});
afterEach(async () => {
  gated.release();
  await s.close();
});

/** The stream's text as it comes: `read(until, ms)` reads until `until(text)`, the end, or `ms` (then cancels). */
function sse(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const s = {
    text: "",
    ended: false,
    async read(until: (t: string) => boolean, ms: number) {
      const deadline = setTimeout(() => void reader.cancel(), ms);
      while (!until(s.text)) {
        const { value, done } = await reader.read();
        if (done) {
          s.ended = true;
          break;
        }
        s.text += value;
      }
      clearTimeout(deadline);
    },
    cancel: () => reader.cancel(),
  };
  return s;
}

describe("GET /v1/batches/:id/events", () => {
  it("leaves the items' news as soon as its client goes, not after the 30 s re-read", async () => {
    // Each open stream is one waiter under the process's bound (job-changes.ts): a gone client must not keep its place.
    const { token } = await s.createTeam("pro");
    const items = Array.from({ length: 2 }, (_, i) => createSpec({ aspectRatio: SMALL, prompt: `banner ${i}` }));
    const created = batchResponseSchema.parse(await (await s.call("/v1/batches", { token, json: { items } })).json()).batch;
    await gated.started;
    const before = s.deps.jobChanges.waiters;
    const stream = sse(await s.app.request(`/v1/batches/${created.id}/events`, { headers: { Authorization: `Bearer ${token}` } }));
    await stream.read((t) => t.includes("event: batch"), 5_000);
    expect(stream.text).toContain('"status":"running"');
    expect(s.deps.jobChanges.waiters).toBe(before + 1);
    await stream.cancel();
    const until = Date.now() + 2_000;
    while (s.deps.jobChanges.waiters > before && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(s.deps.jobChanges.waiters).toBe(before);
  });

  it("reads the batch only when an item changes, and sends each change at once", async () => {
    const { token } = await s.createTeam("pro");
    const items = Array.from({ length: 3 }, (_, i) => createSpec({ aspectRatio: SMALL, prompt: `poster ${i}` }));
    const created = batchResponseSchema.parse(await (await s.call("/v1/batches", { token, json: { items } })).json()).batch;
    // Items at the provider, held there by the gate, the rest waiting for its slots: nothing moves any more.
    const look = async () => batchResponseSchema.parse(await (await s.call(`/v1/batches/${created.id}`, { token })).json()).batch;
    for (let seen = await look(), until = Date.now() + 5_000; Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 200));
      const now = await look();
      if (now.progress.running > 0 && now.updatedAt === seen.updatedAt) break;
      seen = now;
    }

    let reads = 0;
    const batches = s.deps.stores.batches;
    const counting: typeof batches = {
      createWithHolds: (input) => batches.createWithHolds(input),
      cancel: (teamId, id, error) => batches.cancel(teamId, id, error),
      get: (teamId, id) => {
        reads++;
        return batches.get(teamId, id);
      },
    };
    const app = createApp({ ...s.deps, stores: { ...s.deps.stores, batches: counting } });
    const res = await app.request(`/v1/batches/${created.id}/events`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const stream = sse(res);
    await stream.read((t) => t.includes("event: batch"), 5_000);
    expect(stream.text).toContain('"status":"running"');

    // Nothing changes while the provider holds every item: the stream reads nothing more.
    const quiet = reads;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(reads).toBe(quiet);

    // The items finish: their news wakes the stream, which ends with the batch's last event long before 30 s.
    const t0 = Date.now();
    gated.release();
    await stream.read(() => false, 10_000);
    expect(stream.ended).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5_000);
    const last = stream.text.trim().split("\n\n").at(-1)!;
    expect(last).toMatch(/^event: batch/);
    expect(batchResponseSchema.parse(JSON.parse(/data: (.*)/.exec(last)![1]!)).batch).toMatchObject({ status: "succeeded", progress: { succeeded: 3 } });
    // One read per wake, each wake an item's news: at most a few per item, never a timer's worth.
    expect(reads - quiet).toBeLessThanOrEqual(3 * 3);
  });
});
