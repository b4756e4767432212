// Migrations on both databases: each applies exactly once, also when several processes start together, and
// the schema itself defends the ledger (append-only entries, no negative balance for a limited team).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { connectTestDb, createTestDatabaseUrl, DB_KINDS, openTestDb, type DbKind, type TestDb } from "../test-support/databases.ts";
import { migrate, MIGRATIONS_DIR, readMigrations } from "./migrate.ts";
import type { Db } from "./sql.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Runs `migrate` on `url` in a separate Node process and returns the versions that process applied. */
function migrateInProcess(url: string): Promise<number[]> {
  const script = `
    const { connectTestDb } = await import(${JSON.stringify(new URL("../test-support/databases.ts", import.meta.url).href)});
    const { migrate } = await import(${JSON.stringify(new URL("./migrate.ts", import.meta.url).href)});
    const db = await connectTestDb(process.env.DATABASE_URL);
    try { console.log(JSON.stringify(await migrate(db))); } finally { await db.close(); }
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`migrate process exited with ${code}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop()!) as number[]);
      } catch {
        reject(new Error(`migrate process printed no result: ${out} ${err}`));
      }
    });
  });
}

const versionsOf = (kind: DbKind) => readMigrations(MIGRATIONS_DIR[kind]).map((m) => m.version);

