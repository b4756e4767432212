// Opens the embedded database with the settings the ledger relies on: WAL so readers never block the
// writer, a busy timeout so concurrent writers (other requests, the admin CLI, another process) queue for
// BEGIN IMMEDIATE instead of failing, and foreign keys on.
import Database from "better-sqlite3";

export type SqliteDatabase = Database.Database;

export function openSqlite(file: string): SqliteDatabase {
  const db = new Database(file);
  db.pragma("busy_timeout = 5000"); // first: the journal_mode switch below may itself have to wait
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("synchronous = NORMAL"); // durable at checkpoints; safe against corruption in WAL mode
  return db;
}

/** The database clock, as the ISO text every table stores. */
export const SQL_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
