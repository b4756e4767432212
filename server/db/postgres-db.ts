// Db over a pg.Pool, for N proxy instances sharing one PostgreSQL. pg speaks `$1..$n` natively, so SQL text
// and parameters go through untouched. Transactions are READ COMMITTED; the stores get their safety from
// row locks (`dialect.forUpdate`) and conditional updates, and a serialization failure or deadlock retries
// the whole transaction function.
import { createHash } from "node:crypto";
import pg from "pg";
import { POSTGRES_DIALECT, type Db, type Sql, type SqlValue } from "./sql.ts";

/** Retries after the first attempt when the database reports 40001 or 40P01. */
const MAX_RETRIES = 5;
const RETRYABLE = new Set(["40001", "40P01"]);

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function parseInt8(text: string): number {
  const n = Number(text);
  // A ledger must never round silently; credits are far below 2^53, so this only fires on a bug.
  if (!Number.isSafeInteger(n)) throw new RangeError(`PostgreSQL integer ${text} is outside the safe JS range`);
  return n;
}

// Per pool, not pg.types.setTypeParser: another pg user in the same process keeps the defaults.
// count(*) and sum(integer) are INT8, sum(bigint) is NUMERIC; pg would return them as strings.
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (format !== "binary") {
      if (oid === INT8_OID) return parseInt8;
      if (oid === NUMERIC_OID) return Number;
    }
    return format === "binary" ? pg.types.getTypeParser(oid, "binary") : pg.types.getTypeParser(oid);
  }) as typeof pg.types.getTypeParser,
};

interface Queryable {
  query(config: pg.QueryConfig<SqlValue[]> | string): Promise<pg.QueryResult>;
}

/** Parametrized statements are named, so each connection parses and plans them once, not per call. */
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `s${createHash("sha1").update(text).digest("hex").slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

function sqlOn(q: Queryable, onError?: (error: unknown) => void): Sql {
  // The array is passed as-is: no copy, no rewriting of placeholders. pg only reads it.
  const query = async (text: string, params?: readonly SqlValue[]) => {
    try {
      if (params === undefined) return await q.query(text);
      return await q.query({ name: statementName(text), text, values: params as SqlValue[] });
    } catch (error) {
      onError?.(error);
      throw error;
    }
  };
  return {
    dialect: POSTGRES_DIALECT,
    one: async <T>(text: string, params?: readonly SqlValue[]) => (await query(text, params)).rows[0] as T | undefined,
    all: async <T>(text: string, params?: readonly SqlValue[]) => (await query(text, params)).rows as T[],
    run: async (text: string, params?: readonly SqlValue[]) => (await query(text, params)).rowCount ?? 0,
    // No parameters: pg then uses the simple query protocol, which accepts several statements.
    exec: async (text: string) => void (await query(text)),
  };
}

function sqlState(error: unknown): string | undefined {
  // Follows `cause` too, so a store that wraps a database error still gets its transaction retried.
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (e instanceof pg.DatabaseError && e.code) return e.code;
  return undefined;
}

/** Whether the connection is unusable after this error from one of its queries: no SQLSTATE (socket
 * errors, timeouts), connection exceptions (08), or the server ending the session (57P). */
function isConnectionError(error: unknown): boolean {
  const code = sqlState(error);
  return code === undefined || code.startsWith("08") || code.startsWith("57P");
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PostgresDb implements Db {
  readonly dialect = POSTGRES_DIALECT;
  private readonly sql: Sql;
  private closed: Promise<void> | null = null;

  constructor(readonly pool: pg.Pool) {
    this.sql = sqlOn(pool);
  }

  one<T>(text: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.sql.one<T>(text, params);
  }

  all<T>(text: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.sql.all<T>(text, params);
  }

  run(text: string, params?: readonly SqlValue[]): Promise<number> {
    return this.sql.run(text, params);
  }

  exec(text: string): Promise<void> {
    return this.sql.exec(text);
  }

  async tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await this.attempt(fn);
      } catch (error) {
        const code = sqlState(error);
        if (retry >= MAX_RETRIES || code === undefined || !RETRYABLE.has(code)) throw error;
        // Jittered, growing backoff so the transactions that collided do not collide again in lockstep.
        await sleep(Math.random() * 5 * 2 ** retry + 1);
      }
    }
  }

  private async attempt<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // pg-pool drops its own error listener while a client is checked out; without one, a connection that
    // dies between two statements would crash the process with an unhandled 'error' event.
    const onClientError = (error: Error) => void (broken ??= error);
    client.on("error", onClientError);
    // The first error a statement hit, in case fn swallowed it: PostgreSQL then turns COMMIT into a
    // ROLLBACK, and the caller must learn that nothing was written (a swallowed 40001 still retries).
    let firstError: unknown;
    const note = (error: unknown) => {
      firstError ??= error;
      if (isConnectionError(error)) broken ??= asError(error);
    };
    const control = (text: string) =>
      client.query(text).catch((error: unknown) => {
        note(error);
        throw error;
      });
    try {
      await control("BEGIN ISOLATION LEVEL READ COMMITTED");
      let result: T;
      try {
        result = await fn(sqlOn(client, note));
      } catch (error) {
        if (!broken) await control("ROLLBACK").catch((rollbackError: unknown) => void (broken ??= asError(rollbackError)));
        throw error;
      }
      const commit = await control("COMMIT");
      if (commit.command === "ROLLBACK")
        throw firstError ?? new Error("PostgreSQL rolled the transaction back: a statement in it failed");
      return result;
    } finally {
      client.off("error", onClientError);
      // release(error) destroys the client instead of returning a dead or mid-transaction one to the pool.
      client.release(broken);
    }
  }

  close(): Promise<void> {
    this.closed ??= this.pool.end();
    return this.closed;
  }
}

/** Where a URL points, for error messages: never the password. */
function describe(url: string): string {
  try {
    const u = new URL(url);
    const db = decodeURIComponent(u.pathname.replace(/^\//, "")) || "(default database)";
    const host = u.hostname || u.searchParams.get("host") || "localhost";
    return `${host}${u.port ? `:${u.port}` : ""}/${db}`;
  } catch {
    return "the configured DATABASE_URL";
  }
}

function redact(message: string, url: string): string {
  let password = "";
  try {
    password = new URL(url).password;
  } catch {
    return message;
  }
  if (!password) return message;
  let out = message;
  for (const p of new Set([password, decodeURIComponent(password)])) if (p) out = out.split(p).join("***");
  return out;
}

/** Opens a pool on `url` and checks that the database answers; throws an Error naming host and database. */
export async function openPostgres(url: string, options: { max?: number; applicationName?: string } = {}): Promise<PostgresDb> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "image-studio",
    types: TYPES,
    // Waiting for a free connection (or a new one) longer than this means the database is in trouble;
    // failing the request is better than hanging it.
    connectionTimeoutMillis: 30_000,
  });
  // An idle client whose connection dies is removed by the pool; the next query reports the problem.
  pool.on("error", () => {});
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => {});
    // A refused connection to a name with several addresses is an AggregateError with an empty message.
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    const reason = redact([message, typeof code === "string" ? `(${code})` : ""].filter(Boolean).join(" "), url);
    throw new Error(`Cannot connect to PostgreSQL at ${describe(url)}: ${reason || "no reason given"}`);
  }
  return new PostgresDb(pool);
}
