// Picks the database from the config, runs its migrations, and builds the stores on it. Used by the server
// and the admin CLI alike, so both always see the same data.
import { mkdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { BlobStore } from "../assets/blob-store.ts";
import { SqliteAssetRepo } from "../assets/sqlite-asset-repo.ts";
import type { Config } from "../config.ts";
import { SqliteJobStore } from "../jobs/sqlite-job-store.ts";
import { SqliteLedger } from "../ledger/sqlite-ledger.ts";
import { StartupError } from "../startup-error.ts";
import type { Stores } from "../stores.ts";
import { SqliteTeamStore } from "../teams/sqlite-team-store.ts";
import { migrateSqlite } from "./migrate.ts";
import { openSqlite } from "./open-sqlite.ts";

export const SQLITE_FILE = "studio.db";

/** Where the SQLite file lives: DATABASE_URL=sqlite:<path>, else DATA_DIR/studio.db. */
export function sqlitePath(config: Pick<Config, "dataDir" | "databaseUrl">): string {
  const fromUrl = config.databaseUrl?.startsWith("sqlite:") ? config.databaseUrl.slice("sqlite:".length).replace(/^\/\//, "") : "";
  if (fromUrl) return isAbsolute(fromUrl) ? fromUrl : resolve(fromUrl);
  return join(resolve(config.dataDir), SQLITE_FILE);
}

export async function openStores(config: Pick<Config, "dataDir" | "databaseUrl">): Promise<Stores> {
  if (config.databaseUrl && /^postgres(ql)?:\/\//.test(config.databaseUrl))
    throw new StartupError(
      "DATABASE_URL points at PostgreSQL, which arrives with the ledger issue. Unset DATABASE_URL to use the " +
        "embedded SQLite database under DATA_DIR.",
    );
  const dataDir = resolve(config.dataDir);
  mkdirSync(join(dataDir, "assets"), { recursive: true });
  const db = openSqlite(sqlitePath(config));
  migrateSqlite(db);
  const ledger = new SqliteLedger(db);
  const assets = new SqliteAssetRepo(db);
  return {
    database: "sqlite",
    ledger,
    teams: new SqliteTeamStore(db, ledger.ops),
    jobs: new SqliteJobStore(db, ledger.ops, assets),
    assets,
    blobs: new BlobStore(join(dataDir, "assets")),
    async ping() {
      try {
        return db.prepare("SELECT 1 AS ok").get() !== undefined;
      } catch {
        return false;
      }
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
