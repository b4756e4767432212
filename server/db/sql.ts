// The one database interface every store is written against, so the ledger, jobs, teams and assets have a
// single implementation whose semantics are the same on SQLite and PostgreSQL. SQL text is portable:
// `$1..$n` placeholders, ISO-8601 UTC text for times, integers for flags; the few things that differ (the
// database clock, row locks) come from `dialect`. Correctness never rests on this process: a write
// transaction is BEGIN IMMEDIATE on SQLite and row locks (`dialect.forUpdate`) on PostgreSQL.

export type SqlValue = string | number | null;

export interface Dialect {
  readonly name: "sqlite" | "postgres";
  /** The database clock as ISO text with milliseconds, e.g. 2026-11-21T10:00:00.000Z. */
  readonly now: string;
  /** The database clock plus `param` milliseconds (param is a placeholder like `$3`), as ISO text. */
  nowPlusMs(param: string): string;
  /** The database clock minus `param` milliseconds, as ISO text. */
  nowMinusMs(param: string): string;
  /** Appended to a SELECT that must lock its rows until the transaction ends ("" on SQLite, whose write
   * transactions are already exclusive). */
  readonly forUpdate: string;
  /** The same for a SELECT with joins, locking only `alias`'s rows. */
  forUpdateOf(alias: string): string;
}

export interface Sql {
  readonly dialect: Dialect;
  one<T>(text: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  all<T>(text: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Returns the number of rows changed. */
  run(text: string, params?: readonly SqlValue[]): Promise<number>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Db extends Sql {
  /**
   * Runs `fn` in one write transaction and commits, or rolls back when it throws. On PostgreSQL a
   * serialization failure or deadlock retries `fn` from the start, so `fn` must only touch the database.
   */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const SQLITE_DIALECT: Dialect = {
  name: "sqlite",
  now: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
  nowPlusMs: (p) => `strftime('%Y-%m-%dT%H:%M:%fZ', 'now', (${p} / 1000.0) || ' seconds')`,
  nowMinusMs: (p) => `strftime('%Y-%m-%dT%H:%M:%fZ', 'now', (-${p} / 1000.0) || ' seconds')`,
  forUpdate: "",
  forUpdateOf: () => "",
};

const PG_ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
export const POSTGRES_DIALECT: Dialect = {
  name: "postgres",
  // clock_timestamp(), not now(): now() is frozen at the transaction's start.
  now: `to_char(clock_timestamp() AT TIME ZONE 'UTC', ${PG_ISO})`,
  nowPlusMs: (p) => `to_char((clock_timestamp() + (${p})::double precision * interval '1 millisecond') AT TIME ZONE 'UTC', ${PG_ISO})`,
  nowMinusMs: (p) => `to_char((clock_timestamp() - (${p})::double precision * interval '1 millisecond') AT TIME ZONE 'UTC', ${PG_ISO})`,
  forUpdate: " FOR UPDATE",
  forUpdateOf: (alias) => ` FOR UPDATE OF ${alias}`,
};
