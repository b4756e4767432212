// `npm run bench:proxy`: what the proxy adds on top of a provider, measured against an "instant" provider.
//
// - The provider is a minimal fake of Hugging Face's shape on 127.0.0.1 (bearer token, JSON body, a cached
//   256x256 PNG answered at once), so everything measured is the proxy's own work.
// - The proxy runs as its own process (`node --import tsx server/main.ts`, LOG_LEVEL=warn) on a fresh SQLite
//   DATA_DIR, as an operator runs it; the clients and the fake run in this process.
// - Teams: enterprise (metered, never out of credits). The tier allows 300 jobs per minute per team, so each
//   client of (b) has its own team (64 teams allow far more than 500 jobs/s over the run) and (a) rotates over
//   four. The default catalog is used unchanged.
//
// (a) one job's time through the proxy (POST /v1/jobs, then GET /v1/jobs/:id back to back until it shows
//     succeeded: the job's own polling, as tight as a client can) against one call to the same fake, one
//     client, interleaved: the added ms at p50/p99;
// (b) 64 concurrent clients, each looping POST + a GET every 10 ms until succeeded, for 10 s: jobs/s and
//     the latency of a whole job (back-to-back polls from 64 clients would mostly measure the polls);
// (b2) the same, following each job through its events stream (GET /v1/jobs/:id/events) instead of polls;
// (c) the local provider's 4x fast upscale of a 1024x1024 image to 4096x4096: the operation alone, and as a
//     whole job through the proxy.
//
// Targets (issue 4): <= 5 ms added at p50, >= 500 jobs/s, (c) < 0.5 s at p50.
// Options (env): PROVIDER_CONCURRENCY (default 64 here, so the instant fake is not throttled by the per-provider
// slots; the proxy's own default is 8), BENCH_SECONDS (10), BENCH_CLIENTS (64), BENCH_POLL_MS (10, for (b)),
// BENCH_PROFILE=1 (runs the proxy with --cpu-prof; the profile stays in the DATA_DIR, whose path is printed).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import sharp from "sharp";
import { DEFAULT_CATALOG } from "../core/catalog/default-catalog.ts";
import { openStores } from "../server/compose.ts";
import { LocalProvider } from "../server/providers/local.ts";
import { percentile, summarize } from "./stats.ts";
import { startBenchProxy } from "./support/proxy-process.ts";

const TOKEN = "hf_bench_token_0123456789abcdef";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 64);
const CONCURRENCY = process.env.PROVIDER_CONCURRENCY ?? "64";
const PROFILE = process.env.BENCH_PROFILE === "1";
const A_TEAMS = 4;
/** (b)'s clients poll this far apart: back-to-back polls from 64 clients would mostly measure the polls. */
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 10);

// ---- the instant provider ----
const PNG = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 40, g: 120, b: 200 } } }).png().toBuffer();
let fakeCalls = 0;
function instant(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    fakeCalls++;
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":"Invalid credentials"}');
      return;
    }
    res.writeHead(200, { "content-type": "image/png", "content-length": PNG.length }).end(PNG);
  });
}
const fake = createServer(instant);
fake.keepAliveTimeout = 60_000;
await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
const fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
const FAKE_PATH = "/hf-inference/models/black-forest-labs/FLUX.1-schnell";

// ---- the proxy process, with its teams made before it starts ----
const dataDir = await mkdtemp(join(tmpdir(), "bench-proxy-"));
const tokens: string[] = [];
{
  const stores = await openStores({ dataDir, databaseUrl: undefined }, DEFAULT_CATALOG);
  // One team per client in (b); (a) and (c) rotate over their own, so no team starts over 300 jobs a minute.
  for (let i = 0; i < CLIENTS + A_TEAMS + 1; i++)
    tokens.push((await stores.teams.createTeam({ name: `Bench ${i}`, tier: "enterprise", monthlyCredits: null, managerName: "M" })).token);
  await stores.close();
}

