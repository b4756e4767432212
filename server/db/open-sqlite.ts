// Opens the embedded database with the settings the ledger relies on: WAL so readers never block the
// writer, a busy timeout so concurrent writers (other requests, the admin CLI, another process) queue for
// BEGIN IMMEDIATE instead of failing, foreign keys on, and synchronous = FULL: in WAL mode each COMMIT then
// syncs the log, so a capture, release or grant the proxy acknowledged survives a power loss (NORMAL syncs
// only at checkpoints, and a power loss could roll acknowledged commits back). SqliteDb groups concurrent
// transactions into one commit to keep that fsync off each one's path.
import Database from "better-sqlite3";

export type SqliteDatabase = Database.Database;

export function openSqlite(file: string): SqliteDatabase {
  const db = new Database(file);
  db.pragma("busy_timeout = 5000"); // first: the journal_mode switch below may itself have to wait
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("synchronous = FULL");
  return db;
}
