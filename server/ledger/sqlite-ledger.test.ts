import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { balanceFromEntries, openTestDb, type TestDb } from "../test-support/sqlite.ts";
import { InsufficientCreditsError } from "./types.ts";

let t: TestDb;
beforeEach(() => {
  t = openTestDb();
});
afterEach(() => t.close());

async function team(monthlyCredits: number | null, tier: "free" | "pro" | "enterprise" = "pro") {
  const { team, manager } = await t.teams.createTeam({ name: "T", tier, monthlyCredits, managerName: "M" });
  return { teamId: team.id, memberId: manager.id, periodEnd: team.periodEnd, periodStart: team.periodStart };
}

async function expectBalanceMatchesEntries(teamId: string) {
  const b = await t.ledger.balance(teamId);
  expect(balanceFromEntries(await t.ledger.entries(teamId))).toEqual({ granted: b.granted, spent: b.spent, held: b.held });
}

describe("SqliteLedger", () => {
  it("starts a team with its monthly grant, expiring at the period's end", async () => {
    const { teamId, periodEnd } = await team(2000);
    expect(await t.ledger.balance(teamId)).toEqual({ teamId, unlimited: false, granted: 2000, spent: 0, held: 0, available: 2000 });
    const [grant] = await t.ledger.grants(teamId);
    expect(grant).toMatchObject({ kind: "monthly", amount: 2000, remaining: 2000, expiresAt: periodEnd });
    const entries = await t.ledger.entries(teamId);
    expect(entries.map((e) => [e.kind, e.amount, e.availableAfter])).toEqual([["grant", 2000, 2000]]);
  });

  it("holds credits and refuses a hold beyond the available balance without writing anything", async () => {
    const { teamId, memberId } = await team(10);
    const hold = await t.ledger.hold({ teamId, memberId, amount: 7, ttlMs: 60_000 });
    expect(hold).toMatchObject({ state: "pending", amount: 7, captured: 0 });
    expect((await t.ledger.balance(teamId)).available).toBe(3);
    const entriesBefore = await t.ledger.entries(teamId);
    const refused = t.ledger.hold({ teamId, memberId, amount: 4, ttlMs: 60_000 });
    await expect(refused).rejects.toBeInstanceOf(InsufficientCreditsError);
    await expect(refused).rejects.toMatchObject({ needed: 4, available: 3 });
    expect(await t.ledger.entries(teamId)).toEqual(entriesBefore);
    expect((await t.ledger.balance(teamId)).available).toBe(3);
    await expect(t.ledger.hold({ teamId, memberId, amount: 3, ttlMs: 60_000 })).resolves.toMatchObject({ amount: 3 });
    expect((await t.ledger.balance(teamId)).available).toBe(0);
    await expectBalanceMatchesEntries(teamId);
  });

  it("captures fully, and partly with the rest returned", async () => {
    const { teamId, memberId } = await team(100);
    const full = await t.ledger.hold({ teamId, memberId, amount: 10, ttlMs: 60_000 });
    const part = await t.ledger.hold({ teamId, memberId, amount: 8, ttlMs: 60_000 });
    expect((await t.ledger.capture(full.id)).hold).toMatchObject({ state: "captured", captured: 10 });
    const partial = await t.ledger.capture(part.id, 6);
    expect(partial).toMatchObject({ changed: true, hold: { state: "captured", captured: 6, amount: 8 } });
    expect(await t.ledger.balance(teamId)).toMatchObject({ granted: 100, spent: 16, held: 0, available: 84 });
    const kinds = (await t.ledger.entries(teamId, { holdId: part.id })).map((e) => [e.kind, e.amount]);
    expect(kinds).toEqual([["hold", 8], ["capture", 6], ["release", 2]]);
    await expectBalanceMatchesEntries(teamId);
  });

  it("refuses to capture more than was held", async () => {
    const { teamId, memberId } = await team(100);
    const hold = await t.ledger.hold({ teamId, memberId, amount: 5, ttlMs: 60_000 });
    await expect(t.ledger.capture(hold.id, 6)).rejects.toThrowError(RangeError);
    expect((await t.ledger.getHold(hold.id))?.state).toBe("pending");
  });

  it("resolves a hold exactly once: a second resolution is a no-op that reports the first", async () => {
    const { teamId, memberId } = await team(100);
    const a = await t.ledger.hold({ teamId, memberId, amount: 5, ttlMs: 60_000 });
    await t.ledger.capture(a.id, 4);
    const entries = await t.ledger.entries(teamId);
    const again = await t.ledger.release(a.id);
    expect(again).toMatchObject({ changed: false, hold: { state: "captured", captured: 4 } });
    expect(await t.ledger.capture(a.id)).toMatchObject({ changed: false, hold: { state: "captured", captured: 4 } });

    const b = await t.ledger.hold({ teamId, memberId, amount: 3, ttlMs: 60_000 });
    expect((await t.ledger.release(b.id)).hold.state).toBe("released");
    expect(await t.ledger.capture(b.id)).toMatchObject({ changed: false, hold: { state: "released", captured: 0 } });
    expect(await t.ledger.entries(teamId)).toHaveLength(entries.length + 2); // b's hold + release only
    expect(await t.ledger.balance(teamId)).toMatchObject({ spent: 4, held: 0, available: 96 });
  });

  it("expires holds nobody resolved and returns their credits", async () => {
    const { teamId, memberId } = await team(20);
    const short = await t.ledger.hold({ teamId, memberId, amount: 6, ttlMs: 1 });
    const long = await t.ledger.hold({ teamId, memberId, amount: 4, ttlMs: 60_000 });
    await new Promise((r) => setTimeout(r, 15));
    const expired = await t.ledger.expireHolds();
    expect(expired.map((h) => h.id)).toEqual([short.id]);
    expect((await t.ledger.getHold(short.id))?.state).toBe("expired");
    expect((await t.ledger.getHold(long.id))?.state).toBe("pending");
    expect(await t.ledger.balance(teamId)).toMatchObject({ held: 4, available: 16 });
    expect(await t.ledger.expireHolds()).toEqual([]);
    expect(await t.ledger.capture(short.id)).toMatchObject({ changed: false });
    await expectBalanceMatchesEntries(teamId);
  });

  it("spends from the grant that expires first, top-ups last", async () => {
    const { teamId, memberId } = await team(10);
    await t.ledger.grant({ teamId, kind: "topup", amount: 50 });
    const soon = new Date(Date.now() + 86_400_000).toISOString();
    await t.ledger.grant({ teamId, kind: "adjust", amount: 5, expiresAt: soon });
    const hold = await t.ledger.hold({ teamId, memberId, amount: 12, ttlMs: 60_000 });
    await t.ledger.capture(hold.id);
    const grants = await t.ledger.grants(teamId);
    expect(grants.map((g) => [g.kind, g.remaining])).toEqual([
      ["adjust", 0], // expires tomorrow: drawn first
      ["monthly", 3], // expires at period end
      ["topup", 50], // never expires: untouched
    ]);
    expect((await t.ledger.balance(teamId)).available).toBe(53);
    await expectBalanceMatchesEntries(teamId);
  });

  it("meters an unlimited (enterprise) team without ever refusing it", async () => {
    const { teamId, memberId } = await team(null, "enterprise");
    const hold = await t.ledger.hold({ teamId, memberId, amount: 5000, ttlMs: 60_000 });
    await t.ledger.capture(hold.id);
    expect(await t.ledger.balance(teamId)).toEqual({ teamId, unlimited: true, granted: 0, spent: 5000, held: 0, available: null });
    expect((await t.ledger.entries(teamId)).map((e) => e.kind)).toEqual(["hold", "capture"]);
  });

  it("reports a member's spend this period and what it holds", async () => {
    const { teamId, memberId, periodStart } = await team(100);
    const a = await t.ledger.hold({ teamId, memberId, amount: 5, ttlMs: 60_000 });
    await t.ledger.capture(a.id, 3);
    await t.ledger.hold({ teamId, memberId, amount: 7, ttlMs: 60_000 });
    expect(await t.ledger.memberUsage(memberId, periodStart)).toEqual({ spent: 3, held: 7 });
  });

  it("never overspends when several processes race for the same balance", async () => {
    const credits = 25;
    const { teamId } = await team(credits);
    const run = promisify(execFile);
    const startAt = Date.now() + 1500; // all workers start together, after tsx has loaded
    const workers = await Promise.all(
      [0, 1, 2].map(() =>
        run("node_modules/.bin/tsx", ["server/ledger/test-fixtures/hold-worker.ts", t.file, teamId, "15", "1", String(startAt)], { timeout: 20_000 }),
      ),
    );
    const results = workers.map((w) => JSON.parse(w.stdout) as { ok: number; refused: number });
    expect(results.reduce((n, r) => n + r.ok, 0)).toBe(credits);
    expect(results.reduce((n, r) => n + r.refused, 0)).toBe(45 - credits);
    const balance = await t.ledger.balance(teamId);
    expect(balance.available).toBe(0);
    expect(balance.spent + balance.held).toBe(credits);
    await expectBalanceMatchesEntries(teamId);
    expect(Math.min(...(await t.ledger.entries(teamId)).map((e) => e.availableAfter))).toBeGreaterThanOrEqual(0);
  });
});
