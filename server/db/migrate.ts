// Versioned migrations, one folder per dialect, run at every start (server and admin CLI). Each file runs
// once, in its own write transaction that re-checks schema_migrations, so several processes starting
// together apply it exactly once (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock).
import { readdirSync, readFileSync } from "node:fs";
import type { Db } from "./sql.ts";

export const MIGRATIONS_DIR = {
  sqlite: new URL("./migrations/sqlite/", import.meta.url),
  postgres: new URL("./migrations/postgres/", import.meta.url),
} as const;

/** Any constant works; it only has to be the same in every process. */
const PG_MIGRATION_LOCK = 7_261_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dir: URL): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: readFileSync(new URL(file, dir), "utf8"),
    }));
}

/** Applies pending migrations; returns the versions this call applied. */
export async function migrate(db: Db, migrations: Migration[] = readMigrations(MIGRATIONS_DIR[db.dialect.name])): Promise<number[]> {
  const lock = async (sql: Parameters<Parameters<Db["tx"]>[0]>[0]) => {
    if (db.dialect.name === "postgres") await sql.one("SELECT pg_advisory_xact_lock($1)", [PG_MIGRATION_LOCK]);
  };
  await db.tx(async (sql) => {
    await lock(sql);
    await sql.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version     INTEGER PRIMARY KEY,
      name        TEXT NOT NULL,
      applied_at  TEXT NOT NULL DEFAULT (${db.dialect.now})
    )`);
  });
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await db.tx(async (sql) => {
      await lock(sql);
      if (await sql.one("SELECT version FROM schema_migrations WHERE version = $1", [m.version])) return false;
      await sql.exec(m.sql);
      await sql.run("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}
