// Picks the database from the config (PostgreSQL for DATABASE_URL=postgres://…, else the SQLite file),
// runs its migrations, and builds the stores on it. The server and the admin CLI both open through here, so
// both always see the same data with the same semantics.
import { mkdirSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Catalog } from "../../core/catalog/schema.ts";
import { SqlAssetRepo } from "../assets/asset-repo.ts";
import { FileBlobStore } from "../assets/blob-store.ts";
import type { Config } from "../config.ts";
import { SqlJobStore } from "../jobs/job-store.ts";
import { SqlLedger } from "../ledger/sql-ledger.ts";
import { SqlRetiredModelStore } from "../providers/retired-models.ts";
import { StartupError } from "../startup-error.ts";
import type { Stores } from "../stores.ts";
import { SqlTeamStore } from "../teams/team-store.ts";
import { migrate } from "./migrate.ts";
import { openSqlite } from "./open-sqlite.ts";
import { openPostgres } from "./postgres-db.ts";
import type { Db } from "./sql.ts";
import { SqliteDb } from "./sqlite-db.ts";

export const SQLITE_FILE = "studio.db";

export const isPostgresUrl = (url: string | undefined): url is string => !!url && /^postgres(ql)?:\/\//.test(url);

/** Where the SQLite file lives: DATABASE_URL=sqlite:<path>, else DATA_DIR/studio.db. */
export function sqlitePath(config: Pick<Config, "dataDir" | "databaseUrl">): string {
  const fromUrl = config.databaseUrl?.startsWith("sqlite:") ? config.databaseUrl.slice("sqlite:".length).replace(/^\/\//, "") : "";
  if (fromUrl) return isAbsolute(fromUrl) ? fromUrl : resolve(fromUrl);
  return join(resolve(config.dataDir), SQLITE_FILE);
}

/** Opens and migrates the configured database. */
export async function openDb(config: Pick<Config, "dataDir" | "databaseUrl">): Promise<Db> {
  let db: Db;
  if (isPostgresUrl(config.databaseUrl)) {
    try {
      db = await openPostgres(config.databaseUrl, { applicationName: "image-studio-proxy" });
    } catch (error) {
      throw new StartupError(`Cannot open the PostgreSQL database of DATABASE_URL: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    const file = sqlitePath(config);
    mkdirSync(dirname(file), { recursive: true });
    db = new SqliteDb(openSqlite(file));
  }
  await migrate(db);
  return db;
}

/** The stores on an open, migrated database; blobs under DATA_DIR/assets, files on their way in under DATA_DIR/tmp. */
export function storesOn(db: Db, catalog: Catalog, dataDir: string): Stores {
  const assetsDir = join(resolve(dataDir), "assets");
  const tempDir = join(resolve(dataDir), "tmp");
  mkdirSync(assetsDir, { recursive: true });
  mkdirSync(tempDir, { recursive: true });
  const blobs = new FileBlobStore(assetsDir, tempDir);
  const assets = new SqlAssetRepo(db, blobs);
  return {
    database: db.dialect.name,
    db,
    ledger: new SqlLedger(db, catalog),
    teams: new SqlTeamStore(db),
    jobs: new SqlJobStore(db, catalog, assets),
    assets,
    blobs,
    retiredModels: new SqlRetiredModelStore(db),
    async ping() {
      try {
        return (await db.one<{ ok: number }>("SELECT 1 AS ok")) !== undefined;
      } catch {
        return false;
      }
    },
    close: () => db.close(),
  };
}

export async function openStores(config: Pick<Config, "dataDir" | "databaseUrl">, catalog: Catalog): Promise<Stores> {
  return storesOn(await openDb(config), catalog, config.dataDir);
}
