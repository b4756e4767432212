// The ledger's invariants (docs/ledger.md), on SQLite and PostgreSQL alike, each attacked with concurrency.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { balanceFromEntries, openTestStores, type TestStores } from "../test-support/test-stores.ts";
import { SqlLedger } from "./sql-ledger.ts";
import { InsufficientCreditsError, MemberCapReachedError } from "./types.ts";

describe.each(DB_KINDS)("ledger on %s", (kind) => {
  let t: TestStores;
  beforeEach(async () => {
    t = await openTestStores(kind);
  });
  afterEach(() => t.cleanup());

  async function team(monthlyCredits: number | null, tier: "free" | "basic" | "pro" | "enterprise" = "pro") {
    const { team, manager } = await t.teams.createTeam({ name: "T", tier, monthlyCredits, managerName: "M" });
    return { teamId: team.id, memberId: manager.id, periodEnd: team.periodEnd, periodStart: team.periodStart };
  }

  async function expectConsistent(teamId: string) {
    const b = await t.ledger.balance(teamId);
    expect(balanceFromEntries(await t.ledger.entries(teamId))).toEqual({ granted: b.granted, spent: b.spent, held: b.held });
    expect(await t.ledger.verify()).toEqual([]);
  }

  /** Moves the team's period (and its monthly grants' expiry) into the past, as if a month went by. */
  async function endPeriod(teamId: string, msAgo = 1000) {
    const end = new Date(Date.now() - msAgo).toISOString();
    const start = new Date(Date.now() - msAgo - 30 * 86_400_000).toISOString();
    await t.db.run("UPDATE teams SET period_start = $2, period_end = $3 WHERE id = $1", [teamId, start, end]);
    await t.db.run("UPDATE members SET cap_period_start = $2 WHERE team_id = $1", [teamId, start]);
    await t.db.run("UPDATE grants SET expires_at = $2 WHERE team_id = $1 AND kind = 'monthly'", [teamId, end]);
  }

  it("starts a team with its monthly grant, expiring at the period's end", async () => {
    const { teamId, periodEnd } = await team(2000);
    expect(await t.ledger.balance(teamId)).toEqual({ teamId, unlimited: false, granted: 2000, spent: 0, held: 0, available: 2000 });
    const [grant] = await t.ledger.grants(teamId);
    expect(grant).toMatchObject({ kind: "monthly", amount: 2000, remaining: 2000, expiresAt: periodEnd });
    expect((await t.ledger.entries(teamId)).map((e) => [e.kind, e.amount, e.availableAfter])).toEqual([["grant", 2000, 2000]]);
  });

  it("holds credits and refuses a hold beyond the available balance without writing anything", async () => {
    const { teamId, memberId } = await team(10);
    const hold = await t.ledger.hold({ teamId, memberId, amount: 7, ttlMs: 60_000 });
    expect(hold).toMatchObject({ state: "pending", amount: 7, captured: 0 });
    const entriesBefore = await t.ledger.entries(teamId);
    const refused = t.ledger.hold({ teamId, memberId, amount: 4, ttlMs: 60_000 });
    await expect(refused).rejects.toBeInstanceOf(InsufficientCreditsError);
    await expect(refused).rejects.toMatchObject({ needed: 4, available: 3 });
    expect(await t.ledger.entries(teamId)).toEqual(entriesBefore);
    await expect(t.ledger.hold({ teamId, memberId, amount: 3, ttlMs: 60_000 })).resolves.toMatchObject({ amount: 3 });
    expect((await t.ledger.balance(teamId)).available).toBe(0);
    await expectConsistent(teamId);
  });

  it("captures fully, and partly with the rest returned", async () => {
    const { teamId, memberId } = await team(100);
    const full = await t.ledger.hold({ teamId, memberId, amount: 10, ttlMs: 60_000 });
    const part = await t.ledger.hold({ teamId, memberId, amount: 8, ttlMs: 60_000 });
    expect((await t.ledger.capture(full.id)).hold).toMatchObject({ state: "captured", captured: 10 });
    expect(await t.ledger.capture(part.id, 6)).toMatchObject({ changed: true, hold: { state: "captured", captured: 6, amount: 8 } });
    expect(await t.ledger.balance(teamId)).toMatchObject({ granted: 100, spent: 16, held: 0, available: 84 });
    expect((await t.ledger.entries(teamId, { holdId: part.id })).map((e) => [e.kind, e.amount])).toEqual([["hold", 8], ["capture", 6], ["release", 2]]);
    await expect(t.ledger.capture((await t.ledger.hold({ teamId, memberId, amount: 5, ttlMs: 60_000 })).id, 6)).rejects.toThrowError(RangeError);
    await expectConsistent(teamId);
  });

  it("resolves a hold exactly once, even when resolutions race", async () => {
    const { teamId, memberId } = await team(100);
    const holds = await Promise.all(Array.from({ length: 10 }, () => t.ledger.hold({ teamId, memberId, amount: 5, ttlMs: 60_000 })));
    // For every hold, a capture, a partial capture and a release race; exactly one of them wins.
    const results = await Promise.all(holds.flatMap((h) => [t.ledger.capture(h.id), t.ledger.capture(h.id, 2), t.ledger.release(h.id)]));
    for (const h of holds) {
      const mine = results.filter((r) => r.hold.id === h.id);
      expect(mine.filter((r) => r.changed)).toHaveLength(1);
      const final = await t.ledger.getHold(h.id);
      for (const r of mine) expect(r.hold).toMatchObject({ state: final!.state, captured: final!.captured });
    }
    const b = await t.ledger.balance(teamId);
    expect(b.held).toBe(0);
    await expectConsistent(teamId);
  });

  it("expires holds nobody resolved on the database clock and returns their credits", async () => {
    const { teamId, memberId } = await team(20);
    const short = await t.ledger.hold({ teamId, memberId, amount: 6, ttlMs: 1 });
    const long = await t.ledger.hold({ teamId, memberId, amount: 4, ttlMs: 60_000 });
    await new Promise((r) => setTimeout(r, 20));
    expect((await t.ledger.expireHolds()).map((h) => h.id)).toEqual([short.id]);
    expect((await t.ledger.getHold(long.id))?.state).toBe("pending");
    expect(await t.ledger.balance(teamId)).toMatchObject({ held: 4, available: 16 });
    expect(await t.ledger.expireHolds()).toEqual([]);
    expect(await t.ledger.capture(short.id)).toMatchObject({ changed: false, hold: { state: "expired" } });
    expect(await t.ledger.memberUsage(memberId)).toEqual({ spent: 0, held: 4 });
    await expectConsistent(teamId);
  });

  it("spends from the grant that expires first, top-ups last", async () => {
    const { teamId, memberId } = await team(10);
    await t.ledger.grant({ teamId, kind: "topup", amount: 50 });
    await t.ledger.grant({ teamId, kind: "adjust", amount: 5, expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    await t.ledger.capture((await t.ledger.hold({ teamId, memberId, amount: 12, ttlMs: 60_000 })).id);
    expect((await t.ledger.grants(teamId)).map((g) => [g.kind, g.remaining])).toEqual([["adjust", 0], ["monthly", 3], ["topup", 50]]);
    expect((await t.ledger.balance(teamId)).available).toBe(53);
    await expectConsistent(teamId);
  });

  it("meters an unlimited (enterprise) team without ever refusing it", async () => {
    const { teamId, memberId } = await team(null, "enterprise");
    await t.ledger.capture((await t.ledger.hold({ teamId, memberId, amount: 5000, ttlMs: 60_000 })).id);
    expect(await t.ledger.balance(teamId)).toEqual({ teamId, unlimited: true, granted: 0, spent: 5000, held: 0, available: null });
    expect((await t.ledger.entries(teamId)).map((e) => e.kind)).toEqual(["hold", "capture"]);
    await expectConsistent(teamId);
  });

  it("checks a member's monthly cap in the hold's transaction, even under concurrent holds", async () => {
    const { teamId } = await team(1000);
    const { member } = await t.teams.addMember({ teamId, name: "Capped", role: "member", monthlyCap: 20 });
    const attempts = await Promise.allSettled(Array.from({ length: 30 }, () => t.ledger.hold({ teamId, memberId: member.id, amount: 3, ttlMs: 60_000 })));
    const ok = attempts.filter((a) => a.status === "fulfilled");
    expect(ok).toHaveLength(6); // 6 x 3 = 18 <= 20 < 21
    for (const a of attempts) if (a.status === "rejected") expect(a.reason).toBeInstanceOf(MemberCapReachedError);
    expect(await t.ledger.memberUsage(member.id)).toEqual({ spent: 0, held: 18 });
    // Captured spend counts against the cap too; released credits come back to it.
    const [first, second] = ok.map((a) => (a as PromiseFulfilledResult<{ id: string }>).value);
    await t.ledger.capture(first!.id);
    await t.ledger.release(second!.id);
    expect(await t.ledger.memberUsage(member.id)).toEqual({ spent: 3, held: 12 });
    await expect(t.ledger.hold({ teamId, memberId: member.id, amount: 3, ttlMs: 60_000 })).resolves.toBeTruthy();
    await expect(t.ledger.hold({ teamId, memberId: member.id, amount: 3, ttlMs: 60_000 })).rejects.toMatchObject({ cap: 20, remaining: 2 });
    expect((await t.ledger.balance(teamId)).held).toBe(15);
    await expectConsistent(teamId);
  });

  it("never overspends under 200 concurrent holds in one process", async () => {
    const { teamId, memberId } = await team(10);
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => t.ledger.hold({ teamId, memberId, amount: 1, ttlMs: 60_000 })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(10);
    expect((await t.ledger.balance(teamId)).available).toBe(0);
    expect(Math.min(...(await t.ledger.entries(teamId)).map((e) => e.availableAfter))).toBeGreaterThanOrEqual(0);
    await expectConsistent(teamId);
  });

  it("never overspends when several processes race for the same balance", async () => {
    const credits = 25;
    const { teamId } = await team(credits);
    const run = promisify(execFile);
    const startAt = Date.now() + 2500; // all workers start together, after tsx has loaded
    const workers = await Promise.all(
      [0, 1, 2].map(() => run("node_modules/.bin/tsx", ["server/test-support/hold-worker.ts", t.url, teamId, "15", "1", String(startAt)], { timeout: 30_000 })),
    );
    const results = workers.map((w) => JSON.parse(w.stdout) as { ok: number; refused: number });
    expect(results.reduce((n, r) => n + r.ok, 0)).toBe(credits);
    expect(results.reduce((n, r) => n + r.refused, 0)).toBe(45 - credits);
    const balance = await t.ledger.balance(teamId);
    expect(balance.available).toBe(0);
    expect(balance.spent + balance.held).toBe(credits);
    expect(Math.min(...(await t.ledger.entries(teamId)).map((e) => e.availableAfter))).toBeGreaterThanOrEqual(0);
    await expectConsistent(teamId);
  }, 40_000);

  it("rolls a period over exactly once when several connections notice it at the same moment", async () => {
    const { teamId, memberId } = await team(500, "basic");
    await t.ledger.capture((await t.ledger.hold({ teamId, memberId, amount: 120, ttlMs: 60_000 })).id);
    await endPeriod(teamId);
    // SQLite: one connection per process (a second one in this process would block the only thread);
    // across processes the proxy-level tests race it. PostgreSQL: three more pools race here.
    const others = kind === "postgres" ? await t.connect(3) : [];
    const ledgers = [t.ledger, ...others.map((db) => new SqlLedger(db, DEFAULT_CATALOG))];
    const rolled = (await Promise.all(ledgers.flatMap((l) => [l.rollOver(DEFAULT_CATALOG), l.rollOver(DEFAULT_CATALOG, teamId)]))).flat();
    expect(rolled).toEqual([teamId]);
    const grants = await t.ledger.grants(teamId);
    expect(grants.filter((g) => g.kind === "monthly")).toHaveLength(2);
    expect(grants.find((g) => g.remaining > 0)).toMatchObject({ kind: "monthly", amount: 500, remaining: 500 });
    // The old allocation's 380 unused credits expired; the new 500 arrived.
    expect(await t.ledger.balance(teamId)).toMatchObject({ granted: 500 + 500 - 380, spent: 120, available: 500 });
    const team2 = await t.teams.getTeam(teamId);
    expect(Date.parse(team2!.periodEnd)).toBeGreaterThan(Date.now());
    expect(await t.ledger.memberUsage(memberId)).toEqual({ spent: 0, held: 0 });
    await expectConsistent(teamId);
  });

  it("keeps credits held for running jobs covered when their grant expires", async () => {
    const { teamId, memberId } = await team(50, "free");
    const running = await t.ledger.hold({ teamId, memberId, amount: 30, ttlMs: 60_000 });
    await endPeriod(teamId);
    await t.ledger.rollOver(DEFAULT_CATALOG);
    // 20 of the old 50 expired; 30 stay on the old grant while the job runs.
    expect(await t.ledger.balance(teamId)).toMatchObject({ held: 30, available: 50 });
    await t.ledger.release(running.id);
    expect(await t.ledger.expireGrants()).toBe(30);
    expect(await t.ledger.balance(teamId)).toMatchObject({ held: 0, available: 50, granted: 50 });
    expect(await t.ledger.expireGrants()).toBe(0);
    await expectConsistent(teamId);
  });

  it("changes tier mid-period: upgrades are prorated, downgrades take back the unspent share, enterprise is metered", async () => {
    const { teamId, memberId } = await team(500, "basic");
    const period = await t.teams.getTeam(teamId);
    // Half the period left.
    const mid = Date.now();
    await t.db.run("UPDATE teams SET period_start = $2, period_end = $3 WHERE id = $1", [
      teamId,
      new Date(mid - 15 * 86_400_000).toISOString(),
      new Date(mid + 15 * 86_400_000).toISOString(),
    ]);
    const up = await t.ledger.changeTier(teamId, "pro", DEFAULT_CATALOG);
    expect(up).toMatchObject({ from: "basic", to: "pro" });
    expect(up.adjustment).toBeGreaterThanOrEqual(749); // 1500 x ~0.5
    expect(up.adjustment).toBeLessThanOrEqual(750);
    expect((await t.teams.getTeam(teamId))?.tier).toBe("pro");
    const down = await t.ledger.changeTier(teamId, "basic", DEFAULT_CATALOG);
    expect(down.adjustment).toBeLessThanOrEqual(-749);
    expect((await t.ledger.balance(teamId)).available).toBe(500 + up.adjustment + down.adjustment);

    await t.ledger.changeTier(teamId, "enterprise", DEFAULT_CATALOG);
    const before = await t.ledger.balance(teamId);
    await t.ledger.capture((await t.ledger.hold({ teamId, memberId, amount: before.granted + 300, ttlMs: 60_000 })).id);
    expect((await t.ledger.balance(teamId)).available).toBeNull();
    // Leaving enterprise settles the metered excess, then prorates the new allocation.
    const leave = await t.ledger.changeTier(teamId, "pro", DEFAULT_CATALOG);
    expect(leave.note).toMatch(/settled 300 metered credits/);
    const after = await t.ledger.balance(teamId);
    expect(after.unlimited).toBe(false);
    expect(after.available).toBe(leave.adjustment);
    expect(period).toBeTruthy();
    await expectConsistent(teamId);
  });

  it("verify reports drift between a stored balance and the entries", async () => {
    const { teamId } = await team(100);
    expect(await t.ledger.verify()).toEqual([]);
    await t.db.run("UPDATE balances SET granted = granted + 5 WHERE team_id = $1", [teamId]);
    const drift = await t.ledger.verify();
    expect(drift).toContainEqual({ teamId, what: "balance.granted", stored: 105, expected: 100 });
  });

  it("refuses to update or delete entries", async () => {
    const { teamId } = await team(100);
    await expect(t.db.run("UPDATE entries SET amount = 1 WHERE team_id = $1", [teamId])).rejects.toThrow(/append-only/);
    await expect(t.db.run("DELETE FROM entries WHERE team_id = $1", [teamId])).rejects.toThrow(/append-only/);
  });
});
