// Managers' controls in the hold's transaction (docs/ledger.md invariant 10, "Projects, roles and alerts"),
// on SQLite and PostgreSQL alike, attacked with concurrency (on PostgreSQL across separate pools, as several
// proxies would): a project's budget is never overspent by racing jobs, an unknown or archived project and
// a role's forbidden quality or model are refused before anything is held, and a threshold crossed by
// racing jobs fires exactly once.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobSpecInput } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import type { EstimateContext } from "../../core/estimate.ts";
import { SqlAssetRepo } from "../assets/asset-repo.ts";
import { ProjectBudgetReachedError, ProjectUnavailableError } from "../ledger/project-errors.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { newJobRequest } from "../test-support/job-requests.ts";
import { openTestStores, type TestStores } from "../test-support/test-stores.ts";
import { JobRefusedError } from "./errors.ts";
import { SqlJobStore } from "./job-store.ts";
import type { JobStore, NewJob, PricingState } from "./types.ts";

interface Who {
  teamId: string;
  memberId: string;
  periodStart: string;
}

const newJob = (who: Who, input: Partial<JobSpecInput> = {}, context?: (s: PricingState) => EstimateContext): NewJob =>
  newJobRequest(who, input, { configuredProviders: ["local", "stability"], ...(context ? { context } : {}) });

/** A price blind to the project's budget: the conditional update in the hold is then the only guard. */
const blindToProject = (s: PricingState): EstimateContext => ({ ...s, project: null });

