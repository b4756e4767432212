// Batches through the real proxy over HTTP on 127.0.0.1 with the offline local provider, on SQLite and on
// PostgreSQL (a database created on TEST_DATABASE_URL's server): POST /v1/batches until 202 (every item
// checked, the batch priced once and every item's share held in one transaction), and 25 images upscaled as
// one batch against the same 25 as 25 separate POST /v1/jobs, until every result is in.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import sharp from "sharp";
import { batchResponseSchema, jobResponseSchema, type BatchView } from "../core/api/responses.ts";
import { createTestDatabaseUrl } from "../server/test-support/databases.ts";
import { startTestServer, type TestServer } from "../server/test-support/harness.ts";
import { summarize } from "./stats.ts";

const POLL_MS = 10;
const images = await Promise.all(
  Array.from({ length: 25 }, (_, i) => sharp({ create: { width: 256, height: 256, channels: 3, background: { r: i * 10, g: 90, b: 200 - i * 5 } } }).png().toBuffer()),
);

function upscaleBatch(n: number): FormData {
  const form = new FormData();
  form.set("batch", JSON.stringify({ items: Array.from({ length: n }, () => ({ operation: "upscale", mode: "fast" })) }));
  for (let i = 0; i < n; i++) form.set(`items.${i}.image`, new Blob([images[i]!], { type: "image/png" }), `${i}.png`);
  return form;
}

async function postBatch(s: TestServer, token: string, body: FormData | unknown): Promise<BatchView> {
  const res = await s.call("/v1/batches", { token, ...(body instanceof FormData ? { body } : { json: body }), headers: { "Idempotency-Key": randomUUID() } });
  if (res.status !== 202) throw new Error(`POST /v1/batches answered ${res.status}: ${await res.text()}`);
  return batchResponseSchema.parse(await res.json()).batch;
}

async function settled(s: TestServer, token: string, id: string): Promise<BatchView> {
  for (;;) {
    const { batch } = batchResponseSchema.parse(await (await s.call(`/v1/batches/${id}`, { token })).json());
    if (batch.status === "succeeded") return batch;
    if (batch.status === "failed" || batch.status === "partial") throw new Error(`batch ${id} ended ${batch.status}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

for (const kind of ["sqlite", "postgres"] as const) {
  const db = kind === "postgres" ? await createTestDatabaseUrl("postgres") : undefined;
  const s = await startTestServer(db ? { env: { DATABASE_URL: db.url } } : {});
  try {
    // Enterprise: unlimited and maxBatch 100. A fresh team per batch keeps each under its jobs per minute.
    const fresh = async () => (await s.createTeam("enterprise")).token;

    // 1. Accept: 25 upscales (multipart, 25 images decoded in full), and 100 creates (JSON), until 202.
    for (const [name, body, rounds] of [
      ["POST /v1/batches of 25 upscales (multipart) until 202", () => upscaleBatch(25), 10],
      ["POST /v1/batches of 100 creates (JSON) until 202", () => ({ items: Array.from({ length: 100 }, (_, i) => ({ operation: "create", prompt: `bench ${i}`, quality: "draft", aspectRatio: { width: 256, height: 256 } })) }), 10],
    ] as const) {
      const samples: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const b = body();
        const token = await fresh();
        const t = performance.now();
        await postBatch(s, token, b);
        samples.push(performance.now() - t);
        await s.deps.runner.idle(); // the items render between rounds, not during the next accept
      }
      // The rate over the accepts alone: the renders between rounds are not the accept path's.
      console.log(`${kind}: ${summarize(name, samples, samples.reduce((a, b) => a + b, 0))}`);
    }

    // 2. 25 images upscaled: one batch, against 25 separate jobs posted at once, until every result is in.
    {
      const token = await fresh();
      const t = performance.now();
      const batch = await postBatch(s, token, upscaleBatch(25));
      await settled(s, token, batch.id);
      const batchMs = performance.now() - t;
      const u = performance.now();
      const ids = await Promise.all(
        images.map(async (image) => {
          const form = new FormData();
          form.set("spec", JSON.stringify({ operation: "upscale", mode: "fast" }));
          form.set("image", new Blob([image], { type: "image/png" }), "x.png");
          const res = await s.call("/v1/jobs", { token, body: form, headers: { "Idempotency-Key": randomUUID() } });
          return jobResponseSchema.parse(await res.json()).job.id;
        }),
      );
      for (const id of ids) await s.waitForJob(token, id, 60_000);
      const jobsMs = performance.now() - u;
      console.log(`${kind}: 25 images upscaled 4x: one batch ${batchMs.toFixed(0)} ms, 25 separate jobs ${jobsMs.toFixed(0)} ms`);
    }
  } finally {
    await s.close();
    await db?.cleanup();
  }
}
