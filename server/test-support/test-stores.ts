// The stores on a fresh, migrated test database of either kind, for store-level tests that must hold on
// SQLite and PostgreSQL alike.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Catalog } from "../../core/catalog/schema.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { tierById } from "../../core/estimate.ts";
import type { TierId } from "../../core/catalog/schema.ts";
import { storesOn } from "../compose.ts";
import type { EntryRecord, LedgerBalance } from "../ledger/types.ts";
import type { Stores } from "../stores.ts";
import type { MemberRecord, TeamRecord } from "../teams/types.ts";
import type { Db } from "../db/sql.ts";
import { connectTestDb, openTestDb, type DbKind } from "./databases.ts";

export interface TestStores extends Stores {
  kind: DbKind;
  url: string;
  dataDir: string;
  createTeam(tier?: TierId, options?: { monthlyCredits?: number | null; name?: string }): Promise<{ team: TeamRecord; manager: MemberRecord; token: string }>;
  /** `n` more connections (pools) to this database, as other proxy instances would have; closed by cleanup(). */
  connect(n: number): Promise<Db[]>;
  cleanup(): Promise<void>;
}

export async function openTestStores(kind: DbKind, catalog: Catalog = DEFAULT_CATALOG): Promise<TestStores> {
  const t = await openTestDb(kind);
  const dataDir = mkdtempSync(join(tmpdir(), "studio-stores-"));
  const stores = storesOn(t.db, catalog, dataDir);
  const connections: Db[] = [];
  return {
    ...stores,
    kind,
    url: t.url,
    dataDir,
    createTeam(tier = "pro", o = {}) {
      const monthlyCredits = o.monthlyCredits !== undefined ? o.monthlyCredits : tierById(catalog, tier).monthlyCredits;
      return stores.teams.createTeam({ name: o.name ?? `Team ${tier}`, tier, monthlyCredits, managerName: "Manager" });
    },
    async connect(n) {
      const dbs = await Promise.all(Array.from({ length: n }, () => connectTestDb(t.url)));
      connections.push(...dbs);
      return dbs;
    },
    async cleanup() {
      await Promise.all(connections.splice(0).map((db) => db.close()));
      await t.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The balance recomputed from the entries alone (docs/ledger.md invariant 2). */
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
    else if (e.kind === "expire") granted -= e.amount; // a grant's expired remainder
  }
  return { granted, spent, held };
}
