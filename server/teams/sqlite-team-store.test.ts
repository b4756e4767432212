import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashToken } from "../auth/tokens.ts";
import { openTestDb, type TestDb } from "../test-support/sqlite.ts";
import { TeamNotFoundError } from "./types.ts";

let t: TestDb;
beforeEach(() => {
  t = openTestDb();
});
afterEach(() => t.close());

describe("SqliteTeamStore", () => {
  it("creates a team with a one-month period, its manager and a working token", async () => {
    const { team, manager, token } = await t.teams.createTeam({ name: "Acme", tier: "basic", monthlyCredits: 500, managerName: "Ada" });
    expect(team).toMatchObject({ name: "Acme", tier: "basic" });
    const days = (Date.parse(team.periodEnd) - Date.parse(team.periodStart)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(28);
    expect(days).toBeLessThanOrEqual(31);
    expect(manager).toMatchObject({ teamId: team.id, name: "Ada", role: "manager", monthlyCap: null, disabled: false });
    const caller = await t.teams.callerByToken(token);
    expect(caller?.member.id).toBe(manager.id);
    expect(caller?.team).toEqual(team);
  });

  it("stores only the sha256 of a token", async () => {
    const { token } = await t.teams.createTeam({ name: "Acme", tier: "pro", monthlyCredits: 2000, managerName: "Ada" });
    t.db.pragma("wal_checkpoint(TRUNCATE)");
    expect(readFileSync(t.file).includes(Buffer.from(token))).toBe(false);
    expect(t.db.prepare("SELECT token_hash FROM tokens").pluck().all()).toEqual([hashToken(token)]);
  });

  it("adds members with their own tokens and caps", async () => {
    const { team } = await t.teams.createTeam({ name: "Acme", tier: "pro", monthlyCredits: 2000, managerName: "Ada" });
    const { member, token } = await t.teams.addMember({ teamId: team.id, name: "Bo", role: "member", monthlyCap: 100 });
    expect(member).toMatchObject({ role: "member", monthlyCap: 100 });
    expect((await t.teams.callerByToken(token))?.member.id).toBe(member.id);
    expect((await t.teams.listMembers(team.id)).map((m) => m.name)).toEqual(["Ada", "Bo"]);
    await expect(t.teams.addMember({ teamId: "team_nope", name: "X", role: "member" })).rejects.toBeInstanceOf(TeamNotFoundError);
  });

  it("refuses unknown, rotated-away and disabled members' tokens", async () => {
    const { manager, token } = await t.teams.createTeam({ name: "Acme", tier: "pro", monthlyCredits: 2000, managerName: "Ada" });
    expect(await t.teams.callerByToken("isk_unknown")).toBeNull();
    const rotated = await t.teams.rotateToken(manager.id);
    expect(await t.teams.callerByToken(token)).toBeNull();
    expect((await t.teams.callerByToken(rotated.token))?.member.id).toBe(manager.id);
    t.db.prepare("UPDATE members SET disabled = 1 WHERE id = ?").run(manager.id);
    expect(await t.teams.callerByToken(rotated.token)).toBeNull();
    await expect(t.teams.rotateToken("mem_nope")).rejects.toBeInstanceOf(TeamNotFoundError);
  });

  it("creates nothing when part of a team creation fails", async () => {
    await expect(t.teams.createTeam({ name: "", tier: "pro", monthlyCredits: 2000, managerName: "Ada" })).rejects.toThrow();
    expect(await t.teams.listTeams()).toEqual([]);
    expect(t.db.prepare("SELECT count(*) FROM entries").pluck().get()).toBe(0);
  });
});
