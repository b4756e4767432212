// Async provider tasks survive a crash of the proxy: a real proxy PROCESS accepts a WaveSpeed create and a
// Stability creative upscale, stores each provider task id with its job and starts polling; it is SIGKILLed
// mid-job; a new process on the same DATA_DIR takes the jobs over (their leases lapsed), resumes polling the
// stored task ids, and both jobs succeed, charged exactly once, with no second submission at either fake.
//
// The fakes run in this test process. WaveSpeed is polled at its documented 2 s pace (the default), so its
// prediction is kept "processing" until the first proxy has polled it, and completes only after the restart.
// Stability is polled at its documented 10 s pace (the default): its task is made ready at once, and the first
// process is killed long before its first poll is due, so only the restarted process ever polls it.
import { readFile, rm } from "node:fs/promises";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { jobResponseSchema, meSchema, type Job } from "../../core/api/responses.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { openStores } from "../../server/compose.ts";
import type { Stores } from "../../server/stores.ts";
import { startStabilityFake, type StabilityFake } from "../../server/test-support/fakes/stability-fake.ts";
import { startWaveSpeedFake, WAVESPEED_FAKE_KEY, type WaveSpeedFake } from "../../server/test-support/fakes/wavespeed-fake.ts";
import { tempDir } from "../../server/test-support/harness.ts";
import { spawnServer, type SpawnedServer } from "../../server/test-support/spawn-server.ts";
import { picture, until } from "./support.ts";

let ws: WaveSpeedFake;
let st: StabilityFake;
let dataDir: string;
let stores: Stores;
const running: SpawnedServer[] = [];

