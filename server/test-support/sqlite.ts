// A migrated SQLite database in a temp dir, with the ledger and team store on it, for store-level tests.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { SqliteAssetRepo } from "../assets/sqlite-asset-repo.ts";
import { migrateSqlite } from "../db/migrate.ts";
import { openSqlite, type SqliteDatabase } from "../db/open-sqlite.ts";
import { SqliteJobStore } from "../jobs/sqlite-job-store.ts";
import { SqliteLedger } from "../ledger/sqlite-ledger.ts";
import type { EntryRecord, LedgerBalance } from "../ledger/types.ts";
import { SqliteTeamStore } from "../teams/sqlite-team-store.ts";

export interface TestDb {
  dir: string;
  file: string;
  db: SqliteDatabase;
  ledger: SqliteLedger;
  teams: SqliteTeamStore;
  assets: SqliteAssetRepo;
  jobs: SqliteJobStore;
  close(): void;
}

export function openTestDb(): TestDb {
  const dir = mkdtempSync(join(tmpdir(), "studio-db-"));
  const file = join(dir, "studio.db");
  const db = openSqlite(file);
  migrateSqlite(db);
  const ledger = new SqliteLedger(db);
  const assets = new SqliteAssetRepo(db);
  return {
    dir,
    file,
    db,
    ledger,
    teams: new SqliteTeamStore(db, ledger.ops),
    assets,
    jobs: new SqliteJobStore(db, ledger.ops, assets),
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The balance recomputed from the entries alone (ledger.md invariant 2). */
export function balanceFromEntries(entries: readonly EntryRecord[]): Pick<LedgerBalance, "granted" | "spent" | "held"> {
  let granted = 0;
  let spent = 0;
  let held = 0;
  for (const e of entries) {
    if (e.kind === "grant" || e.kind === "adjust") granted += e.amount;
    else if (e.kind === "hold") held += e.amount;
    else if (e.kind === "capture") {
      held -= e.amount;
      spent += e.amount;
    } else if (e.kind === "release" || (e.kind === "expire" && e.holdId)) held -= e.amount;
    else if (e.kind === "expire") granted -= e.amount; // a grant's expired remainder (next issue)
  }
  return { granted, spent, held };
}
