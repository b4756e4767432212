// One fresh, migrated test database for the tests of a describe block (usually one per DB_KINDS entry).
import { afterAll, beforeAll } from "vitest";
import type { Db } from "../db/sql.ts";
import { openTestDb, type DbKind, type TestDb } from "./databases.ts";

/**
 * Opens a fresh, migrated database of `kind` before the tests of the describe it is called in (before any
 * beforeAll registered after this call), hands it to `opened`, and drops it after them.
 */
export function useTestDb(kind: DbKind, opened: (db: Db) => void): void {
  let t: TestDb | undefined;
  beforeAll(async () => {
    t = await openTestDb(kind);
    opened(t.db);
  });
  afterAll(() => t?.cleanup());
}
