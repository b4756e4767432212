// A job taken over after its holder's lease lapsed (a database stall longer than JOB_LEASE_MS), with real
// proxy processes on PostgreSQL and S3: instance A still has the job in its provider line when B takes it
// over and runs it; then A shuts down gracefully. A's hand-over must neither fail the job B runs (releasing
// its hold while B's provider call is paid) nor release B's lease for a third instance to take; B finishes
// it and captures it once, and only B calls the provider for it (docs/ledger.md invariant 4).
import { expect, it } from "vitest";
import type { RecordedRequest } from "../../server/test-support/fakes/fake-http.ts";
import { finished, getJob, postJob, useScale, waitForJob } from "./support.ts";

const suite = useScale();

const exitOf = (p: { child: { once(e: "exit", f: (code: number | null) => void): unknown } }) => new Promise<number | null>((r) => p.child.once("exit", r));
const promptOf = (r: RecordedRequest) => String(r.form?.get("prompt") ?? "");

it("the instance that lost a job's lease neither fails it nor hands it over on shutdown: the new holder finishes it, charged once", async () => {
  const { scale, stability } = suite;
  const base = { STABILITY_API_KEY: stability.apiKey, STABILITY_BASE_URL: stability.url };
  // A: one provider slot; its own lease so long and its sweeps so rare that only the forced lapse below moves
  // the job (A never renews or reclaims it within the test). B sweeps often: it takes the job over at once.
  const [a, b] = await Promise.all([
    scale.start({ ...base, PROVIDER_CONCURRENCY: "1", SHUTDOWN_GRACE_MS: "500", JOB_LEASE_MS: "3600000", SWEEP_INTERVAL_MS: "600000" }),
    scale.start({ ...base, SWEEP_INTERVAL_MS: "200" }),
  ]);
  const team = await scale.cluster.createTeam("pro");
  stability.when("generate/core", (r) => promptOf(r) === "holds the slot on A", { delayMs: 30_000 });
  stability.when("generate/core", (r) => promptOf(r) === "taken over by B", { delayMs: 5_000 });
  const busy = await postJob(a.url, team.token, { operation: "create", prompt: "holds the slot on A", quality: "standard", provider: "stability" });
  await waitForJob(a.url, team.token, busy.id, (j) => j.status === "running");
  const moved = await postJob(a.url, team.token, { operation: "create", prompt: "taken over by B", quality: "standard", provider: "stability" });
  expect((await getJob(a.url, team.token, moved.id)).status).toBe("queued"); // in A's line for the slot

  // The stall: the job's lease lapses while A still has it in line; B's next sweep takes it and starts it.
  await scale.cluster.stores.db.run("UPDATE jobs SET lease_until = $2 WHERE id = $1", [moved.id, new Date(Date.now() - 60_000).toISOString()]);
  await waitForJob(b.url, team.token, moved.id, (j) => j.status === "running", 10_000);

  const exited = exitOf(a);
  a.child.kill("SIGTERM");
  expect(await exited).toBe(0);
  // A failed only its own job at its provider; the one B runs is untouched, and nobody else took it.
  expect(await getJob(b.url, team.token, busy.id)).toMatchObject({ status: "failed", charged: 0, held: 0 });
  expect(await getJob(b.url, team.token, moved.id)).toMatchObject({ status: "running", held: moved.estimate.total });
  const done = await waitForJob(b.url, team.token, moved.id, finished, 20_000);
  expect(done, JSON.stringify(done.error)).toMatchObject({ status: "succeeded", charged: moved.estimate.total, held: 0 });
  expect(stability.requestsTo("generate/core").filter((r) => promptOf(r) === "taken over by B")).toHaveLength(1);
  const verified = await scale.cluster.verify();
  expect(verified.code, verified.output).toBe(0);
}, 90_000);