const proxy = await startBenchProxy(
  { DATA_DIR: dataDir, HF_TOKEN: TOKEN, HF_BASE_URL: fakeUrl, PROVIDER_CONCURRENCY: CONCURRENCY, LOG_LEVEL: "warn" },
  PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${dataDir}`] : [],
);

// ---- a client ----
const spec = JSON.stringify({ operation: "create", prompt: "bench", quality: "draft", aspectRatio: { width: 256, height: 256 } });
let keyN = 0;

interface JobBody {
  job: { id: string; status: string; error?: { message: string } };
}

/** One whole job as a client runs it: POST, then GET until it succeeded, `pollMs` apart (0: back to back). */
async function job(token: string, body: string | FormData = spec, pollMs = 0): Promise<{ ms: number; polls: number }> {
  const t0 = performance.now();
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, "idempotency-key": `b-${process.pid}-${++keyN}` };
  if (typeof body === "string") headers["content-type"] = "application/json";
  const res = await fetch(`${proxy.url}/v1/jobs`, { method: "POST", headers, body });
  if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}: ${await res.text()}`);
  const { job: accepted } = (await res.json()) as JobBody;
  let polls = 0;
  for (;;) {
    polls++;
    const r = await fetch(`${proxy.url}/v1/jobs/${accepted.id}`, { headers: { authorization: `Bearer ${token}` } });
    const { job: j } = (await r.json()) as JobBody;
    if (j.status === "succeeded") return { ms: performance.now() - t0, polls };
    if (j.status === "failed") throw new Error(`job failed: ${j.error?.message}`);
    if (pollMs > 0) await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** One whole job with live progress instead of polling: POST, then read GET …/events until it succeeded. */
async function jobViaEvents(token: string): Promise<number> {
  const t0 = performance.now();
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": `e-${process.pid}-${++keyN}` };
  const res = await fetch(`${proxy.url}/v1/jobs`, { method: "POST", headers, body: spec });
  if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}: ${await res.text()}`);
  const { job: accepted } = (await res.json()) as JobBody;
  const events = await fetch(`${proxy.url}/v1/jobs/${accepted.id}/events`, { headers: { authorization: `Bearer ${token}` } });
  const text = await events.text(); // the stream ends when the job has finished
  const last = text.trim().split("\n\n").at(-1) ?? "";
  const { job: j } = JSON.parse(last.split("\n").find((l) => l.startsWith("data: "))!.slice(6)) as JobBody;
  if (j.status !== "succeeded") throw new Error(`job ${j.status}: ${j.error?.message}`);
  return performance.now() - t0;
}

async function direct(): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(fakeUrl + FAKE_PATH, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ inputs: "bench", parameters: { width: 256, height: 256, seed: 1, num_inference_steps: 4 } }),
  });
  await res.arrayBuffer();
  return performance.now() - t0;
}

const fmt = (ms: number) => ms.toFixed(2);
function line(name: string, samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  return `${name}: n=${s.length} p50 ${fmt(percentile(s, 50))} ms, p99 ${fmt(percentile(s, 99))} ms`;
}

console.log(`proxy ${proxy.url} (PROVIDER_CONCURRENCY=${CONCURRENCY}, DATA_DIR ${dataDir}); instant fake ${fakeUrl}`);

// (a) one client: through the proxy vs directly.
{
  const aTokens = tokens.slice(CLIENTS, CLIENTS + A_TEAMS);
  let n = 0;
  const token = () => aTokens[n++ % aTokens.length]!;
  for (let i = 0; i < 100; i++) {
    await job(token());
    await direct();
  }
  const viaProxy: number[] = [];
  const viaFake: number[] = [];
  const polls: number[] = [];
  // Interleaved, so both see the same machine state.
  for (let i = 0; i < 250; i++) {
    const r = await job(token());
    viaProxy.push(r.ms);
    polls.push(r.polls);
    viaFake.push(await direct());
  }
  const p = (xs: number[], q: number) => percentile([...xs].sort((a, b) => a - b), q);
  console.log("(a) one job, one client");
  console.log(`  ${line("direct call to the fake        ", viaFake)}`);
  console.log(`  ${line("through the proxy (POST + polls)", viaProxy)}  (polls per job: p50 ${p(polls, 50)})`);
  console.log(`  added by the proxy: p50 ${fmt(p(viaProxy, 50) - p(viaFake, 50))} ms, p99 ${fmt(p(viaProxy, 99) - p(viaFake, 99))} ms (target <= 5 ms at p50)`);
}

// (b) 64 clients, whole jobs, for SECONDS.
{
  const samples: number[] = [];
  let polls = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  const before = fakeCalls;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      while (performance.now() < end) {
        const r = await job(tokens[c]!, spec, POLL_MS);
        samples.push(r.ms);
        polls += r.polls;
      }
    }),
  );
  const wall = performance.now() - start;
  console.log(`(b) ${CLIENTS} concurrent clients, each POST + poll every ${POLL_MS} ms until succeeded, ${SECONDS} s`);
  console.log(`  ${summarize("whole jobs", samples, wall)}  (target >= 500 jobs/s)`);
  console.log(`  polls per job ${(polls / samples.length).toFixed(1)}; provider calls ${fakeCalls - before}`);
}

// (b2) the same load with live progress (GET /v1/jobs/:id/events) instead of polling.
{
  const samples: number[] = [];
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      while (performance.now() < end) samples.push(await jobViaEvents(tokens[c]!));
    }),
  );
  const wall = performance.now() - start;
  console.log(`(b2) ${CLIENTS} concurrent clients, each POST + the job's events stream until succeeded, ${SECONDS} s`);
  console.log(`  ${summarize("whole jobs", samples, wall)}  (target >= 500 jobs/s)`);
}

// (c) the local provider's 4x fast upscale of 1024x1024 (→ 4096x4096 PNG).
{
  const input = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: { r: 90, g: 30, b: 160 } } })
    .composite([{ input: await sharp({ create: { width: 512, height: 512, channels: 3, background: "#f0c020" } }).png().toBuffer(), left: 256, top: 256 }])
    .png()
    .toBuffer();
  const local = new LocalProvider();
  const signal = new AbortController().signal;
  const image = { bytes: input, contentType: "image/png" as const, width: 1024, height: 1024 };
  const alone: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    await local.upscale({ mode: "fast", image, seed: 1 }, signal);
    if (i >= 2) alone.push(performance.now() - t0);
  }
  const whole: number[] = [];
  const token = tokens[CLIENTS + A_TEAMS]!;
  for (let i = 0; i < 12; i++) {
    const form = new FormData();
    form.append("spec", JSON.stringify({ operation: "upscale", mode: "fast", provider: "local" }));
    form.append("image", new Blob([new Uint8Array(input)], { type: "image/png" }), "in.png");
    const r = await job(token, form);
    if (i >= 2) whole.push(r.ms);
  }
  console.log("(c) local provider, 4x fast upscale of 1024x1024 to 4096x4096 PNG (target < 500 ms at p50)");
  console.log(`  ${line("the operation (LocalProvider.upscale, in this process)", alone)}`);
  console.log(`  ${line("the whole job through the proxy (POST multipart + polls)", whole)}`);
}

await proxy.stop();
await new Promise<void>((r) => fake.close(() => r()));
if (PROFILE) {
  const profiles = (await readdir(dataDir)).filter((f) => f.endsWith(".cpuprofile"));
  console.log(`CPU profile(s): ${profiles.map((f) => join(dataDir, f)).join(", ")}`);
} else {
  await rm(dataDir, { recursive: true, force: true });
}