describe.each(DB_KINDS)("managers' controls in the hold on %s", (kind) => {
  let t: TestStores;
  beforeEach(async () => {
    t = await openTestStores(kind);
  });
  afterEach(() => t.cleanup());

  async function team(monthlyCredits = 2000): Promise<Who> {
    const { team, manager } = await t.teams.createTeam({ name: "T", tier: "enterprise", monthlyCredits, managerName: "M" });
    // Enterprise: 300 jobs a minute, so the races below meet the budget, not the rate limit. Its balance is
    // unlimited, so only the project's budget can refuse.
    return { teamId: team.id, memberId: manager.id, periodStart: team.periodStart };
  }

  /** This store plus (PostgreSQL) job stores on pools of their own, as other proxies would have. */
  async function jobStores(n: number): Promise<JobStore[]> {
    if (kind !== "postgres") return [t.jobs];
    const dbs = await t.connect(n);
    return [t.jobs, ...dbs.map((db) => new SqlJobStore(db, DEFAULT_CATALOG, new SqlAssetRepo(db)))];
  }

  async function race(who: Who, n: number, input: Partial<JobSpecInput>, context?: (s: PricingState) => EstimateContext) {
    const stores = await jobStores(3);
    return Promise.allSettled(Array.from({ length: n }, (_, i) => stores[i % stores.length]!.createWithHold(newJob(who, input, context))));
  }

  for (const blind of [false, true])
    it(`racing jobs spend exactly a project's budget, never more${blind ? " (price blind to the budget: the hold's update refuses)" : ""}`, async () => {
      const who = await team();
      const project = await t.managers.createProject(who.teamId, who.periodStart, { name: "Launch", budget: 20, budgetKind: "monthly" });
      // 40 jobs of 2 credits for a budget of 20: exactly 10 are accepted.
      const results = await race(who, 40, { projectId: project.id }, blind ? blindToProject : undefined);
      const accepted = results.filter((r) => r.status === "fulfilled");
      expect(accepted).toHaveLength(10);
      for (const r of results.filter((r) => r.status === "rejected")) {
        const reason = (r as PromiseRejectedResult).reason as unknown;
        if (blind || reason instanceof ProjectBudgetReachedError) expect(reason).toBeInstanceOf(ProjectBudgetReachedError);
        else expect(reason).toMatchObject({ reason: { code: "project_budget_reached" } });
      }
      expect(await t.managers.getProject(who.teamId, project.id, who.periodStart)).toMatchObject({ held: 20, spent: 0, remaining: 0 });

      // Half succeed, half fail: the failed ones' credits come back to the budget, the captured ones stay.
      const jobs = accepted.map((r) => (r as PromiseFulfilledResult<{ job: { id: string } }>).value.job);
      for (const [i, job] of jobs.entries())
        if (i % 2 === 0) await t.jobs.succeed(job.id, { charge: 2, assets: [] });
        else await t.jobs.fail(job.id, { code: "provider_error", message: "boom. Nothing was charged." });
      expect(await t.managers.getProject(who.teamId, project.id, who.periodStart)).toMatchObject({ held: 0, spent: 10, remaining: 10 });
      const holds = await t.db.all<{ n: number }>("SELECT count(*) AS n FROM holds WHERE project_id = $1", [project.id]);
      expect(Number(holds[0]!.n)).toBe(10);
      // 5 more fit, then nothing.
      const again = await race(who, 8, { projectId: project.id }, blind ? blindToProject : undefined);
      expect(again.filter((r) => r.status === "fulfilled")).toHaveLength(5);
      expect(await t.ledger.verify()).toEqual([]);
    });

  it("ledger verify recomputes a project's counters from its holds and captures, and reports drift", async () => {
    const who = await team();
    const project = await t.managers.createProject(who.teamId, who.periodStart, { name: "P", budget: 100, budgetKind: "once" });
    const { job } = await t.jobs.createWithHold(newJob(who, { projectId: project.id, variations: 2 }));
    await t.jobs.createWithHold(newJob(who, { projectId: project.id }));
    await t.jobs.succeed(job.id, { charge: 4, assets: [] });
    expect(await t.ledger.verify()).toEqual([]);
    await t.db.run("UPDATE projects SET held = held + 1, period_spent = period_spent - 1 WHERE id = $1", [project.id]);
    expect(await t.ledger.verify()).toEqual([
      { teamId: who.teamId, what: `project ${project.id} held`, stored: 3, expected: 2 },
      { teamId: who.teamId, what: `project ${project.id} spent`, stored: 3, expected: 4 },
    ]);
  });

  it("refuses an unknown, another team's or archived project before anything is held", async () => {
    const who = await team();
    const other = await team();
    const theirs = await t.managers.createProject(other.teamId, other.periodStart, { name: "Theirs", budget: null, budgetKind: "monthly" });
    const archived = await t.managers.createProject(who.teamId, who.periodStart, { name: "Old", budget: 100, budgetKind: "once" });
    await t.managers.archiveProject(who.teamId, archived.id, who.periodStart);
    const before = await t.ledger.entries(who.teamId);
    await expect(t.jobs.createWithHold(newJob(who, { projectId: "prj_aaaaaaaaaaaaaaaaaaaaaaaaaa" }))).rejects.toMatchObject({ why: "unknown" });
    await expect(t.jobs.createWithHold(newJob(who, { projectId: theirs.id }))).rejects.toMatchObject({ why: "unknown" });
    const refused = t.jobs.createWithHold(newJob(who, { projectId: archived.id }));
    await expect(refused).rejects.toBeInstanceOf(ProjectUnavailableError);
    await expect(refused).rejects.toMatchObject({ why: "archived" });
    expect(await t.ledger.entries(who.teamId)).toEqual(before);
    expect(Number((await t.db.one<{ n: number }>("SELECT count(*) AS n FROM jobs WHERE team_id = $1", [who.teamId]))!.n)).toBe(0);
  });

  it("counts a monthly budget per period and a one-off budget for the project's life", async () => {
    const who = await team();
    const monthly = await t.managers.createProject(who.teamId, who.periodStart, { name: "Monthly", budget: 4, budgetKind: "monthly" });
    const once = await t.managers.createProject(who.teamId, who.periodStart, { name: "Once", budget: 4, budgetKind: "once" });
    for (const p of [monthly, once]) {
      const { job } = await t.jobs.createWithHold(newJob(who, { projectId: p.id, variations: 2 }));
      await t.jobs.succeed(job.id, { charge: 4, assets: [] });
    }
    // A new period: the monthly budget starts again at 0, the one-off one stays spent.
    const start = new Date(Date.now() - 1000).toISOString();
    await t.db.run("UPDATE teams SET period_start = $2 WHERE id = $1", [who.teamId, start]);
    const next = { ...who, periodStart: start };
    await expect(t.jobs.createWithHold(newJob(next, { projectId: monthly.id }))).resolves.toMatchObject({ created: true });
    await expect(t.jobs.createWithHold(newJob(next, { projectId: once.id }))).rejects.toMatchObject({ reason: { code: "project_budget_reached" } });
    expect(await t.managers.getProject(who.teamId, once.id, start)).toMatchObject({ spent: 4, remaining: 0 });
    expect(await t.managers.getProject(who.teamId, monthly.id, start)).toMatchObject({ spent: 0, held: 2, remaining: 2 });
  });

  it("refuses what the role may not use in the hold's transaction, whatever the client estimated", async () => {
    const who = await team();
    const { member } = await t.teams.addMember({ teamId: who.teamId, name: "Bo", role: "member" });
    const bo = { ...who, memberId: member.id };
    await t.managers.setRoleRules(who.teamId, "member", { qualities: ["draft", "standard"], models: ["local/procedural", "stability/sd3.5-medium"] });
    const before = await t.ledger.entries(who.teamId);
    const premium = t.jobs.createWithHold(newJob(bo, { quality: "premium" }));
    await expect(premium).rejects.toBeInstanceOf(JobRefusedError);
    await expect(premium).rejects.toMatchObject({ reason: { code: "role_not_allowed", details: { role: "member", quality: "premium" } } });
    const model = t.jobs.createWithHold(newJob(bo, { quality: "standard", provider: "stability", model: "ultra" }));
    await expect(model).rejects.toMatchObject({ reason: { code: "role_not_allowed", details: { model: "stability/ultra" } } });
    expect(await t.ledger.entries(who.teamId)).toEqual(before);
    // Allowed for members: draft; for managers (no rules): premium.
    await expect(t.jobs.createWithHold(newJob(bo, { quality: "draft" }))).resolves.toMatchObject({ created: true });
    await expect(t.jobs.createWithHold(newJob(who, { quality: "premium" }))).resolves.toMatchObject({ created: true });
    // The policy is read at each hold: lifted, premium goes through.
    await t.managers.setRoleRules(who.teamId, "member", null);
    await expect(t.jobs.createWithHold(newJob(bo, { quality: "premium" }))).resolves.toMatchObject({ created: true });
  });

  it("fires each threshold crossed by racing jobs exactly once, with one webhook event each", async () => {
    const who = await team();
    const project = await t.managers.createProject(who.teamId, who.periodStart, { name: "Launch", budget: 100, budgetKind: "monthly" });
    for (const percent of [50, 80, 100]) await t.managers.addThreshold(who.teamId, { scope: "project", targetId: null, percent });
    await t.managers.addThreshold(who.teamId, { scope: "team", targetId: null, percent: 2 }); // 2 % of 2000 = 40
    await t.managers.setWebhook(who.teamId, "http://127.0.0.1:9/hook");
    // 30 jobs of 6 credits race for a budget of 100: 16 fit (96), crossing 50 % and 80 % on the way.
    const results = await race(who, 30, { projectId: project.id, variations: 3 });
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(16);
    const alerts = await t.managers.alerts(who.teamId);
    expect(alerts.map((a) => [a.scope, a.percent]).sort()).toEqual([
      ["project", 50],
      ["project", 80],
      ["team", 2],
    ]);
    expect(alerts.find((a) => a.scope === "project" && a.percent === 50)).toMatchObject({ targetId: project.id, targetName: "Launch", base: 100 });
    const outbox = await t.db.all<{ event_id: string }>("SELECT event_id FROM webhook_outbox WHERE team_id = $1", [who.teamId]);
    expect(outbox.map((o) => o.event_id).sort()).toEqual(alerts.map((a) => a.id).sort());
    // More jobs in the same period fire nothing again; an acknowledged alert leaves the banner only.
    await race(who, 4, { variations: 3 });
    expect(await t.managers.alerts(who.teamId)).toHaveLength(3);
    await t.managers.acknowledge(who.teamId, alerts[0]!.id, who.memberId);
    expect(await t.managers.alerts(who.teamId)).toHaveLength(2);
    expect(await t.managers.alerts(who.teamId, true)).toHaveLength(3);
    expect(await t.ledger.verify()).toEqual([]);
  });
});
