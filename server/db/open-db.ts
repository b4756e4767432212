// Picks the database from the config (PostgreSQL for DATABASE_URL=postgres://…, else the SQLite file) and
// runs its migrations. The stores are built on it by the composition root (compose.ts).
import { mkdirSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Config } from "../config.ts";
import { StartupError } from "../startup-error.ts";
import { migrate } from "./migrate.ts";
import { openSqlite } from "./open-sqlite.ts";
import { openPostgres } from "./postgres-db.ts";
import type { Db } from "./sql.ts";
import { SqliteDb } from "./sqlite-db.ts";

const SQLITE_FILE = "studio.db";

const isPostgresUrl = (url: string | undefined): url is string => !!url && /^postgres(ql)?:\/\//.test(url);

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
