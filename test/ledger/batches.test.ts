// Batches against the ledger's invariants (docs/ledger.md), through the HTTP API of several real proxy
// processes on one database (two on a SQLite file, three on PostgreSQL): batches racing single jobs and each
// other never overspend a balance or a member's cap and each holds all of its items or none; a retried batch
// holds once; a proxy killed mid-batch loses no credits. Each scenario ends with expectLedgerWhole (every
// hold resolved, charges equal to estimates, GET /v1/me equal to the entries, `ledger verify` clean).
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { batchResponseSchema } from "../../core/api/responses.ts";
import { DB_KINDS } from "../../server/test-support/databases.ts";
import { batchOf, call, clusterSuite, errorCode, expectLedgerWhole, jobOf, me, settled, smallCreate, waitForBatch, watchBalance } from "./support/cluster.ts";

const PROCESSES = { sqlite: 2, postgres: 3 } as const;

/** `n` small creates (2 credits each via the local provider), one batch. */
const batchOf3 = (tag: string, n = 3) => ({ items: Array.from({ length: n }, (_, i) => smallCreate({ prompt: `${tag} ${i}` })) });

describe.each(DB_KINDS)("batches through the HTTP API of several proxies on %s", (kind) => {
  const suite = clusterSuite(kind, { processes: PROCESSES[kind], env: { SWEEP_INTERVAL_MS: "200" } });

  it("never overspends when batches race single jobs and each other: each batch holds all of its items or none", async () => {
    const { c, bases } = suite;
    const team = await c.createTeam("pro", 0);
    await c.stores.ledger.grant({ teamId: team.teamId, kind: "topup", amount: 40 });
    const watch = watchBalance(bases, team.token);
    // 15 batches of 3 (6 credits each) and 30 single jobs (2 each) at once, over every proxy: 120 credits asked, 40 there.
    const requests = [
      ...Array.from({ length: 15 }, (_, i) => ({ kind: "batch" as const, path: "/v1/batches", json: batchOf3(`batch ${i}`) })),
      ...Array.from({ length: 30 }, (_, i) => ({ kind: "job" as const, path: "/v1/jobs", json: smallCreate({ prompt: `single ${i}` }) })),
    ].sort(() => Math.random() - 0.5);
    const responses = await Promise.all(
      requests.map((r, i) => call(bases[i % bases.length]!, r.path, { token: team.token, json: r.json, headers: { "Idempotency-Key": randomUUID() } })),
    );
    const outcomes = await Promise.all(
      responses.map(async (res, i) => ({ kind: requests[i]!.kind, status: res.status, code: res.status === 202 ? null : await errorCode(res), body: res })),
    );
    for (const o of outcomes) if (o.status !== 202) expect(o.code).toBe("insufficient_credits");
    const batches = await Promise.all(outcomes.filter((o) => o.kind === "batch" && o.status === 202).map((o) => batchOf(o.body)));
    const singles = await Promise.all(outcomes.filter((o) => o.kind === "job" && o.status === 202).map((o) => jobOf(o.body)));
    expect(batches.length).toBeGreaterThan(0);
    expect(singles.length).toBeGreaterThan(0);
    // All or nothing: an accepted batch holds every item; a refused one left no row, no job and no hold.
    for (const b of batches) expect(b.items.map((j) => j.held)).toEqual([2, 2, 2]);
    expect((await c.stores.db.all("SELECT id FROM batches WHERE team_id = $1", [team.teamId])).length).toBe(batches.length);
    expect((await c.stores.db.all("SELECT id FROM jobs WHERE team_id = $1", [team.teamId])).length).toBe(3 * batches.length + singles.length);
    expect(6 * batches.length + 2 * singles.length).toBeLessThanOrEqual(40);

    for (const b of batches) expect(await waitForBatch(bases[0]!, team.token, b.id, settled)).toMatchObject({ status: "succeeded", charged: 6, held: 0 });
    expect(await watch.stop()).toBeGreaterThanOrEqual(0);
    const { me: after } = await expectLedgerWhole(c, team);
    expect(after.balance.spent).toBe(6 * batches.length + 2 * singles.length);
    // Nothing failed, so the balance only fell: a single refused for want of 2 credits means less than 2
    // remained from then on, and a refused batch, less than 6.
    if (outcomes.some((o) => o.kind === "job" && o.status === 402)) expect(after.balance.available).toBeLessThan(2);
    if (outcomes.some((o) => o.kind === "batch" && o.status === 402)) expect(after.balance.available).toBeLessThan(6);
  }, 90_000);

  it("never passes a member's monthly cap when the member's batches and jobs race", async () => {
    const { c, bases } = suite;
    const team = await c.createTeam("pro");
    const member = await c.stores.teams.addMember({ teamId: team.teamId, name: "Capped", role: "member", monthlyCap: 14 });
    const requests = [
      ...Array.from({ length: 8 }, (_, i) => ({ path: "/v1/batches", json: batchOf3(`capped batch ${i}`) })),
      ...Array.from({ length: 12 }, (_, i) => ({ path: "/v1/jobs", json: smallCreate({ prompt: `capped single ${i}` }) })),
    ].sort(() => Math.random() - 0.5);
    const responses = await Promise.all(requests.map((r, i) => call(bases[i % bases.length]!, r.path, { token: member.token, json: r.json })));
    const accepted = responses.filter((r) => r.status === 202);
    for (const r of responses.filter((x) => x.status !== 202)) expect(await errorCode(r)).toBe("member_cap_reached");
    expect(accepted.length).toBeGreaterThan(0);
    const held = await c.stores.db.one<{ n: number }>("SELECT coalesce(sum(amount), 0) AS n FROM holds WHERE member_id = $1", [member.member.id]);
    expect(Number(held!.n)).toBeLessThanOrEqual(14);
    const { me: after } = await expectLedgerWhole(c, { teamId: team.teamId, memberId: member.member.id, token: member.token });
    expect(after.member.spent).toBeLessThanOrEqual(14);
    expect(after.member.spent).toBe(Number(held!.n));
  }, 90_000);

  it("streams a batch's events on another proxy than the one running it, to the end", async () => {
    const { c, bases } = suite;
    const team = await c.createTeam("pro");
    const accepted = await batchOf(await call(bases[0]!, "/v1/batches", { token: team.token, json: batchOf3("streamed", 4), headers: { "Idempotency-Key": randomUUID() } }));
    const res = await call(bases[bases.length - 1]!, `/v1/batches/${accepted.id}/events`, { token: team.token });
    expect(res.status).toBe(200);
    const events = (await res.text())
      .split("\n\n")
      .filter((block) => block.includes("event:"))
      .map((block) => ({ event: /event: (\w+)/.exec(block)![1]!, data: JSON.parse(/data: (.*)/.exec(block)![1]!) as unknown }));
    expect(events[0]!.event).toBe("batch");
    const last = batchResponseSchema.parse(events.at(-1)!.data).batch;
    expect(last).toMatchObject({ id: accepted.id, status: "succeeded", charged: 8, progress: { succeeded: 4 } });
    await expectLedgerWhole(c, team);
  }, 60_000);

  it("makes one batch and one hold per item of 30 concurrent POSTs with the same Idempotency-Key on every proxy", async () => {
    const { c, bases } = suite;
    const team = await c.createTeam("pro");
    const key = `batch-burst-${randomUUID()}`;
    const body = batchOf3("burst");
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(bases[i % bases.length]!, "/v1/batches", { token: team.token, json: body, headers: { "Idempotency-Key": key } })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([...Array(29).fill(200), 202]);
    const ids = new Set(await Promise.all(responses.map(async (r) => (await batchOf(r)).id)));
    expect(ids.size).toBe(1);
    expect((await c.stores.db.all("SELECT id FROM batches WHERE team_id = $1", [team.teamId])).length).toBe(1);
    expect((await c.stores.db.all("SELECT id FROM holds WHERE team_id = $1", [team.teamId])).length).toBe(3);
    const other = await call(bases[0]!, "/v1/batches", { token: team.token, json: batchOf3("else"), headers: { "Idempotency-Key": key } });
    expect(other.status).toBe(422);
    const { me: after } = await expectLedgerWhole(c, team);
    expect(after.balance.spent).toBe(6);
  }, 60_000);
});

