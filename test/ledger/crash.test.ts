// Invariant 4 through the HTTP API: a proxy killed (SIGKILL) after a job's hold and before its capture loses
// no credits. The hold outlives the process; a proxy restarted on the same database takes the job over
// once its lease lapses, fails it and releases the hold, and nothing is charged.
import { describe, expect, it } from "vitest";
import { DB_KINDS } from "../../server/test-support/databases.ts";
import { call, clusterSuite, expectLedgerWhole, finished, jobOf, me, waitForJob } from "./support/cluster.ts";

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(DB_KINDS)("a proxy killed mid-job on %s", (kind) => {
  const suite = clusterSuite(kind, { stability: true });

  it("loses no credits: after a restart the job fails, its hold is released and the balance is back", async () => {
    const { c, stability } = suite;
    // A short lease and sweep so the takeover happens within a second or two of the restart.
    const env = { STABILITY_API_KEY: stability.apiKey, STABILITY_BASE_URL: stability.url, JOB_LEASE_MS: "1000", SWEEP_INTERVAL_MS: "200" };
    const team = await c.createTeam("pro");
    const [first] = await c.start(1, env);
    const before = await me(first!.url, team.token);
    expect(before.balance).toMatchObject({ available: 2000, held: 0 });

    // Stability answers this job's request only after 30 s: the job sits between its hold and its capture.
    stability.delayNext("generate/core", 30_000);
    const res = await call(first!.url, "/v1/jobs", { token: team.token, json: { operation: "create", prompt: "a lighthouse at dusk", quality: "standard" } });
    expect(res.status).toBe(202);
    const accepted = await jobOf(res);
    expect(accepted).toMatchObject({ route: { provider: "stability", model: "core" }, held: 4 });
    await waitForJob(first!.url, team.token, accepted.id, (j) => j.status === "running");
    await until(() => stability.requestsTo("generate/core").length === 1);

    await first!.kill();

    // The process is gone; its hold is not.
    const stranded = (await c.stores.jobs.getById(accepted.id))!;
    expect(stranded).toMatchObject({ status: "running", held: 4, charged: 0 });
    expect(await c.stores.ledger.getHold(stranded.holdId!)).toMatchObject({ state: "pending", amount: 4 });
    expect(await c.stores.ledger.balance(team.teamId)).toMatchObject({ held: 4, available: 1996 });

    const [second] = await c.start(1, env);
    const done = await waitForJob(second!.url, team.token, accepted.id, finished, 20_000);
    expect(done).toMatchObject({ status: "failed", charged: 0, held: 0, assets: [], error: { code: "provider_error" } });
    expect(done.error!.message).toMatch(/Nothing was charged/);
    expect(await c.stores.ledger.getHold(stranded.holdId!)).toMatchObject({ state: "released", captured: 0 });
    expect((await c.stores.ledger.entries(team.teamId, { jobId: accepted.id })).map((e) => [e.kind, e.amount])).toEqual([
      ["hold", 4],
      ["release", 4],
    ]);
    // The provider was not asked again: the restarted proxy could not collect that result, so it charged nothing.
    expect(stability.requestsTo("generate/core")).toHaveLength(1);
    const { me: after } = await expectLedgerWhole(c, team);
    expect(after.balance).toMatchObject({ available: 2000, held: 0, spent: 0 });
  }, 60_000);
});
