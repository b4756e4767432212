import { describe, expect, it } from "vitest";
import { openTestDb } from "../test-support/sqlite.ts";
import { migrateSqlite, readMigrations } from "./migrate.ts";
import { openSqlite } from "./open-sqlite.ts";

describe("SQLite database", () => {
  it("opens in WAL mode with a busy timeout, foreign keys and synchronous=NORMAL", () => {
    const t = openTestDb();
    try {
      expect(t.db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(t.db.pragma("busy_timeout", { simple: true })).toBe(5000);
      expect(t.db.pragma("foreign_keys", { simple: true })).toBe(1);
      expect(t.db.pragma("synchronous", { simple: true })).toBe(1);
    } finally {
      t.close();
    }
  });

  it("applies each migration once, also when several connections migrate together", () => {
    const t = openTestDb();
    try {
      const versions = readMigrations().map((m) => m.version);
      expect(versions[0]).toBe(1);
      const others = [openSqlite(t.file), openSqlite(t.file)];
      expect(others.map((db) => migrateSqlite(db))).toEqual([[], []]);
      const rows = t.db.prepare("SELECT version FROM schema_migrations ORDER BY version").all();
      expect(rows).toEqual(versions.map((version) => ({ version })));
      for (const db of others) db.close();
    } finally {
      t.close();
    }
  });

  it("keeps ledger entries append-only", async () => {
    const t = openTestDb();
    try {
      const { team } = await t.teams.createTeam({ name: "A", tier: "basic", monthlyCredits: 500, managerName: "M" });
      const before = t.db.prepare("SELECT * FROM entries").all();
      expect(before).toHaveLength(1);
      expect(() => t.db.prepare("UPDATE entries SET amount = 999999").run()).toThrowError(/append-only/);
      expect(() => t.db.prepare("DELETE FROM entries").run()).toThrowError(/append-only/);
      expect(t.db.prepare("SELECT * FROM entries").all()).toEqual(before);
      expect((await t.ledger.balance(team.id)).available).toBe(500);
    } finally {
      t.close();
    }
  });

  it("refuses, by CHECK, a balance that would go below zero for a limited team only", async () => {
    const t = openTestDb();
    try {
      const limited = await t.teams.createTeam({ name: "L", tier: "free", monthlyCredits: 50, managerName: "M" });
      const unlimited = await t.teams.createTeam({ name: "U", tier: "enterprise", monthlyCredits: null, managerName: "M" });
      const overspend = t.db.prepare("UPDATE balances SET held = granted + 1 WHERE team_id = ?");
      expect(() => overspend.run(limited.team.id)).toThrowError(/CHECK constraint/);
      expect(() => overspend.run(unlimited.team.id)).not.toThrow();
    } finally {
      t.close();
    }
  });
});