describe.each(DB_KINDS)("a proxy killed mid-batch on %s", (kind) => {
  const suite = clusterSuite(kind, { stability: true });

  it("loses no credits: after a restart the running item fails and is released, the queued ones run, and verify is clean", async () => {
    const { c, stability } = suite;
    // One Stability call at a time: the first item to run is delivered, the second hangs at the provider, the
    // other two wait in line.
    const env = { STABILITY_API_KEY: stability.apiKey, STABILITY_BASE_URL: stability.url, PROVIDER_CONCURRENCY: "1", JOB_LEASE_MS: "1000", SWEEP_INTERVAL_MS: "200" };
    const team = await c.createTeam("pro");
    const [first] = await c.start(1, env);
    stability.passNext("generate/core");
    stability.delayNext("generate/core", 30_000);
    const items = Array.from({ length: 4 }, (_, i) => ({ operation: "create", prompt: `a lighthouse at dusk, take ${i}`, quality: "standard" }));
    const res = await call(first!.url, "/v1/batches", { token: team.token, json: { items }, headers: { "Idempotency-Key": randomUUID() } });
    expect(res.status).toBe(202);
    const accepted = await batchOf(res);
    expect(accepted.estimate.total).toBe(16);
    const during = await waitForBatch(first!.url, team.token, accepted.id, (b) => b.progress.succeeded === 1 && b.progress.running === 1);
    const hanging = during.items.findIndex((j) => j.status === "running");

    await first!.kill();

    const stranded = await c.stores.ledger.balance(team.teamId);
    expect(stranded).toMatchObject({ held: 12, spent: 4 });

    const [second] = await c.start(1, env);
    const done = await waitForBatch(second!.url, team.token, accepted.id, settled, 30_000);
    expect(done).toMatchObject({ status: "partial", charged: 12, held: 0, progress: { succeeded: 3, failed: 1 } });
    expect(done.items[hanging]).toMatchObject({ status: "failed", charged: 0, error: { code: "provider_error" } });
    const { me: after } = await expectLedgerWhole(c, team);
    expect(after.balance).toMatchObject({ available: 2000 - 12, held: 0, spent: 12 });
  }, 90_000);
});
