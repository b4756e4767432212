// Tries to break the ledger's invariants (docs/ledger.md) through the HTTP API, with several real proxy processes
// on one database, as behind a load balancer: two on one SQLite file, three on one PostgreSQL database.
// Each scenario ends with expectLedgerWhole: no balance below zero, GET /v1/me equal to the sum of the
// entries, nothing charged twice, nothing lost, and `npm run admin -- ledger verify` finding no drift.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estimateSchema } from "../../core/api/responses.ts";
import { DB_KINDS } from "../../server/test-support/databases.ts";
import {
  call,
  errorCode,
  expectLedgerWhole,
  expectLedgersWhole,
  jobOf,
  me,
  openCluster,
  smallCreate,
  waitForJob,
  watchBalance,
  type Cluster,
} from "./support/cluster.ts";

const PROCESSES = { sqlite: 2, postgres: 3 } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DB_KINDS)("the ledger through the HTTP API of several proxies on %s", (kind) => {
  let c: Cluster;
  let bases: string[];
  beforeAll(async () => {
    c = await openCluster(kind);
    // Teams are made before the proxies start, so no demo team appears; a short sweep interval lets every
    // proxy's reaper notice an ended period within a fraction of a second.
    await c.start(PROCESSES[kind], { SWEEP_INTERVAL_MS: "200" });
    bases = c.proxies.map((p) => p.url);
  }, 90_000);
  afterAll(() => c?.close(), 60_000);

  it("accepts exactly the 10 jobs the balance covers out of 500 concurrent POST /v1/jobs, never going below zero", async () => {
    const team = await c.createTeam("pro", 0);
    const quote = estimateSchema.parse(await (await call(bases[0]!, "/v1/estimate", { token: team.token, json: smallCreate() })).json());
    expect(quote.total).toBe(2); // draft via the local provider
    await c.stores.ledger.grant({ teamId: team.teamId, kind: "topup", amount: 10 * quote.total });

    const watch = watchBalance(bases, team.token);
    const responses = await Promise.all(
      Array.from({ length: 500 }, (_, i) => call(bases[i % bases.length]!, "/v1/jobs", { token: team.token, json: smallCreate({ seed: i }) })),
    );
    const accepted = responses.filter((r) => r.status === 202);
    const refused = responses.filter((r) => r.status !== 202);
    expect(accepted).toHaveLength(10);
    const codes = await Promise.all(refused.map(errorCode));
    for (const [i, code] of codes.entries()) {
      expect(["insufficient_credits", "rate_limited"]).toContain(code);
      expect(refused[i]!.status).toBe(code === "insufficient_credits" ? 402 : 429);
    }
    expect(codes.filter((x) => x === "insufficient_credits").length).toBeGreaterThan(400);

    const jobs = await Promise.all(accepted.map(async (r, i) => waitForJob(bases[i % bases.length]!, team.token, (await jobOf(r)).id)));
    expect(jobs.map((j) => j.status)).toEqual(Array(10).fill("succeeded"));
    expect(await watch.stop()).toBeGreaterThanOrEqual(0);
    const { me: after } = await expectLedgerWhole(c, team);
    expect(after.balance).toMatchObject({ available: 0, spent: 20, held: 0 });
  }, 90_000);

  it("makes one job and one hold of 50 concurrent POSTs with the same Idempotency-Key, and refuses the key for another spec", async () => {
    const team = await c.createTeam("pro");
    const key = `burst-${randomUUID()}`;
    const spec = smallCreate({ variations: 2 });
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call(bases[i % bases.length]!, "/v1/jobs", { token: team.token, json: spec, headers: { "Idempotency-Key": key } })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([...Array(49).fill(200), 202]);
    for (const r of responses) if (r.status === 200) expect(r.headers.get("idempotent-replayed")).toBe("true");
    const ids = new Set(await Promise.all(responses.map(async (r) => (await jobOf(r)).id)));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect((await c.stores.db.all("SELECT id FROM holds WHERE team_id = $1", [team.teamId])).length).toBe(1);
    expect((await c.stores.db.all("SELECT id FROM jobs WHERE team_id = $1", [team.teamId])).length).toBe(1);

    // The same key with another request, on every proxy: 422, nothing held.
    for (const base of bases) {
      const res = await call(base, "/v1/jobs", { token: team.token, json: { ...spec, prompt: "something else" }, headers: { "Idempotency-Key": key } });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: { code: string; details?: { jobId?: string } } };
      expect(body.error).toMatchObject({ code: "idempotency_mismatch", details: { jobId: id } });
    }
    const done = await waitForJob(bases[0]!, team.token, id!);
    expect(done.status).toBe("succeeded");
    // A retry after the job finished is still the same job, charged once.
    const late = await call(bases[bases.length - 1]!, "/v1/jobs", { token: team.token, json: spec, headers: { "Idempotency-Key": key } });
    expect(late.status).toBe(200);
    expect(await jobOf(late)).toMatchObject({ id, status: "succeeded", charged: 4 });
    const { me: after } = await expectLedgerWhole(c, team);
    expect(after.balance).toMatchObject({ spent: 4, available: 1996 });
  }, 60_000);

  it("rolls an ended period over exactly once when every proxy notices it at the same moment", async () => {
    const teams = await Promise.all([0, 1, 2].map(() => c.createTeam("basic"))); // 500 credits a month
    for (const [i, team] of teams.entries()) {
      const res = await call(bases[i % bases.length]!, "/v1/jobs", { token: team.token, json: smallCreate() });
      expect(res.status).toBe(202);
      expect((await waitForJob(bases[0]!, team.token, (await jobOf(res)).id)).status).toBe("succeeded");
    }
    const oldGrants = await Promise.all(teams.map((t) => c.stores.ledger.grants(t.teamId)));

    // A month goes by: the period, the monthly grant's expiry and the members' cap period move into the past
    // in one transaction, so no sweep sees half of it.
    const end = new Date(Date.now() - 1000).toISOString();
    const start = new Date(Date.now() - 1000 - 30 * 86_400_000).toISOString();
    await c.stores.db.tx(async (sql) => {
      for (const t of teams) {
        await sql.run("UPDATE teams SET period_start = $2, period_end = $3 WHERE id = $1", [t.teamId, start, end]);
        await sql.run("UPDATE members SET cap_period_start = $2 WHERE team_id = $1", [t.teamId, start]);
        await sql.run("UPDATE grants SET expires_at = $2 WHERE team_id = $1 AND kind = 'monthly'", [t.teamId, end]);
      }
    });
    // Every proxy's reaper (every 200 ms) and GET /v1/me on every proxy race to roll them over.
    const views = await Promise.all(teams.flatMap((t) => bases.flatMap((b) => [me(b, t.token), me(b, t.token)])));
    for (const v of views) expect(Date.parse(v.balance.periodEndsAt)).toBeGreaterThan(Date.now());
    await sleep(1000); // five more sweeps on every proxy: a second rollover would have happened by now

    for (const [i, team] of teams.entries()) {
      const old = oldGrants[i]!.find((g) => g.kind === "monthly")!;
      const grants = await c.stores.ledger.grants(team.teamId);
      const monthly = grants.filter((g) => g.kind === "monthly");
      expect(monthly).toHaveLength(2);
      expect(monthly.find((g) => g.id === old.id)).toMatchObject({ remaining: 0 });
      const fresh = monthly.find((g) => g.id !== old.id)!;
      expect(fresh).toMatchObject({ amount: 500, remaining: 500 });
      const teamRow = (await c.stores.teams.getTeam(team.teamId))!;
      expect(teamRow.periodStart).toBe(end);
      expect(fresh.expiresAt).toBe(teamRow.periodEnd);

      const entries = await c.stores.ledger.entries(team.teamId);
      expect(entries.filter((e) => e.kind === "expire").map((e) => [e.amount, e.grantId])).toEqual([[498, old.id]]);
      expect(entries.filter((e) => e.kind === "grant").map((e) => [e.amount, e.grantId])).toEqual([
        [500, old.id],
        [500, fresh.id],
      ]);
      for (const base of bases) {
        const m = await me(base, team.token);
        expect(m.balance).toMatchObject({ available: 500, granted: 502, spent: 2, held: 0, periodEndsAt: teamRow.periodEnd });
        expect(m.member.spent).toBe(0); // the member's spend starts again with the period
      }
    }
    await expectLedgersWhole(c, teams);
  }, 60_000);
});