async function appliedVersions(db: Db): Promise<number[]> {
  return (await db.all<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version")).map((r) => r.version);
}

/** A team with a balance and one grant entry, by plain SQL (the stores are not under test here). */
async function seedTeam(db: Db, id: string, unlimited: 0 | 1, granted: number): Promise<void> {
  await db.tx(async (sql) => {
    await sql.run(
      "INSERT INTO teams (id, name, tier, period_start, period_end) VALUES ($1, $2, $3, '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')",
      [id, `Team ${id}`, unlimited ? "enterprise" : "free"],
    );
    await sql.run("INSERT INTO balances (team_id, unlimited, granted) VALUES ($1, $2, $3)", [id, unlimited, granted]);
    await sql.run("INSERT INTO entries (id, kind, amount, team_id, available_after) VALUES ($1, 'grant', $2, $3, $2)", [
      `en_${id}`,
      granted,
      id,
    ]);
  });
}

describe.each(DB_KINDS)("migrations on %s", (kind) => {
  const open: TestDb[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.cleanup();
    for (const c of cleanups.splice(0)) await c();
  });
  const fresh = async (migrated: boolean) => {
    const t = await openTestDb(kind, { migrated });
    open.push(t);
    return t;
  };

  it("applies every migration once; a second run applies nothing", async () => {
    const versions = versionsOf(kind);
    expect(versions[0]).toBe(1);
    const t = await fresh(false);
    expect(await migrate(t.db)).toEqual(versions);
    expect(await migrate(t.db)).toEqual([]);
    expect(await appliedVersions(t.db)).toEqual(versions);
    const rows = await t.db.all<{ name: string; applied_at: string }>("SELECT name, applied_at FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.name)).toEqual(readMigrations(MIGRATIONS_DIR[kind]).map((m) => m.name));
    for (const r of rows) expect(r.applied_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("applies each migration exactly once when several processes migrate one database together", async () => {
    const { url, cleanup } = await createTestDatabaseUrl(kind, { migrated: false });
    cleanups.push(cleanup);
    const results = await Promise.all([migrateInProcess(url), migrateInProcess(url), migrateInProcess(url)]);
    expect(results.flat().sort((a, b) => a - b)).toEqual(versionsOf(kind));
    const db = await connectTestDb(url);
    try {
      expect(await appliedVersions(db)).toEqual(versionsOf(kind));
    } finally {
      await db.close();
    }
  }, 60_000);

  it("keeps ledger entries append-only", async () => {
    const t = await fresh(true);
    await seedTeam(t.db, "tm_a", 0, 500);
    const before = await t.db.all("SELECT * FROM entries");
    expect(before).toHaveLength(1);
    await expect(t.db.run("UPDATE entries SET amount = 999999")).rejects.toThrow(/append-only/);
    await expect(t.db.run("DELETE FROM entries")).rejects.toThrow(/append-only/);
    await expect(t.db.tx((sql) => sql.run("DELETE FROM entries WHERE team_id = $1", ["tm_a"]))).rejects.toThrow(/append-only/);
    if (kind === "postgres") await expect(t.db.exec("TRUNCATE entries")).rejects.toThrow(/append-only/);
    expect(await t.db.all("SELECT * FROM entries")).toEqual(before);
    // Appending is what the table is for.
    await t.db.run("INSERT INTO entries (id, kind, amount, team_id, available_after) VALUES ('en_2', 'adjust', -20, 'tm_a', 480)");
    expect(await t.db.one("SELECT count(*) AS c, sum(amount) AS total FROM entries")).toEqual({ c: 2, total: 480 });
  });

  it("refuses, by CHECK, a balance that would go below zero for a limited team only", async () => {
    const t = await fresh(true);
    await seedTeam(t.db, "tm_limited", 0, 50);
    await seedTeam(t.db, "tm_unlimited", 1, 0);
    const overspend = "UPDATE balances SET held = granted + 1 WHERE team_id = $1";
    await expect(t.db.run(overspend, ["tm_limited"])).rejects.toThrow(/check constraint/i);
    expect(await t.db.one("SELECT held FROM balances WHERE team_id = 'tm_limited'")).toEqual({ held: 0 });
    expect(await t.db.run(overspend, ["tm_unlimited"])).toBe(1);
  });

  it("refuses text that is not JSON where the schema wants JSON", async () => {
    const t = await fresh(true);
    await seedTeam(t.db, "tm_j", 0, 10);
    await t.db.run("INSERT INTO members (id, team_id, name, role) VALUES ('mb_1', 'tm_j', 'M', 'manager')");
    const insert = "INSERT INTO jobs (id, team_id, member_id, request_hash, operation, spec, status, estimate, progress) VALUES ($1, 'tm_j', 'mb_1', 'h', 'create', $2, 'queued', '{}', '{}')";
    expect(await t.db.run(insert, ["jb_ok", '{"prompt":"a cat"}'])).toBe(1);
    await expect(t.db.run(insert, ["jb_bad", "{not json"])).rejects.toThrow();
  });
});

describe("migrations on postgres, in one process", () => {
  it("apply each migration exactly once when two pools migrate together", async () => {
    const t = await openTestDb("postgres", { migrated: false });
    const other = await connectTestDb(t.url);
    try {
      const results = await Promise.all([migrate(t.db), migrate(other), migrate(t.db)]);
      expect(results.flat().sort((a, b) => a - b)).toEqual(versionsOf("postgres"));
      expect(await appliedVersions(other)).toEqual(versionsOf("postgres"));
    } finally {
      await other.close();
      await t.cleanup();
    }
  });
});

describe("the PostgreSQL schema", () => {
  it("has the tables, columns (in order) and named indexes of the SQLite schema", async () => {
    const lite = await openTestDb("sqlite");
    const pg = await openTestDb("postgres");
    try {
      const liteColumns = await lite.db.all<{ tbl: string; col: string }>(
        `SELECT m.name AS tbl, p.name AS col FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`,
      );
      const pgColumns = await pg.db.all<{ tbl: string; col: string }>(
        `SELECT table_name AS tbl, column_name AS col FROM information_schema.columns
         WHERE table_schema = 'public' ORDER BY table_name COLLATE "C", ordinal_position`,
      );
      expect(pgColumns).toEqual(liteColumns);
      const liteIndexes = await lite.db.all<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name",
      );
      // PostgreSQL names the indexes behind PRIMARY KEY and UNIQUE itself (*_pkey, *_key); SQLite hides them.
      const pgIndexes = await pg.db.all<{ name: string }>(
        `SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'
         AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key' ORDER BY indexname COLLATE "C"`,
      );
      // PostgreSQL's trigram index for prompt search has no SQLite counterpart (SQLite's page index carries
      // the prompts instead: see sqlite/004_library_search.sql).
      expect(pgIndexes.filter((i) => i.name !== "assets_prompt_search")).toEqual(liteIndexes);
    } finally {
      await lite.cleanup();
      await pg.cleanup();
    }
  });
});
