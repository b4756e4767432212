// Versioned migrations, run at every start (server and admin CLI). Each file runs once, in its own
// BEGIN IMMEDIATE transaction that re-checks schema_migrations, so two processes starting together apply
// it exactly once.
import { readdirSync, readFileSync } from "node:fs";
import type { SqliteDatabase } from "./open-sqlite.ts";

export const SQLITE_MIGRATIONS_DIR = new URL("./migrations/sqlite/", import.meta.url);

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dir: URL = SQLITE_MIGRATIONS_DIR): Migration[] {
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
export function migrateSqlite(db: SqliteDatabase, migrations: Migration[] = readMigrations()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  )`);
  const isApplied = db.prepare<[number], { version: number }>("SELECT version FROM schema_migrations WHERE version = ?");
  const record = db.prepare<[number, string]>("INSERT INTO schema_migrations (version, name) VALUES (?, ?)");
  const applied: number[] = [];
  for (const m of migrations) {
    const apply = db.transaction(() => {
      if (isApplied.get(m.version)) return false;
      db.exec(m.sql);
      record.run(m.version, m.name);
      return true;
    });
    if (apply.immediate()) applied.push(m.version);
  }
  return applied;
}
