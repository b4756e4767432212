// `npm run bench:scale` (and part of `npm run bench`): one proxy instance against two, on one PostgreSQL
// database and one S3-compatible bucket (s3rver, in its own process), as issue 16 deploys them.
//
// - The provider is an "instant" fake of Hugging Face's shape on 127.0.0.1 (a cached 256x256 PNG, answered at
//   once), so what is measured is the proxies' own work: accepting (hold + job row), running, storing the
//   result in the bucket, capturing, and telling the event streams.
// - Each client has its own enterprise team and loops: POST /v1/jobs to an instance, then follows the job's
//   GET /v1/jobs/:id/events on an instance until it has succeeded. With two instances, it posts to one and
//   follows on the OTHER (what a load balancer may do), so every event crosses instances over LISTEN/NOTIFY.
// - A first run with one instance keeping bytes in files (PostgreSQL still) shows what the bucket costs.
// - Figures: jobs/s over the run; accept = the POST's latency; events = from the commit of the job's
//   "succeeded" (its updatedAt, the database's clock) to the moment the client read that event (this
//   machine's clock: the same clock, PostgreSQL runs here).
// Options (env): BENCH_SECONDS (8), BENCH_CLIENTS (16), TEST_DATABASE_URL (the PostgreSQL to create the
// bench's database on; default postgres://postgres@127.0.0.1:5432/postgres).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import sharp from "sharp";
import { DEFAULT_CATALOG } from "../core/catalog/default-catalog.ts";
import { storesOn } from "../server/compose.ts";
import { connectTestDb, createTestDatabaseUrl } from "../server/test-support/databases.ts";
import { startS3Server } from "../server/test-support/s3-server.ts";
import { percentile } from "./stats.ts";
import { startBenchProxy } from "./support/proxy-process.ts";

// The SDK's notice that its releases after January 2027 need Node 22 (README, "Deploying N instances") is
// not a figure.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const TOKEN = "hf_bench_token_0123456789abcdef";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);

const PNG = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 40, g: 120, b: 200 } } }).png().toBuffer();
const fake = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "content-type": "image/png", "content-length": PNG.length }).end(PNG));
});
fake.keepAliveTimeout = 60_000;
await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
const fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;

const spec = JSON.stringify({ operation: "create", prompt: "bench", quality: "draft", aspectRatio: { width: 256, height: 256 } });
let keyN = 0;

interface JobView {
  id: string;
  status: string;
  updatedAt: string;
  error?: { message: string };
}

/** POST on `post`, follow the events on `follow`: the accept's ms and the events' lag for "succeeded". */
async function job(post: string, follow: string, token: string): Promise<{ acceptMs: number; eventMs: number }> {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": `s-${process.pid}-${++keyN}` };
  const t0 = performance.now();
  const res = await fetch(`${post}/v1/jobs`, { method: "POST", headers, body: spec });
  if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}: ${await res.text()}`);
  const acceptMs = performance.now() - t0;
  const { job: accepted } = (await res.json()) as { job: JobView };
  const events = await fetch(`${follow}/v1/jobs/${accepted.id}/events`, { headers: { authorization: `Bearer ${token}` } });
  const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the events of ${accepted.id} ended without its end`);
    buffer += value;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").find((l) => l.startsWith("data: "));
      if (!data) continue;
      const { job: j } = JSON.parse(data.slice(6)) as { job: JobView };
      if (j.status === "failed") throw new Error(`job failed: ${j.error?.message}`);
      if (j.status === "succeeded") {
        const eventMs = performance.timeOrigin + performance.now() - Date.parse(j.updatedAt);
        await reader.cancel();
        return { acceptMs, eventMs };
      }
    }
  }
}

const fmt = (sorted: number[]) => `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`;

async function run(instances: number, store: "s3" | "files" = "s3"): Promise<void> {
  const database = await createTestDatabaseUrl("postgres");
  const s3 = await startS3Server();
  const root = await mkdtemp(join(tmpdir(), "bench-scale-"));
  const bucket = `bench-${instances}`;
  await s3.createBucket(bucket);
  const tokens: string[] = [];
  {
    const db = await connectTestDb(database.url);
    const stores = storesOn(db, DEFAULT_CATALOG, join(root, "setup"));
    for (let i = 0; i < CLIENTS; i++)
      tokens.push((await stores.teams.createTeam({ name: `Bench ${i}`, tier: "enterprise", monthlyCredits: null, managerName: "M" })).token);
    await stores.close();
  }
  const proxies = await Promise.all(
    Array.from({ length: instances }, async (_, i) =>
      startBenchProxy({
        LOG_LEVEL: "warn",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        DATABASE_URL: database.url,
        DATA_DIR: await mkdtemp(join(root, `proxy-${i}-`)),
        HF_TOKEN: TOKEN,
        HF_BASE_URL: fakeUrl,
        PROVIDER_CONCURRENCY: "64",
        ...(store === "s3" ? s3.env(bucket, "assets/") : {}),
      }),
    ),
  );
  try {
    // Warm-up: connections, prepared statements, JIT.
    await Promise.all(tokens.map((t, i) => job(proxies[i % instances]!.url, proxies[(i + 1) % instances]!.url, t)));
    const accept: number[] = [];
    const event: number[] = [];
    const t0 = performance.now();
    const until = t0 + SECONDS * 1000;
    await Promise.all(
      tokens.map(async (token, c) => {
        for (let n = 0; performance.now() < until; n++) {
          const post = proxies[(c + n) % instances]!.url;
          const follow = proxies[(c + n + 1) % instances]!.url; // two instances: always the other one
          const r = await job(post, follow, token);
          accept.push(r.acceptMs);
          event.push(r.eventMs);
        }
      }),
    );
    const wall = performance.now() - t0;
    accept.sort((a, b) => a - b);
    event.sort((a, b) => a - b);
    console.log(
      `${instances} instance${instances > 1 ? "s" : ""} (PostgreSQL + ${store === "s3" ? "S3/s3rver" : "files"}, ${CLIENTS} clients, ${SECONDS} s): ${((accept.length / wall) * 1000).toFixed(0)} jobs/s; ` +
        `accept ${fmt(accept)}; events ${fmt(event)}${instances > 1 ? " (followed on the other instance)" : ""}`,
    );
  } finally {
    await Promise.all(proxies.map((p) => p.stop()));
    await s3.close();
    await database.cleanup();
    await rm(root, { recursive: true, force: true });
  }
}

// For reference: one instance with the bytes in files (what the bucket costs here: s3rver is a small
// Node server writing to the same two cores).
await run(1, "files");
await run(1);
await run(2);
fake.close();
