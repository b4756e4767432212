// Teams, members and tokens on SQLite and PostgreSQL alike: a team is created with its ledger in one
// transaction, tokens are stored hashed and die when rotated, and a team always keeps an active manager,
// even when two managers demote each other at the same moment from different connections.
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashToken } from "./tokens.ts";
import { SqliteDb } from "../db/sqlite-db.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { openTestStores, type TestStores } from "../test-support/test-stores.ts";
import { SqlTeamStore } from "./team-store.ts";
import { LastManagerError, TeamNotFoundError, type TeamStore } from "./types.ts";

describe.each(DB_KINDS)("team store on %s", (kind) => {
  let t: TestStores;
  beforeEach(async () => {
    t = await openTestStores(kind);
  });
  afterEach(() => t.cleanup());

  const acme = (tier: "basic" | "pro" = "pro") => t.teams.createTeam({ name: "Acme", tier, monthlyCredits: tier === "pro" ? 2000 : 500, managerName: "Ada" });

  /** This store plus (PostgreSQL) `n` team stores on connections of their own. */
  async function teamStores(n: number): Promise<TeamStore[]> {
    if (kind !== "postgres") return [t.teams];
    const dbs = await t.connect(n);
    return [t.teams, ...dbs.map((db) => new SqlTeamStore(db))];
  }

  it("creates a team with a one-month period, its manager, its monthly grant and a working token", async () => {
    const { team, manager, token } = await acme("basic");
    expect(team).toMatchObject({ name: "Acme", tier: "basic" });
    const days = (Date.parse(team.periodEnd) - Date.parse(team.periodStart)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(28);
    expect(days).toBeLessThanOrEqual(31);
    expect(manager).toMatchObject({ teamId: team.id, name: "Ada", role: "manager", monthlyCap: null, disabled: false });
    const caller = await t.teams.callerByToken(token);
    expect(caller?.member).toEqual(manager);
    expect(caller?.team).toEqual(team);
    expect(await t.teams.getTeam(team.id)).toEqual(team);
    expect(await t.ledger.balance(team.id)).toMatchObject({ granted: 500, available: 500, unlimited: false });
    expect(await t.ledger.grants(team.id)).toMatchObject([{ kind: "monthly", amount: 500, expiresAt: team.periodEnd }]);
    // Enterprise: unlimited, no grant.
    const ent = await t.teams.createTeam({ name: "Ent", tier: "enterprise", monthlyCredits: null, managerName: "E" });
    expect(await t.ledger.balance(ent.team.id)).toMatchObject({ unlimited: true, granted: 0, available: null });
    expect((await t.teams.listTeams()).map((x) => x.name).sort()).toEqual(["Acme", "Ent"]);
  });

  it("stores only the sha256 of a token", async () => {
    const { token } = await acme();
    const rows = await t.db.all<{ token_hash: string }>("SELECT token_hash FROM tokens");
    expect(rows.map((r) => r.token_hash)).toEqual([hashToken(token)]);
    if (t.db instanceof SqliteDb) {
      t.db.raw.pragma("wal_checkpoint(TRUNCATE)");
      expect(readFileSync(t.url.slice("sqlite:".length)).includes(Buffer.from(token))).toBe(false);
    } else {
      const dump = await t.db.all<{ row: string }>("SELECT t::text AS row FROM tokens t UNION ALL SELECT m::text FROM members m UNION ALL SELECT x::text FROM teams x");
      expect(dump.some((r) => r.row.includes(token))).toBe(false);
    }
  });

  it("adds members with their own tokens and caps", async () => {
    const { team } = await acme();
    const { member, token } = await t.teams.addMember({ teamId: team.id, name: "Bo", role: "member", monthlyCap: 100 });
    expect(member).toMatchObject({ teamId: team.id, role: "member", monthlyCap: 100, disabled: false });
    expect((await t.teams.callerByToken(token))?.member.id).toBe(member.id);
    expect(await t.teams.getMember(member.id)).toEqual(member);
    // (Members added in the same millisecond tie on created_at and then sort by their random ids.)
    expect((await t.teams.listMembers(team.id)).map((m) => m.name).sort()).toEqual(["Ada", "Bo"]);
    await expect(t.teams.addMember({ teamId: "team_nope", name: "X", role: "member" })).rejects.toBeInstanceOf(TeamNotFoundError);
    expect(await t.teams.getMember("mem_nope")).toBeNull();
  });

  it("rotateToken revokes every old token of the member and issues one that works", async () => {
    const { team, manager, token } = await acme();
    const { member, token: boToken } = await t.teams.addMember({ teamId: team.id, name: "Bo", role: "member" });
    expect(await t.teams.callerByToken("isk_unknown")).toBeNull();
    const first = await t.teams.rotateToken(manager.id);
    const second = await t.teams.rotateToken(manager.id);
    expect(first.member).toEqual(manager);
    expect(await t.teams.callerByToken(token)).toBeNull();
    expect(await t.teams.callerByToken(first.token)).toBeNull();
    expect((await t.teams.callerByToken(second.token))?.member.id).toBe(manager.id);
    // Another member's token is untouched.
    expect((await t.teams.callerByToken(boToken))?.member.id).toBe(member.id);
    const revoked = await t.db.one<{ n: number }>("SELECT count(*) AS n FROM tokens WHERE member_id = $1 AND revoked_at IS NOT NULL", [manager.id]);
    expect(revoked!.n).toBe(2);
    await expect(t.teams.rotateToken("mem_nope")).rejects.toBeInstanceOf(TeamNotFoundError);
  });

  it("updateMember changes the cap, the role and the disabled flag, each on its own", async () => {
    const { team } = await acme();
    const { member } = await t.teams.addMember({ teamId: team.id, name: "Bo", role: "member", monthlyCap: 100 });
    expect(await t.teams.updateMember(member.id, { monthlyCap: 250 })).toMatchObject({ monthlyCap: 250, role: "member", disabled: false });
    expect(await t.teams.updateMember(member.id, { role: "manager" })).toMatchObject({ monthlyCap: 250, role: "manager", disabled: false });
    expect(await t.teams.updateMember(member.id, { disabled: true })).toMatchObject({ monthlyCap: 250, role: "manager", disabled: true });
    // An empty patch changes nothing; an explicit null removes the cap.
    expect(await t.teams.updateMember(member.id, {})).toMatchObject({ monthlyCap: 250, role: "manager", disabled: true });
    expect(await t.teams.updateMember(member.id, { monthlyCap: null, disabled: false })).toMatchObject({ monthlyCap: null, disabled: false });
    expect(await t.teams.updateMember(member.id, { monthlyCap: 0, role: "member" })).toMatchObject({ monthlyCap: 0, role: "member" });
    expect(await t.teams.getMember(member.id)).toMatchObject({ monthlyCap: 0, role: "member", disabled: false });
    await expect(t.teams.updateMember("mem_nope", { monthlyCap: 1 })).rejects.toBeInstanceOf(TeamNotFoundError);
  });

  it("callerByToken refuses a disabled member, and enabling the member restores the same token", async () => {
    const { team } = await acme();
    const { member, token } = await t.teams.addMember({ teamId: team.id, name: "Bo", role: "member" });
    await t.teams.updateMember(member.id, { disabled: true });
    expect(await t.teams.callerByToken(token)).toBeNull();
    await t.teams.updateMember(member.id, { disabled: false });
    expect((await t.teams.callerByToken(token))?.member).toMatchObject({ id: member.id, disabled: false });
  });

  it("refuses to demote or disable the last active manager (LastManagerError) and changes nothing", async () => {
    const { team, manager, token } = await acme();
    await expect(t.teams.updateMember(manager.id, { role: "member" })).rejects.toBeInstanceOf(LastManagerError);
    await expect(t.teams.updateMember(manager.id, { disabled: true })).rejects.toBeInstanceOf(LastManagerError);
    await expect(t.teams.updateMember(manager.id, { role: "member", monthlyCap: 5 })).rejects.toBeInstanceOf(LastManagerError);
    expect(await t.teams.getMember(manager.id)).toEqual(manager);
    expect((await t.teams.callerByToken(token))?.member.role).toBe("manager");
    // A disabled manager does not count as the other manager.
    const { member: dormant } = await t.teams.addMember({ teamId: team.id, name: "Cy", role: "manager" });
    await t.teams.updateMember(dormant.id, { disabled: true });
    await expect(t.teams.updateMember(manager.id, { role: "member" })).rejects.toBeInstanceOf(LastManagerError);
    // The last manager may still change the cap, and re-enabling a second manager allows the demotion.
    expect(await t.teams.updateMember(manager.id, { monthlyCap: 10, role: "manager", disabled: false })).toMatchObject({ monthlyCap: 10, role: "manager" });
    await t.teams.updateMember(dormant.id, { disabled: false });
    expect(await t.teams.updateMember(manager.id, { role: "member" })).toMatchObject({ role: "member" });
    await expect(t.teams.updateMember(dormant.id, { disabled: true })).rejects.toBeInstanceOf(LastManagerError);
    // Managers of other teams do not count.
    const other = await acme();
    await expect(t.teams.updateMember(other.manager.id, { role: "member" })).rejects.toBeInstanceOf(LastManagerError);
  });

  it("when two managers demote each other at the same moment, exactly one succeeds", async () => {
    const stores = await teamStores(2); // PostgreSQL: two connections, as two proxy instances
    for (let round = 0; round < 5; round++) {
      const { team, manager: ada } = await acme();
      const { member: bo } = await t.teams.addMember({ teamId: team.id, name: "Bo", role: "manager" });
      const a = stores[0]!;
      const b = stores[stores.length - 1]!;
      const patch = round % 2 ? { disabled: true } : { role: "member" as const };
      const results = await Promise.allSettled([a.updateMember(bo.id, patch), b.updateMember(ada.id, patch)]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(LastManagerError);
      const active = (await t.teams.listMembers(team.id)).filter((m) => m.role === "manager" && !m.disabled);
      expect(active).toHaveLength(1);
    }
  });

  it("creates nothing when part of a team creation fails", async () => {
    await expect(t.teams.createTeam({ name: "", tier: "pro", monthlyCredits: 2000, managerName: "Ada" })).rejects.toThrow();
    await expect(t.teams.createTeam({ name: "Acme", tier: "pro", monthlyCredits: 2000, managerName: "" })).rejects.toThrow();
    expect(await t.teams.listTeams()).toEqual([]);
    for (const table of ["teams", "members", "balances", "grants", "entries", "tokens"])
      expect((await t.db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n).toBe(0);
  });
});
