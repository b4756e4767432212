// Two proxy processes on one PostgreSQL database and one Stability key (docs/providers.md, "Rate limits across
// instances"): PROVIDER_CONCURRENCY is the limit of the cluster, not of each proxy, and a 429 lock-out one
// proxy is told is honoured by the other, which then sends nothing to Stability until it ends.
import { expect, it } from "vitest";
import type { RecordedRequest } from "../../server/test-support/fakes/fake-http.ts";
import { stabilityError } from "../../server/test-support/fakes/stability-fake.ts";
import { finished, postJob, useScale, waitForJob } from "./support.ts";

const suite = useScale();
const CALL_MS = 700;

/** Most calls Stability held at once: each generate call is answered CALL_MS after it arrived. */
function peakOverlap(requests: readonly RecordedRequest[]): number {
  const starts = requests.map((r) => r.at).sort((a, b) => a - b);
  let peak = 0;
  for (const start of starts) peak = Math.max(peak, starts.filter((s) => s >= start && s < start + CALL_MS - 50).length);
  return peak;
}

it("PROVIDER_CONCURRENCY=2 on each of two proxies: at most 2 calls at Stability at once, then a 429 on A keeps B away", async () => {
  const { scale, stability } = suite;
  stability.reset();
  const env = { STABILITY_API_KEY: stability.apiKey, STABILITY_BASE_URL: stability.url, PROVIDER_CONCURRENCY: "2" };
  const [a, b] = await Promise.all([scale.start(env), scale.start(env)]);
  const team = await scale.cluster.createTeam("enterprise");

  // 1. Eight jobs, four on each proxy: each proxy alone would run 2 at once (4 together).
  stability.when("generate/core", () => true, { delayMs: CALL_MS });
  const spec = { operation: "create", prompt: "a lighthouse at dusk", quality: "standard", provider: "stability" };
  const jobs = await Promise.all([a, b, a, b, a, b, a, b].map((p) => postJob(p.url, team.token, spec).then((job) => ({ job, p }))));
  const done = await Promise.all(jobs.map(({ job, p }) => waitForJob(p.url, team.token, job.id, finished, 30_000)));
  expect(done.map((j) => j.status)).toEqual(Array(8).fill("succeeded"));
  const calls = stability.requests.filter((r) => r.path.endsWith("/generate/core"));
  expect(calls).toHaveLength(8);
  const peak = peakOverlap(calls);
  console.log(`peak calls at Stability from two proxies with PROVIDER_CONCURRENCY=2: ${peak}`);
  expect(peak).toBe(2);

  // 2. Stability locks the key out for 20 s (longer than a job sits out): A's job fails carrying the wait.
  stability.reset();
  stability.failNext("generate/core", { status: 429, headers: { "retry-after": "20" }, body: stabilityError("rate_limit_exceeded", ["slow down"]) });
  const first = await postJob(a.url, team.token, spec);
  expect(await waitForJob(a.url, team.token, first.id, finished)).toMatchObject({ status: "failed", error: { code: "rate_limited" } });
  expect(stability.requests).toHaveLength(1);
  // B was never told by Stability; it fails its job the same way without asking (asking would extend the lock-out).
  const second = await postJob(b.url, team.token, spec);
  const failed = await waitForJob(b.url, team.token, second.id, finished);
  expect(failed).toMatchObject({ status: "failed", charged: 0, error: { code: "rate_limited" } });
  expect(stability.requests).toHaveLength(1);
});
