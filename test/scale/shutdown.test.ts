// Graceful shutdown of one of two proxy processes (SIGTERM, as an orchestrator sends it): the instance says
// "draining" on /health and refuses new jobs with 503 + Retry-After while it waits up to SHUTDOWN_GRACE_MS
// for running jobs; what is left is handed over at once (its leases released, not left to lapse: the lease
// here is the default 15 s, far longer than the takeover takes), and it exits 0.
import sharp from "sharp";
import { expect, it } from "vitest";
import { healthSchema } from "../../core/api/responses.ts";
import { call, errorOf, finished, getJob, postJob, useScale, waitForJob } from "./support.ts";

const suite = useScale();

const exitOf = (p: { child: { once(e: "exit", f: (code: number | null) => void): unknown } }) => new Promise<number | null>((r) => p.child.once("exit", r));

it("on SIGTERM: draining, no new jobs, the job that cannot finish in time fails released, the queued one moves to the other instance", async () => {
  const { scale, stability } = suite;
  const base = { STABILITY_API_KEY: stability.apiKey, STABILITY_BASE_URL: stability.url };
  // B sweeps only at start and then once a minute, and the lease is the default 15 s: only the hand-over
  // (leases released, then a NOTIFY that makes B sweep at once) can move the queued job within seconds.
  const [a, b] = await Promise.all([
    scale.start({ ...base, PROVIDER_CONCURRENCY: "1", SHUTDOWN_GRACE_MS: "1500" }),
    scale.start({ ...base, SWEEP_INTERVAL_MS: "60000" }),
  ]);
  const team = await scale.cluster.createTeam("pro");
  stability.delayNext("generate/core", 30_000);
  const slow = await postJob(a.url, team.token, { operation: "create", prompt: "a storm over the sea", quality: "standard", provider: "stability" });
  await waitForJob(a.url, team.token, slow.id, (j) => j.status === "running");
  const image = await sharp({ create: { width: 200, height: 200, channels: 3, background: "#3366aa" } }).png().toBuffer();
  const queued = await postJob(a.url, team.token, { operation: "edit", kind: "remove-background", provider: "stability" }, { image });
  expect((await getJob(a.url, team.token, queued.id)).status).toBe("queued");

  const exited = exitOf(a);
  const signalled = Date.now();
  a.child.kill("SIGTERM");
  // Draining: the load balancer's health check fails, new work is refused with a hint to retry elsewhere.
  let health: Response | undefined;
  for (let i = 0; i < 100; i++) {
    health = await call(a.url, "/health");
    if (health.status === 503) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(health!.status).toBe(503);
  expect(healthSchema.parse(await health!.json())).toMatchObject({ ok: false, status: "draining", database: "postgres" });
  const refused = await call(a.url, "/v1/jobs", { token: team.token, json: { operation: "create", prompt: "one more", quality: "draft", provider: "local" } });
  expect(refused.status).toBe(503);
  expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(await errorOf(refused)).toMatchObject({ code: "provider_unavailable", details: { draining: true } });
  // Reads keep working while it drains.
  expect((await call(a.url, `/v1/jobs/${queued.id}`, { token: team.token })).status).toBe(200);

  expect(await exited).toBe(0);
  const tookMs = Date.now() - signalled;
  console.log(`SIGTERM to exit: ${tookMs} ms (grace 1500 ms)`);
  expect(tookMs).toBeGreaterThanOrEqual(1400); // it waited its grace for the slow job…
  expect(tookMs).toBeLessThan(8000); // …and no longer
  expect(a.stdout()).toContain("SIGTERM: stopping the proxy (draining");

  // The job at its provider could not finish in the grace: A failed it, its hold released, nothing charged.
  expect(await getJob(b.url, team.token, slow.id)).toMatchObject({ status: "failed", charged: 0, held: 0 });
  // The queued one runs on B at once, from the upload A left in the bucket.
  const moved = await waitForJob(b.url, team.token, queued.id, finished, 10_000);
  expect(moved, JSON.stringify(moved.error)).toMatchObject({ status: "succeeded", charged: moved.estimate.total, held: 0 });
  const movedMs = Date.now() - signalled;
  console.log(`handed over: SIGTERM to the job done on B in ${movedMs} ms (grace 1500 ms)`);
  expect(movedMs).toBeLessThan(10_000); // before the 15 s lease, and long before B's next sweep
  const verified = await scale.cluster.verify();
  expect(verified.code, verified.output).toBe(0);
}, 60_000);

it("on SIGTERM: a job that finishes within the grace finishes, and the instance exits as soon as it has", async () => {
  const { scale, stability } = suite;
  const c = await scale.start({ STABILITY_API_KEY: stability.apiKey, STABILITY_BASE_URL: stability.url, SHUTDOWN_GRACE_MS: "20000" });
  const team = await scale.cluster.createTeam("pro");
  stability.delayNext("generate/core", 1500);
  const job = await postJob(c.url, team.token, { operation: "create", prompt: "a calm lake", quality: "standard", provider: "stability" });
  await waitForJob(c.url, team.token, job.id, (j) => j.status === "running");
  const exited = exitOf(c);
  const signalled = Date.now();
  c.child.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(Date.now() - signalled).toBeLessThan(10_000); // not the 20 s grace: it left once its job was done
  const done = await scale.cluster.stores.jobs.getById(job.id);
  expect(done).toMatchObject({ status: "succeeded", held: 0 });
  expect(done!.charged).toBe(job.estimate.total);
}, 60_000);
