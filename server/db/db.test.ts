// The Db contract, on both databases: what every store relies on.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DB_KINDS, openTestDb, type TestDb } from "../test-support/databases.ts";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe.each(DB_KINDS)("Db on %s", (kind) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb(kind, { migrated: false });
    await t.db.exec(`
      CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, a INTEGER, b INTEGER, n INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE times (v TEXT NOT NULL);
      INSERT INTO t (id, name, a, b) VALUES (100, 'seed', 0, 0);
    `);
  });
  afterEach(() => t.cleanup());

  it("binds $n by number: reused, out of order, and the same array for every statement", async () => {
    expect(await t.db.run("INSERT INTO t (id, name, a, b) VALUES ($1, $2, $3, $3)", [1, "one", 7])).toBe(1);
    expect(await t.db.run("INSERT INTO t (id, name, a, b) VALUES ($3, $2, $1, $1)", [8, "two", 2])).toBe(1);
    expect(await t.db.one("SELECT id, name, a, b FROM t WHERE b = $2 AND a = $2 AND name = $1", ["two", 8])).toEqual({
      id: 2,
      name: "two",
      a: 8,
      b: 8,
    });
    expect(await t.db.all("SELECT id, a, b FROM t WHERE a = $1 OR b = $1 ORDER BY id", [7])).toEqual([{ id: 1, a: 7, b: 7 }]);
    const params = [1, "one"] as const;
    expect(await t.db.one("SELECT name FROM t WHERE id = $1 AND name = $2", params)).toEqual({ name: "one" });
    expect(params).toEqual([1, "one"]);
  });

  it("rejects a statement whose placeholder has no value", async () => {
    await expect(t.db.one("SELECT id FROM t WHERE id = $1 AND a = $2", [1])).rejects.toThrow();
  });

  it("one, all, run and exec", async () => {
    expect(await t.db.one("SELECT id FROM t WHERE id = $1", [42])).toBeUndefined();
    expect(await t.db.all("SELECT id FROM t WHERE id = $1", [42])).toEqual([]);
    expect(await t.db.one("INSERT INTO t (id, name) VALUES ($1, $2) RETURNING id, name, n", [1, "x"])).toEqual({ id: 1, name: "x", n: 0 });
    expect(await t.db.run("UPDATE t SET n = n + 1")).toBe(2);
    expect(await t.db.run("UPDATE t SET n = n + 1 WHERE id = $1", [42])).toBe(0);
    expect(await t.db.run("DELETE FROM t WHERE id = $1", [100])).toBe(1);
    await t.db.exec("INSERT INTO t (id, name) VALUES (2, 'y'); INSERT INTO t (id, name) VALUES (3, 'z');");
    expect(await t.db.all("SELECT id, name, n FROM t ORDER BY id")).toEqual([
      { id: 1, name: "x", n: 1 },
      { id: 2, name: "y", n: 0 },
      { id: 3, name: "z", n: 0 },
    ]);
  });

  it("returns counts and sums as numbers", async () => {
    await t.db.exec("INSERT INTO t (id, a) VALUES (1, 2000000000); INSERT INTO t (id, a) VALUES (2, 2000000000);");
    // count is INT8 and sum(integer) INT8, sum(bigint) NUMERIC on PostgreSQL.
    const row = await t.db.one("SELECT count(*) AS c, sum(a) AS s, sum(CAST(a AS BIGINT)) AS big, max(a) AS m FROM t");
    expect(row).toEqual({ c: 3, s: 4_000_000_000, big: 4_000_000_000, m: 2_000_000_000 });
  });

  it("commits a transaction and returns its value", async () => {
    const value = await t.db.tx(async (sql) => {
      await sql.run("INSERT INTO t (id, name) VALUES ($1, $2)", [1, "in tx"]);
      return (await sql.one<{ name: string }>("SELECT name FROM t WHERE id = $1", [1]))!.name;
    });
    expect(value).toBe("in tx");
    expect(await t.db.one("SELECT name FROM t WHERE id = 1")).toEqual({ name: "in tx" });
  });

  it("rolls back everything when the function throws, and rethrows its error", async () => {
    const boom = new Error("boom");
    await expect(
      t.db.tx(async (sql) => {
        await sql.run("INSERT INTO t (id, name) VALUES (1, 'gone')");
        await sql.run("UPDATE t SET n = 99 WHERE id = 100");
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await t.db.all("SELECT id, n FROM t")).toEqual([{ id: 100, n: 0 }]);
  });

  it("never shows a statement outside the transaction its uncommitted rows", async () => {
    const inserted = deferred();
    const finish = deferred();
    const tx = t.db.tx(async (sql) => {
      await sql.run("INSERT INTO t (id, name) VALUES (1, 'uncommitted')");
      inserted.resolve();
      await finish.promise;
      throw new Error("abort");
    });
    await inserted.promise;
    // PostgreSQL answers at once from the committed state; SQLite queues the read until the tx ends.
    const outside = t.db.one("SELECT id FROM t WHERE id = 1");
    await new Promise((r) => setTimeout(r, 30));
    finish.resolve();
    await expect(tx).rejects.toThrow("abort");
    expect(await outside).toBeUndefined();

    const committed = deferred();
    const tx2 = t.db.tx(async (sql) => {
      await sql.run("INSERT INTO t (id, name) VALUES (2, 'later')");
      await committed.promise;
    });
    let settled = false;
    const during = t.db.one("SELECT id FROM t WHERE id = 2").finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 30));
    // PostgreSQL: answered already, without the row. SQLite: still waiting, and reads after the commit.
    expect(settled).toBe(kind === "postgres");
    committed.resolve();
    await tx2;
    expect(await during).toEqual(kind === "postgres" ? undefined : { id: 2 });
    expect(await t.db.one("SELECT id FROM t WHERE id = 2")).toEqual({ id: 2 });
  });

  it("serialises concurrent read-modify-write transactions that lock their row", async () => {
    const forUpdate = t.db.dialect.forUpdate;
    await Promise.all(
      Array.from({ length: 50 }, () =>
        t.db.tx(async (sql) => {
          const row = await sql.one<{ n: number }>(`SELECT n FROM t WHERE id = $1${forUpdate}`, [100]);
          await new Promise((r) => setTimeout(r, 1)); // let the others run in between if they could
          await sql.run("UPDATE t SET n = $1 WHERE id = $2", [row!.n + 1, 100]);
        }),
      ),
    );
    expect(await t.db.one("SELECT n FROM t WHERE id = 100")).toEqual({ n: 50 });
  });

  it("writes the database clock as ISO text that orders correctly as text", async () => {
    const d = t.db.dialect;
    const before = Date.now();
    const row = await t.db.one<{ now: string; plus: string; minus: string }>(
      `SELECT ${d.now} AS now, ${d.nowPlusMs("$1")} AS plus, ${d.nowMinusMs("$1")} AS minus`,
      [90_000],
    );
    const after = Date.now();
    for (const v of Object.values(row!)) expect(v).toMatch(ISO);
    const now = Date.parse(row!.now);
    // UTC, not local time: within the test's own wall-clock window (with slack for clock granularity).
    expect(now).toBeGreaterThanOrEqual(before - 1000);
    expect(now).toBeLessThanOrEqual(after + 1000);
    expect(Date.parse(row!.plus) - now).toBeGreaterThanOrEqual(89_000);
    expect(Date.parse(row!.plus) - now).toBeLessThanOrEqual(91_000);
    expect(now - Date.parse(row!.minus)).toBeGreaterThanOrEqual(89_000);
    expect(now - Date.parse(row!.minus)).toBeLessThanOrEqual(91_000);

    // Stored, then compared and sorted as plain text against fresh clock expressions.
    await t.db.run(`INSERT INTO times (v) VALUES (${d.nowMinusMs("$1")}), (${d.now}), (${d.nowPlusMs("$1")})`, [90_000]);
    const stored = (await t.db.all<{ v: string }>("SELECT v FROM times ORDER BY v")).map((r) => r.v);
    expect(stored.map((v) => Date.parse(v))).toEqual([...stored.map((v) => Date.parse(v))].sort((x, y) => x - y));
    expect(await t.db.one(`SELECT count(*) AS c FROM times WHERE v > ${d.nowPlusMs("$1")}`, [60_000])).toEqual({ c: 1 });
    expect(await t.db.one(`SELECT count(*) AS c FROM times WHERE v < ${d.nowMinusMs("$1")}`, [60_000])).toEqual({ c: 1 });
    expect(await t.db.one(`SELECT count(*) AS c FROM times WHERE v <= ${d.now}`)).toEqual({ c: 2 });
    // A fractional amount of milliseconds still yields well-formed text.
    expect(await t.db.one(`SELECT ${d.nowPlusMs("$1")} AS v`, [1500.5])).toEqual({ v: expect.stringMatching(ISO) });
  });
});
