import { describe, expect, it } from "vitest";
import { teamResponseSchema } from "../../core/api/reports.ts";
import type { Db } from "../db/sql.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { useTestDb } from "../test-support/suite-db.ts";
import { memberSummary, teamSummary } from "./team-summary.ts";
import { seedMember, seedTeam } from "../test-support/seed-rows.ts";

const PERIOD = { periodStart: "2026-11-01T00:00:00.000Z", periodEnd: "2026-12-01T00:00:00.000Z" };

describe.each(DB_KINDS)("team summary on %s", (kind) => {
  let db: Db;
  useTestDb(kind, (opened) => (db = opened));

  it("shows the balance, the period and each member's spend, holds and cap left, managers first, then in the order they joined", async () => {
    const { id } = await seedTeam(db, { name: "Acme", tier: "basic", ...PERIOD, granted: 500, spent: 120, held: 30 });
    const bo = await seedMember(db, id, { name: "Bo", monthlyCap: 50, capPeriodStart: PERIOD.periodStart, periodSpent: 20, held: 25 });
    const ann = await seedMember(db, id, { name: "Ann", role: "manager", capPeriodStart: PERIOD.periodStart, periodSpent: 100, held: 0 });
    const cy = await seedMember(db, id, { name: "Cy", monthlyCap: 10, capPeriodStart: PERIOD.periodStart, periodSpent: 8, held: 5, disabled: true });
    const summary = await teamSummary(db, id);
    expect(teamResponseSchema.parse(summary)).toEqual(summary);
    expect(summary).toEqual({
      team: { id, name: "Acme", tier: "basic" },
      balance: { available: 350, held: 30, granted: 500, spent: 120, periodStartsAt: PERIOD.periodStart, periodEndsAt: PERIOD.periodEnd },
      members: [
        { id: ann, name: "Ann", role: "manager", monthlyCap: null, disabled: false, spent: 100, held: 0, capRemaining: null },
        { id: bo, name: "Bo", role: "member", monthlyCap: 50, disabled: false, spent: 20, held: 25, capRemaining: 5 },
        // Over the cap (a cap lowered after spending) shows 0 left, never a negative number.
        { id: cy, name: "Cy", role: "member", monthlyCap: 10, disabled: true, spent: 8, held: 5, capRemaining: 0 },
      ],
    });
  });

  it("counts a member's spend only from the team's current period", async () => {
    const { id } = await seedTeam(db, PERIOD);
    // The counter still holds October's spend: nobody has held anything since the rollover.
    const stale = await seedMember(db, id, { name: "Dee", monthlyCap: 40, capPeriodStart: "2026-10-01T00:00:00.000Z", periodSpent: 35, held: 0 });
    const never = await seedMember(db, id, { name: "Eve", monthlyCap: 0, capPeriodStart: null });
    const members = (await teamSummary(db, id))!.members;
    expect(members.map((m) => [m.id, m.spent, m.capRemaining])).toEqual([
      [stale, 0, 40],
      [never, 0, 0],
    ]);
  });

  it("shows an unlimited balance as available: null, still metered", async () => {
    const { id } = await seedTeam(db, { tier: "enterprise", unlimited: true, spent: 900, held: 40 });
    expect((await teamSummary(db, id))!.balance).toMatchObject({ available: null, spent: 900, held: 40, granted: 0 });
  });

  it("answers null for an unknown team, and finds members only in their own team", async () => {
    expect(await teamSummary(db, "team_nope")).toBeNull();
    const a = await seedTeam(db, PERIOD);
    const b = await seedTeam(db, PERIOD);
    const bo = await seedMember(db, b.id, { name: "Bo", monthlyCap: 9, capPeriodStart: PERIOD.periodStart, periodSpent: 4, held: 1 });
    expect(await memberSummary(db, a.id, bo)).toBeNull();
    expect(await memberSummary(db, b.id, bo)).toEqual({ id: bo, name: "Bo", role: "member", monthlyCap: 9, disabled: false, spent: 4, held: 1, capRemaining: 4 });
  });
});
