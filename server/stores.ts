// Everything the proxy keeps, behind dialect-neutral interfaces, implemented once over `Db` (db/sql.ts) for
// SQLite and PostgreSQL alike: the domain's stores as one type (a domain-layer file), for the HTTP app and
// the admin CLI. compose.ts builds them; every other part is given only the stores it uses.
import type { Db } from "./db/sql.ts";
import type { AssetRepo } from "./assets/types.ts";
import type { BlobStore } from "./assets/blob-store.ts";
import type { JobStore } from "./jobs/types.ts";
import type { Ledger } from "./ledger/types.ts";
import type { RetiredModelStore } from "./providers/retired-models.ts";
import type { TeamStore } from "./teams/types.ts";

export interface Stores {
  database: "sqlite" | "postgres";
  /** For read-only reports; every write goes through a store. */
  db: Db;
  ledger: Ledger;
  teams: TeamStore;
  jobs: JobStore;
  assets: AssetRepo;
  blobs: BlobStore;
  /** Models their provider reported gone, shared by every proxy on this database. */
  retiredModels: RetiredModelStore;
  /** true when the database answers (for /health). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
