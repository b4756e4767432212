// A project's budget in the ledger itself across a period rollover (docs/ledger.md invariant 10), on SQLite
// and PostgreSQL: a hold made in one period and captured for less in the next counts in the next period
// (a monthly budget) or for the project's life (a one-off one); a released hold gives its credits back;
// holds racing on several pools for what is left take exactly that; `ledger verify` stays clean.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { openTestStores, type TestStores } from "../test-support/test-stores.ts";
import { ProjectBudgetReachedError } from "./project-errors.ts";
import { SqlLedger } from "./sql-ledger.ts";

describe.each(DB_KINDS)("a project's budget across a period rollover on %s", (kind) => {
  let t: TestStores;
  beforeEach(async () => {
    t = await openTestStores(kind);
  });
  afterEach(() => t.cleanup());

  it("counts a capture for less than the hold in the period it happens, and lets racing holds take exactly what is left", async () => {
    const { team, manager } = await t.teams.createTeam({ name: "T", tier: "pro", monthlyCredits: 2000, managerName: "M" });
    const monthly = await t.managers.createProject(team.id, team.periodStart, { name: "Monthly", budget: 10, budgetKind: "monthly" });
    const once = await t.managers.createProject(team.id, team.periodStart, { name: "Once", budget: 10, budgetKind: "once" });
    const hold = (projectId: string, amount: number, ledger = t.ledger) => ledger.hold({ teamId: team.id, memberId: manager.id, amount, ttlMs: 600_000, projectId });

    const a = await hold(monthly.id, 6);
    const b = await hold(monthly.id, 4);
    const c = await hold(once.id, 6);
    await expect(hold(monthly.id, 1)).rejects.toBeInstanceOf(ProjectBudgetReachedError);

    // The next period starts while all three are pending.
    const next = new Date(Date.now() - 1000).toISOString();
    await t.db.run("UPDATE teams SET period_start = $2 WHERE id = $1", [team.id, next]);
    await t.ledger.capture(a.id, 3);
    await t.ledger.release(b.id);
    await t.ledger.capture(c.id, 5);
    expect(await t.managers.getProject(team.id, monthly.id, next)).toMatchObject({ spent: 3, held: 0, remaining: 7 });
    expect(await t.managers.getProject(team.id, once.id, next)).toMatchObject({ spent: 5, held: 0, remaining: 5 });
    expect(await t.ledger.verify()).toEqual([]);

    // 7 credits left of the monthly budget, 5 of the one-off one: racing holds of 1 on several pools take exactly that.
    const ledgers = kind === "postgres" ? [t.ledger, ...(await t.connect(2)).map((db) => new SqlLedger(db, DEFAULT_CATALOG))] : [t.ledger];
    const results = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) => hold(i % 2 === 0 ? monthly.id : once.id, 1, ledgers[i % ledgers.length]!)),
    );
    const took = (projectId: string) => results.filter((r, i) => r.status === "fulfilled" && (i % 2 === 0 ? monthly.id : once.id) === projectId).length;
    expect([took(monthly.id), took(once.id)]).toEqual([7, 5]);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ProjectBudgetReachedError);
    expect(await t.managers.getProject(team.id, monthly.id, next)).toMatchObject({ spent: 3, held: 7, remaining: 0 });
    expect(await t.managers.getProject(team.id, once.id, next)).toMatchObject({ spent: 5, held: 5, remaining: 0 });
    expect(await t.ledger.verify()).toEqual([]);
  });
});