beforeAll(async () => {
  ws = await startWaveSpeedFake();
  st = await startStabilityFake({ pendingPolls: 0 });
  dataDir = await tempDir("studio-restart-");
  stores = await openStores({ dataDir, databaseUrl: undefined }, DEFAULT_CATALOG);
});
afterAll(async () => {
  for (const p of running) await crash(p);
  await stores?.close();
  await Promise.all([ws?.close(), st?.close()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function env(): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    WAVESPEED_API_KEY: WAVESPEED_FAKE_KEY,
    WAVESPEED_BASE_URL: ws.url,
    STABILITY_API_KEY: st.apiKey,
    STABILITY_BASE_URL: st.url,
    JOB_LEASE_MS: "1000",
    SWEEP_INTERVAL_MS: "200",
  };
}

/** The pids of `pid`'s descendants (Linux /proc), deepest last. */
async function descendants(pid: number): Promise<number[]> {
  let children: number[] = [];
  try {
    children = (await readFile(`/proc/${pid}/task/${pid}/children`, "utf8")).trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const c of children) out.push(c, ...(await descendants(c)));
  return out;
}

/**
 * SIGKILL the proxy and every process under it, by pid. Were the server a child of a wrapper (the tsx CLI runs
 * the script in a child node process), a SIGKILL of the wrapper could not be relayed and would leave the real
 * server running and finishing our jobs, so the test would prove nothing.
 */
async function crash(p: SpawnedServer): Promise<void> {
  const pid = p.child.pid;
  if (pid === undefined || p.child.exitCode !== null) return;
  const tree = await descendants(pid);
  for (const child of tree.reverse()) {
    try {
      process.kill(child, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await p.stop("SIGKILL");
  for (const child of tree) await until(`process ${child} to exit`, () => !alive(child), 5_000);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function start(): Promise<SpawnedServer> {
  const p = await spawnServer(env());
  running.push(p);
  return p;
}

async function getJob(p: SpawnedServer, token: string, id: string): Promise<Job> {
  const res = await fetch(`${p.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return jobResponseSchema.parse(await res.json()).job;
}

it("a SIGKILLed proxy's async jobs are resumed by the next process: polled, not resubmitted, charged once", async () => {
  const { team, token } = await stores.teams.createTeam({ name: "Restart", tier: "pro", monthlyCredits: 2000, managerName: "M" });
  const first = await start();
  const auth = { authorization: `Bearer ${token}` };

  // 1. Two async jobs accepted by the first process.
  ws.pollsToComplete = Number.MAX_SAFE_INTEGER;
  const create = await fetch(`${first.url}/v1/jobs`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json", "idempotency-key": "restart-ws" },
    body: JSON.stringify({ operation: "create", prompt: "a lighthouse at dawn", quality: "draft", aspectRatio: { width: 512, height: 512 } }),
  });
  expect(create.status).toBe(202);
  const wsJob = jobResponseSchema.parse(await create.json()).job;
  expect(wsJob.route).toEqual({ provider: "wavespeed", model: "qwen-image" });

  const form = new FormData();
  form.append("spec", JSON.stringify({ operation: "upscale", mode: "creative", prompt: "crisp" }));
  form.append("image", new Blob([new Uint8Array(await picture(512, 512))], { type: "image/png" }), "in.png");
  const upscale = await fetch(`${first.url}/v1/jobs`, { method: "POST", headers: { ...auth, "idempotency-key": "restart-st" }, body: form });
  expect(upscale.status).toBe(202);
  const stJob = jobResponseSchema.parse(await upscale.json()).job;
  expect(stJob.route).toEqual({ provider: "stability", model: null });

  // 2. Both tasks exist upstream, their ids are stored with the jobs, the jobs run, and WaveSpeed is being polled.
  await until("the WaveSpeed prediction to be polled", () => ws.requests.some((r) => r.method === "GET"), 10_000);
  await until("the Stability task", () => st.taskIds.length === 1, 10_000);
  const predictionId = [...ws.predictions.keys()][0]!;
  await until("both task ids stored", async () => {
    const [a, b] = await Promise.all([stores.jobs.getById(wsJob.id), stores.jobs.getById(stJob.id)]);
    return a?.providerTasks.length === 1 && b?.providerTasks.length === 1;
  });
  expect((await stores.jobs.getById(wsJob.id))!.providerTasks).toEqual([predictionId]);
  expect((await stores.jobs.getById(stJob.id))!.providerTasks).toEqual([st.taskIds[0]]);
  for (const id of [wsJob.id, stJob.id]) expect(await getJob(first, token, id)).toMatchObject({ status: "running", charged: 0 });
  expect(st.requestsTo("results")).toHaveLength(0); // not due for 10 s

  // 3. The proxy dies without any chance to clean up.
  await crash(first);
  for (const id of [wsJob.id, stJob.id]) expect(await stores.jobs.getById(id)).toMatchObject({ status: "running", charged: 0 });
  const held = await stores.ledger.balance(team.id);
  expect(held.held).toBe(wsJob.estimate.total + stJob.estimate.total);

  // 4. A new process on the same data takes the jobs over; WaveSpeed finishes the prediction meanwhile.
  const pollsBefore = ws.requests.filter((r) => r.method === "GET").length;
  const second = await start();
  ws.pollsToComplete = 0;
  const done: Job[] = [];
  for (const id of [wsJob.id, stJob.id]) {
    let job: Job;
    const end = Date.now() + 15_000;
    for (;;) {
      job = await getJob(second, token, id);
      if (job.status === "succeeded" || job.status === "failed" || Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    done.push(job);
  }
  const [wsDone, stDone] = done as [Job, Job];
  expect(wsDone, JSON.stringify(wsDone.error)).toMatchObject({ status: "succeeded", charged: wsJob.estimate.total, held: 0 });
  expect(stDone, JSON.stringify(stDone.error)).toMatchObject({ status: "succeeded", charged: stJob.estimate.total, held: 0 });
  for (const job of done) {
    const res = await fetch(`${second.url}${job.assets[0]!.url}`, { headers: auth });
    expect(res.status).toBe(200);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect(meta.format).toBe("png");
  }

  // 5. Submitted once each; the restarted process polled the stored ids.
  expect(ws.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  expect(ws.requests.filter((r) => r.method === "GET").length).toBeGreaterThan(pollsBefore);
  expect(ws.requests.filter((r) => r.method === "GET").every((r) => r.path === `/api/v3/predictions/${predictionId}/result`)).toBe(true);
  expect(st.requestsTo("upscale/creative")).toHaveLength(1);
  expect(st.requestsTo("results").map((r) => r.path)).toEqual([`/v2beta/results/${st.taskIds[0]}`]);

  // 6. Charged exactly once: one hold and one capture per job, the balance down by exactly the two estimates.
  const me = meSchema.parse(await (await fetch(`${second.url}/v1/me`, { headers: auth })).json());
  expect(me.balance).toMatchObject({ available: 2000 - wsJob.estimate.total - stJob.estimate.total, held: 0, spent: wsJob.estimate.total + stJob.estimate.total });
  await second.stop("SIGTERM");
  for (const job of done) {
    const entries = await stores.ledger.entries(team.id, { jobId: job.id });
    expect(entries.map((e) => [e.kind, e.amount])).toEqual([
      ["hold", job.charged],
      ["capture", job.charged],
    ]);
  }
  expect(await stores.ledger.verify()).toEqual([]);
}, 60_000);
