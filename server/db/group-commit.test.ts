// SQLite's group commit (SqliteDb.tx): concurrent transactions share one durable COMMIT, each keeps its own
// all-or-nothing, and nothing is acknowledged before the commit that makes it durable, even when the process
// dies in the middle of a group.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqlite } from "./open-sqlite.ts";
import { MAX_GROUP, SqliteDb } from "./sqlite-db.ts";

let dir: string;
let db: SqliteDb;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "group-commit-"));
  db = new SqliteDb(openSqlite(join(dir, "studio.db")));
  await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL CHECK (v >= 0))");
});
afterEach(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

describe("SQLite group commit", () => {
  it("syncs every commit: synchronous is FULL, so what was acknowledged survives a power loss", () => {
    expect(db.raw.pragma("synchronous", { simple: true })).toBe(2);
    expect(db.raw.pragma("journal_mode", { simple: true })).toBe("wal");
  });

  it("commits concurrent transactions in groups, each still all-or-nothing", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        db.tx(async (sql) => {
          await sql.run("INSERT INTO t (id, v) VALUES ($1, 1)", [i]);
          // Every tenth breaks its own CHECK after a first write: only its writes go.
          await sql.run("UPDATE t SET v = $2 WHERE id = $1", [i, i % 10 === 0 ? -1 : 2]);
          return i;
        }),
      ),
    );
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(20);
    expect(results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<number>).value)).toHaveLength(180);
    const rows = await db.all<{ id: number; v: number }>("SELECT id, v FROM t ORDER BY id");
    expect(rows).toHaveLength(180);
    expect(rows.every((r) => r.id % 10 !== 0 && r.v === 2)).toBe(true);
    expect(db.groups).toBeLessThan(200);
    expect(db.groups).toBeGreaterThanOrEqual(Math.ceil(200 / MAX_GROUP));
  });

  it("lets each transaction see the ones before it in its group, as if they had committed", async () => {
    await db.run("INSERT INTO t (id, v) VALUES (1, 0)");
    const seen = await Promise.all(
      Array.from({ length: 10 }, () =>
        db.tx(async (sql) => {
          const row = await sql.one<{ v: number }>("SELECT v FROM t WHERE id = 1");
          await sql.run("UPDATE t SET v = v + 1 WHERE id = 1");
          return row!.v;
        }),
      ),
    );
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await db.one("SELECT v FROM t WHERE id = 1")).toEqual({ v: 10 });
  });

  it("leaves the connection free between groups: a read outside a transaction is not starved by a stream of them", async () => {
    let committed = 0;
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        await db.tx(async (sql) => void (await sql.run("INSERT INTO t (id, v) VALUES ($1, 1)", [w * 1_000_000 + i])));
        committed++;
      }
    });
    while (committed < 50) await new Promise((r) => setTimeout(r, 1));
    const before = committed;
    const read = await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM t");
    stop = true;
    await Promise.all(writers);
    // The read came back while the writers were still going, and saw only committed rows.
    expect(committed - before).toBeLessThan(MAX_GROUP * 8);
    expect(read!.n).toBeGreaterThanOrEqual(before);
  });

  it("acknowledges nothing a kill -9 in the middle of a group could lose, and never half a transaction", async () => {
    const file = join(dir, "crash.db");
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("../test-support/group-commit-child.ts", import.meta.url)), file, "400", "150"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, s) => resolve(s)));
    expect(signal).toBe("SIGKILL");
    const acked = out.split("\n").filter(Boolean).map((line) => Number(line.split(" ")[1]));
    expect(acked.length).toBeGreaterThanOrEqual(150);
    const after = new SqliteDb(openSqlite(file));
    try {
      const rows = await after.all<{ n: number; half: string }>("SELECT n, half FROM pairs");
      const halves = new Map<number, number>();
      for (const { n } of rows) halves.set(n, (halves.get(n) ?? 0) + 1);
      // Every acknowledged transaction is there, whole; no transaction is there by half.
      for (const n of acked) expect(halves.get(n), `tx ${n}`).toBe(2);
      expect([...halves.values()].filter((count) => count !== 2)).toEqual([]);
      // The kill came inside a group: that group's transactions are neither acknowledged nor written.
      expect(halves.size).toBeLessThan(400);
    } finally {
      await after.close();
    }
  }, 30_000);
});
