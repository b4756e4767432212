// `npm run bench:ledger`: hold + capture cycles through the ledger module (SqlLedger), each cycle two write
// transactions, on SQLite (one process, one connection) and on PostgreSQL (100 teams, 32 concurrent
// clients, one pool). Prints cycles/s and the latency of one cycle.
import { DEFAULT_CATALOG } from "../core/catalog/default-catalog.ts";
import { storesOn } from "../server/compose.ts";
import type { Db } from "../server/db/sql.ts";
import { openTestDb, type DbKind } from "../server/test-support/databases.ts";
import { summarize } from "./stats.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Setup {
  kind: DbKind;
  teams: number;
  clients: number;
  durationMs: number;
}

async function bench({ kind, teams, clients, durationMs }: Setup): Promise<void> {
  const t = await openTestDb(kind);
  const dir = mkdtempSync(join(tmpdir(), "bench-ledger-"));
  try {
    if (kind === "postgres") await resizePool(t.db, Number(process.env.BENCH_POOL ?? 8));
    const stores = storesOn(t.db, DEFAULT_CATALOG, dir);
    const ids: { teamId: string; memberId: string }[] = [];
    for (let i = 0; i < teams; i++) {
      const { team, manager } = await stores.teams.createTeam({ name: `Bench ${i}`, tier: "pro", monthlyCredits: 1_000_000, managerName: "M" });
      ids.push({ teamId: team.id, memberId: manager.id });
    }
    const cycle = async (n: number) => {
      const { teamId, memberId } = ids[n % ids.length]!;
      const hold = await stores.ledger.hold({ teamId, memberId, amount: 3, ttlMs: 60_000 });
      await stores.ledger.capture(hold.id, 2);
    };
    for (let i = 0; i < 200; i++) await cycle(i); // warm up statements and caches
    const samples: number[] = [];
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        while (performance.now() - start < durationMs) {
          const t0 = performance.now();
          await cycle(c + clients * next++);
          samples.push(performance.now() - t0);
        }
      }),
    );
    const wall = performance.now() - start;
    console.log(summarize(`${kind}: hold+capture, ${teams} team(s), ${clients} concurrent client(s)`, samples, wall));
    const drift = await stores.ledger.verify();
    console.log(`  ledger verify after the run: ${drift.length === 0 ? "no drift" : `${drift.length} drift(s)!`}`);
  } finally {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The test pool holds 10 connections; 32 clients need 32. */
async function resizePool(db: Db, size: number): Promise<void> {
  const pool = (db as Db & { pool?: { options: { max: number } } }).pool;
  if (pool) pool.options.max = size;
}

const only = process.argv[2];
if (!only || only === "sqlite") {
  await bench({ kind: "sqlite", teams: 1, clients: 1, durationMs: 4000 });
  await bench({ kind: "sqlite", teams: 100, clients: 32, durationMs: 4000 });
}
if (!only || only === "postgres") await bench({ kind: "postgres", teams: 100, clients: 32, durationMs: 6000 });
