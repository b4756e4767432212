// Everything the proxy keeps, behind dialect-neutral interfaces, implemented once over `Db` (db/sql.ts) for
// SQLite and PostgreSQL alike: the domain's stores as one type (a domain-layer file), for the HTTP app and
// the admin CLI. compose.ts builds them; every other part is given only the stores it uses.
import type { Db } from "./db/sql.ts";
import type { AssetRepo } from "./assets/types.ts";
import type { BlobStore } from "./assets/blob-store.ts";
import type { JobStore } from "./jobs/types.ts";
import type { BatchStore } from "./jobs/batch-store.ts";
import type { Ledger } from "./ledger/types.ts";
import type { RetiredModelStore } from "./providers/retired-models.ts";
import type { TeamStore } from "./teams/types.ts";
import type { SqlManagerStore } from "./teams/manager-store.ts";

export interface Stores {
  database: "sqlite" | "postgres";
  /** For read-only reports; every write goes through a store. */
  db: Db;
  ledger: Ledger;
  teams: TeamStore;
  jobs: JobStore;
  /** Batches (POST /v1/batches): one request, one price, one hold per item, all or nothing. */
  batches: BatchStore;
  assets: AssetRepo;
  blobs: BlobStore;
  /** Models their provider reported gone, shared by every proxy on this database. */
  retiredModels: RetiredModelStore;
  /** Managers' controls: projects, role policy, thresholds, webhook, alerts (issue 17). */
  managers: SqlManagerStore;
  /** true when the database answers (for /health). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
