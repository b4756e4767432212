// What only PostgreSQL does: a pool of connections, retried serialization failures and deadlocks, lost
// connections, and start-up errors. The shared contract is in db.test.ts.
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestDb, type TestDb } from "../test-support/databases.ts";
import { openPostgres, type PostgresDb } from "./postgres-db.ts";
import type { Sql } from "./sql.ts";

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("openPostgres", () => {
  it("names host and database but never the password when it cannot connect", async () => {
    const refused = openPostgres("postgres://someone:s3cret-pw@127.0.0.1:1/ledger_db");
    await expect(refused).rejects.toThrow(/127\.0\.0\.1:1\/ledger_db/);
    await expect(refused).rejects.not.toThrow(/s3cret-pw/);

    const missing = openPostgres("postgres://postgres:s3cret-pw@127.0.0.1:5432/is_missing_database");
    const error = await missing.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/127\.0\.0\.1:5432\/is_missing_database/);
    expect(error?.message).toMatch(/does not exist/);
    expect(error?.message).not.toMatch(/s3cret-pw/);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toMatch(/s3cret-pw/);
  });

  it("applies the pool options", async () => {
    const t = await openTestDb("postgres", { migrated: false });
    const db = await openPostgres(t.url, { max: 3, applicationName: "studio-test-app" });
    try {
      expect(db.pool.options.max).toBe(3);
      expect(await db.one("SELECT current_setting('application_name') AS app")).toEqual({ app: "studio-test-app" });
    } finally {
      await db.close();
      await db.close(); // idempotent
      await t.cleanup();
    }
  });
});

describe("PostgresDb", () => {
  let t: TestDb;
  let db: PostgresDb;
  beforeEach(async () => {
    t = await openTestDb("postgres", { migrated: false });
    db = t.db as PostgresDb;
    await db.exec(`
      CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0);
      INSERT INTO t (id) VALUES (1), (2);
    `);
  });
  afterEach(() => t.cleanup());

  it("loses updates without a row lock: the FOR UPDATE test in db.test.ts is not vacuous", async () => {
    await Promise.all(
      Array.from({ length: 10 }, () =>
        db.tx(async (sql) => {
          const row = await sql.one<{ n: number }>("SELECT n FROM t WHERE id = 1");
          await new Promise((r) => setTimeout(r, 20));
          await sql.run("UPDATE t SET n = $1 WHERE id = 1", [row!.n + 1]);
        }),
      ),
    );
    expect((await db.one<{ n: number }>("SELECT n FROM t WHERE id = 1"))!.n).toBeLessThan(10);
  });

  it("retries a transaction that hit a real serialization failure (40001)", async () => {
    const read = [deferred(), deferred()];
    const attempts = [0, 0];
    const increment = (i: number) =>
      db.tx(async (sql) => {
        attempts[i]!++;
        // Both read the same snapshot, then both write: the second writer gets 40001 under REPEATABLE READ.
        await sql.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        const row = await sql.one<{ n: number }>("SELECT n FROM t WHERE id = 1");
        read[i]!.resolve();
        await read[1 - i]!.promise;
        await sql.run("UPDATE t SET n = $1 WHERE id = 1", [row!.n + 1]);
        return attempts[i];
      });
    await Promise.all([increment(0), increment(1)]);
    expect(attempts[0]! + attempts[1]!).toBe(3);
    expect(await db.one("SELECT n FROM t WHERE id = 1")).toEqual({ n: 2 });
  });

  it("retries the victim of a deadlock (40P01) between two transactions locking two rows in opposite order", async () => {
    const locked = [deferred(), deferred()];
    let attempts = 0;
    const cross = (i: number, first: number, second: number) =>
      db.tx(async (sql) => {
        attempts++;
        await sql.one("SELECT n FROM t WHERE id = $1 FOR UPDATE", [first]);
        locked[i]!.resolve();
        await locked[1 - i]!.promise;
        await sql.run("UPDATE t SET n = n + 1 WHERE id = $1", [second]);
        await sql.run("UPDATE t SET n = n + 1 WHERE id = $1", [first]);
      });
    await Promise.all([cross(0, 1, 2), cross(1, 2, 1)]);
    expect(attempts).toBe(3);
    expect(await db.all("SELECT id, n FROM t ORDER BY id")).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
  });

  it("retries a serialization failure at most 5 times, then reports it", async () => {
    let attempts = 0;
    const failure = Object.assign(new pg.DatabaseError("could not serialize access", 0, "error"), { code: "40001" });
    await expect(
      db.tx(async (sql) => {
        attempts++;
        await sql.run("UPDATE t SET n = n + 1 WHERE id = 1");
        // Wrapped by a store: still recognised through `cause`.
        throw new Error("store failed", { cause: failure });
      }),
    ).rejects.toThrow("store failed");
    expect(attempts).toBe(6);
    expect(await db.one("SELECT n FROM t WHERE id = 1")).toEqual({ n: 0 });
  });

  it("does not retry other errors", async () => {
    let attempts = 0;
    await expect(
      db.tx(async (sql) => {
        attempts++;
        await sql.run("INSERT INTO t (id) VALUES (1)");
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect(attempts).toBe(1);
  });

  it("refuses to report success when the function swallowed a failed statement", async () => {
    // PostgreSQL aborts the transaction at the failed statement and turns COMMIT into ROLLBACK.
    await expect(
      db.tx(async (sql) => {
        await sql.run("UPDATE t SET n = 5 WHERE id = 2");
        await sql.run("INSERT INTO t (id) VALUES (1)").catch(() => undefined);
        return "ok";
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect(await db.one("SELECT n FROM t WHERE id = 2")).toEqual({ n: 0 });
  });

  it("drops a connection that died mid-transaction instead of returning it to the pool", async () => {
    const small = await openPostgres(t.url, { max: 2 });
    try {
      await expect(
        small.tx(async (sql) => {
          const { pid } = (await sql.one<{ pid: number }>("SELECT pg_backend_pid() AS pid"))!;
          await db.one("SELECT pg_terminate_backend($1)", [pid]);
          await new Promise((r) => setTimeout(r, 50));
          await sql.one("SELECT 1");
        }),
      ).rejects.toThrow();
      for (let i = 0; i < 5; i++) expect(await small.tx((sql: Sql) => sql.one("SELECT $1::integer AS i", [i]))).toEqual({ i });
      expect(await small.one("SELECT 1 AS one")).toEqual({ one: 1 });
    } finally {
      await small.close();
    }
  });
});
