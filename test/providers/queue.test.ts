// The provider queue through the HTTP API: with PROVIDER_CONCURRENCY=1 and a slow Hugging Face fake, jobs wait
// for the provider's one slot; GET /v1/jobs/:id shows them queued with their place in line as it moves; and an
// enterprise team's job that arrives after a free team's waiting job runs before it (tier priority).
import { afterAll, beforeAll, expect, it } from "vitest";
import { HF_FAKE_TOKEN, startHuggingFaceFake, type HuggingFaceFake } from "../../server/test-support/fakes/huggingface-fake.ts";
import { startTestServer, type TestServer } from "../../server/test-support/harness.ts";
import { jobResponseSchema, type Job } from "../../core/api/responses.ts";
import { expectSucceeded, me, submit, until } from "./support.ts";

const SLOW_MS = 700;
let fake: HuggingFaceFake;
let s: TestServer;

beforeAll(async () => {
  fake = await startHuggingFaceFake();
  s = await startTestServer({ env: { HF_TOKEN: HF_FAKE_TOKEN, HF_BASE_URL: fake.url, HF_TIMEOUT_MS: "5000", PROVIDER_CONCURRENCY: "1" } });
});
afterAll(async () => {
  await s?.close();
  await fake?.close();
});

async function view(token: string, id: string): Promise<Job> {
  return jobResponseSchema.parse(await (await s.call(`/v1/jobs/${id}`, { token })).json()).job;
}

const spec = (prompt: string) => ({ operation: "create", prompt, quality: "draft", aspectRatio: { width: 256, height: 256 } });
const prompts = () => fake.requests.map((r) => (r.json as { inputs: string }).inputs);

it("one slot: later jobs wait as queued with their position, and enterprise overtakes free in the line", async () => {
  fake.failNext(...Array.from({ length: 3 }, () => ({ delayMs: SLOW_MS })));
  const free = await s.createTeam("free");
  const enterprise = await s.createTeam("enterprise");

  // A takes the only slot.
  const a = await submit(s, free, spec("job A (free)"));
  expect(a.job.route).toEqual({ provider: "huggingface", model: "flux-schnell" });
  await until("A at the provider", () => fake.requests.length === 1);
  expect(await view(free.token, a.job.id)).toMatchObject({ status: "running", progress: { stage: "running" } });

  // B (free) waits first in line.
  const b = await submit(s, free, spec("job B (free)"));
  await until("B queued at position 0", async () => (await view(free.token, b.job.id)).progress.queuePosition === 0);
  expect(await view(free.token, b.job.id)).toMatchObject({ status: "queued", held: 2, progress: { stage: "queued", queuePosition: 0, completed: 0, total: 1 } });

  // C (enterprise) arrives later but goes ahead of B.
  const c = await submit(s, enterprise, spec("job C (enterprise)"));
  await until("C ahead of B", async () => {
    const [vb, vc] = await Promise.all([view(free.token, b.job.id), view(enterprise.token, c.job.id)]);
    return vc.progress.queuePosition === 0 && vb.progress.queuePosition === 1;
  });
  expect(await view(enterprise.token, c.job.id)).toMatchObject({ status: "queued", progress: { stage: "queued", queuePosition: 0 } });
  expect(await view(free.token, b.job.id)).toMatchObject({ status: "queued", progress: { stage: "queued", queuePosition: 1 } });
  expect(fake.requests).toHaveLength(1); // nobody else reached the provider while A held the slot

  // A finishes; C runs next, then B; each charged its estimate, and nothing stays held.
  const done = await Promise.all([s.waitForJob(free.token, a.job.id), s.waitForJob(enterprise.token, c.job.id), s.waitForJob(free.token, b.job.id)]);
  for (const job of done) expect(job).toMatchObject({ status: "succeeded", charged: 2, held: 0, progress: { stage: "done", completed: 1, total: 1 } });
  expect(prompts()).toEqual(["job A (free)", "job C (enterprise)", "job B (free)"]);
  expect((await me(s, free.token)).balance).toMatchObject({ available: a.before.balance.available! - 4, held: 0, spent: 4 });
  expect((await me(s, enterprise.token)).balance).toMatchObject({ held: 0, spent: 2 });
  await expectSucceeded(s, enterprise, await submit(s, enterprise, spec("the line is empty again")));
});
