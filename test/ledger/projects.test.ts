// A project's budget and its alerts through the HTTP API of several real proxy processes on one database
// (two on a SQLite file, three on PostgreSQL), as behind a load balancer: of 300 concurrent POST /v1/jobs
// charged to a project whose budget covers 10, exactly 10 are accepted on an enterprise team (metered, no
// balance limit: only the budget refuses), the project's threshold fires once, and `ledger verify` is clean
// (docs/ledger.md invariant 10).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertListResponseSchema, projectResponseSchema } from "../../core/api/managers.ts";
import { DB_KINDS } from "../../server/test-support/databases.ts";
import { call, errorCode, expectLedgerWhole, jobOf, openCluster, smallCreate, waitForJob, type Cluster } from "./support/cluster.ts";

const PROCESSES = { sqlite: 2, postgres: 3 } as const;

describe.each(DB_KINDS)("a project's budget through several proxies on %s", (kind) => {
  let c: Cluster;
  let bases: string[];
  beforeAll(async () => {
    c = await openCluster(kind);
    await c.start(PROCESSES[kind]);
    bases = c.proxies.map((p) => p.url);
  }, 90_000);
  afterAll(() => c?.close(), 60_000);

  it("accepts exactly the 10 jobs a project's budget covers out of 300 concurrent ones, and fires its threshold once", async () => {
    const team = await c.createTeam("enterprise", 2000);
    const project = projectResponseSchema.parse(await (await call(bases[0]!, "/v1/projects", { token: team.token, json: { name: "Launch", budget: 20 } })).json()).project;
    expect((await call(bases[1]!, "/v1/team/thresholds", { token: team.token, json: { scope: "project", percent: 50 } })).status).toBe(201);

    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => call(bases[i % bases.length]!, "/v1/jobs", { token: team.token, json: smallCreate({ seed: i, projectId: project.id }) })),
    );
    const accepted = responses.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(10);
    const codes = await Promise.all(responses.filter((r) => r.status !== 202).map(errorCode));
    expect(new Set(codes)).toEqual(new Set(["project_budget_reached"]));

    const jobs = await Promise.all(accepted.map(async (r, i) => waitForJob(bases[i % bases.length]!, team.token, (await jobOf(r)).id)));
    expect(jobs.map((j) => j.status)).toEqual(Array(10).fill("succeeded"));
    const after = projectResponseSchema.shape.project.array().parse(((await (await call(bases[2 % bases.length]!, "/v1/projects", { token: team.token })).json()) as { projects: unknown[] }).projects);
    expect(after[0]).toMatchObject({ spent: 20, held: 0, remaining: 0 });
    const alerts = alertListResponseSchema.parse(await (await call(bases[0]!, "/v1/alerts", { token: team.token })).json()).alerts;
    expect(alerts.map((a) => [a.scope, a.percent, a.targetId])).toEqual([["project", 50, project.id]]);
    await expectLedgerWhole(c, team);
  }, 120_000);
});
