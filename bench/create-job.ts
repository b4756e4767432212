// A create job through the real proxy over HTTP on 127.0.0.1, with the offline local provider:
// the accept path (validate, estimate, hold in one transaction, 202) and whole jobs per second.
import { performance } from "node:perf_hooks";
import { jobResponseSchema } from "../core/api/responses.ts";
import { startTestServer } from "../server/test-support/harness.ts";
import { summarize } from "./stats.ts";

const server = await startTestServer();
const { token } = await server.createTeam("enterprise"); // unlimited: the bench never runs out of credits
// The panel polls every 250 ms or more; 10 ms keeps the measurement fine-grained without the polls
// themselves saturating the two cores.
const POLL_MS = 10;
const small = { operation: "create", prompt: "bench", quality: "draft", aspectRatio: { width: 256, height: 256 } };

async function submit(i: number, spec: Record<string, unknown> = small): Promise<string> {
  const res = await server.call("/v1/jobs", { token, json: { ...spec, seed: i }, headers: { "Idempotency-Key": `bench-${spec.aspectRatio === undefined ? "1mp" : "s"}-${i}` } });
  if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}: ${await res.text()}`);
  return jobResponseSchema.parse(await res.json()).job.id;
}

async function finished(id: string): Promise<void> {
  for (;;) {
    const { job } = jobResponseSchema.parse(await (await server.call(`/v1/jobs/${id}`, { token })).json());
    if (job.status === "succeeded") return;
    if (job.status === "failed") throw new Error(`job ${id} failed: ${job.error?.message}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

// 1. Accept latency: POST until 202 (the hold is in place when it answers), one client.
for (let i = 0; i < 50; i++) await submit(1_000_000 + i); // warm up
{
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    await submit(i);
    samples.push(performance.now() - t);
  }
  console.log(summarize("POST /v1/jobs until 202 (1 client)", samples, performance.now() - start));
}
// Those 550 jobs still render in the background; let them finish so the next figure measures its own jobs.
await server.deps.runner.idle();

// 2. Whole jobs (accept, render 256x256 PNG, store, capture, poll until succeeded) at 16 clients.
{
  const clients = 16;
  const perClient = 25;
  const samples: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let j = 0; j < perClient; j++) {
        const t = performance.now();
        await finished(await submit(10_000 + c * perClient + j));
        samples.push(performance.now() - t);
      }
    }),
  );
  console.log(summarize(`whole create job 256x256 (${clients} clients)`, samples, performance.now() - start));
}

// 3. The default 1024x1024 create, one at a time: what a designer waits for with the local provider.
{
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await finished(await submit(20_000 + i, { operation: "create", prompt: "a lighthouse at dawn", quality: "draft" }));
    samples.push(performance.now() - t);
  }
  console.log(summarize("whole create job 1024x1024 (1 client)", samples, performance.now() - start));
}

await server.close();
