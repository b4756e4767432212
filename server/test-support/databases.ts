// Fresh, migrated databases for store tests, so every store runs its tests on SQLite and on PostgreSQL.
// PostgreSQL is not optional: CI starts it, and a test that silently skipped it would prove nothing about
// the multi-instance deployment. Each PostgreSQL test database is created through an admin connection to
// TEST_DATABASE_URL (default: the local server) and dropped by cleanup. A migrated one is copied from a
// template database migrated once per set of migration files (is_tpl_<hash>, kept between runs), which
// spares every store test the migration.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { migrate, MIGRATIONS_DIR, readMigrations } from "../db/migrate.ts";
import { openSqlite } from "../db/open-sqlite.ts";
import { openPostgres } from "../db/postgres-db.ts";
import type { Db } from "../db/sql.ts";
import { SqliteDb } from "../db/sqlite-db.ts";

export type DbKind = "sqlite" | "postgres";
export const DB_KINDS: DbKind[] = ["sqlite", "postgres"];

export interface TestDb {
  db: Db;
  kind: DbKind;
  /** A DATABASE_URL another connection or process can use: `sqlite:<file>` or `postgres://…`. */
  url: string;
  cleanup(): Promise<void>;
}

export interface TestDatabaseUrl {
  url: string;
  cleanup(): Promise<void>;
}

export interface TestDbOptions {
  /** false: an empty database, for tests of the migrations themselves. Default true. */
  migrated?: boolean;
}

function adminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(), application_name: "image-studio-tests" });
  try {
    await client.connect();
  } catch (error) {
    const u = new URL(adminUrl());
    throw new Error(
      `Store tests need PostgreSQL at ${u.hostname}:${u.port || 5432} (set TEST_DATABASE_URL): ` +
        (error instanceof Error ? error.message : String(error)),
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Opens whatever a DATABASE_URL from this module points at, as a second connection to the same data. */
export async function connectTestDb(url: string): Promise<Db> {
  if (url.startsWith("sqlite:")) return new SqliteDb(openSqlite(url.slice("sqlite:".length)));
  return openPostgres(url, { max: 10, applicationName: "image-studio-tests" });
}

async function createSqlite(): Promise<TestDatabaseUrl> {
  const dir = mkdtempSync(join(tmpdir(), "studio-db-"));
  return {
    url: `sqlite:${join(dir, "studio.db")}`,
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Any constant: serialises building the template across test processes. */
const TEMPLATE_LOCK = 7_261_002;
let template: Promise<string> | undefined;

/** The name of a template database holding the current PostgreSQL migrations, built on first use. */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const migrations = readMigrations(MIGRATIONS_DIR.postgres);
    const name = `is_tpl_${createHash("sha256").update(JSON.stringify(migrations)).digest("hex").slice(0, 16)}`;
    await admin(async (c) => {
      await c.query("SELECT pg_advisory_lock($1)", [TEMPLATE_LOCK]);
      // datistemplate is set last, so it also marks the template as complete.
      const ready = await c.query("SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate", [name]);
      if (ready.rowCount) return;
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); // half-built by a run that crashed
      await c.query(`CREATE DATABASE ${name}`);
      const db = await openPostgres(databaseUrl(name), { max: 1, applicationName: "image-studio-tests" });
      try {
        await migrate(db, migrations);
      } finally {
        await db.close();
      }
      // No connections: CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template.
      await c.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    });
    return name;
  })();
  template.catch(() => (template = undefined));
  return template;
}

async function createPostgres(migrated: boolean): Promise<TestDatabaseUrl> {
  // Lower-case hex only, so the name needs no quoting.
  const name = `is_test_${randomBytes(8).toString("hex")}`;
  const from = migrated ? ` TEMPLATE ${await migratedTemplate()}` : "";
  await admin((c) => c.query(`CREATE DATABASE ${name}${from}`));
  return {
    url: databaseUrl(name),
    // FORCE: a test that failed midway may still hold connections (another process's, too).
    cleanup: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/** A fresh database; migrated: by `migrate` on SQLite, by copying the template on PostgreSQL. */
async function create(kind: DbKind, migrated: boolean): Promise<{ created: TestDatabaseUrl; migrate: boolean }> {
  if (kind === "postgres") return { created: await createPostgres(migrated), migrate: false };
  return { created: await createSqlite(), migrate: migrated };
}

/** A fresh database for `kind`, migrated unless `migrated: false`, with one open connection (pool). */
export async function openTestDb(kind: DbKind, options: TestDbOptions = {}): Promise<TestDb> {
  const { created, migrate: mustMigrate } = await create(kind, options.migrated !== false);
  let db: Db | undefined;
  try {
    db = await connectTestDb(created.url);
    if (mustMigrate) await migrate(db);
  } catch (error) {
    await db?.close().catch(() => {});
    await created.cleanup().catch(() => {});
    throw error;
  }
  const opened = db;
  let done: Promise<void> | undefined;
  return {
    db: opened,
    kind,
    url: created.url,
    cleanup() {
      done ??= opened.close().then(created.cleanup, (error: unknown) => created.cleanup().then(() => Promise.reject(error)));
      return done;
    },
  };
}

/** A fresh database (migrated unless `migrated: false`) that no connection of this process keeps open:
 * for tests that hand `url` to other processes. */
export async function createTestDatabaseUrl(kind: DbKind, options: TestDbOptions = {}): Promise<TestDatabaseUrl> {
  const { created, migrate: mustMigrate } = await create(kind, options.migrated !== false);
  if (mustMigrate) {
    try {
      const db = await connectTestDb(created.url);
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
    } catch (error) {
      await created.cleanup().catch(() => {});
      throw error;
    }
  }
  return created;
}
