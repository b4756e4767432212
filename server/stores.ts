// Everything the proxy keeps, behind dialect-neutral interfaces. SQLite implements them today; PostgreSQL
// (DATABASE_URL=postgres://…) will implement the same ones.
import type { AssetRepo } from "./assets/types.ts";
import type { BlobStore } from "./assets/blob-store.ts";
import type { JobStore } from "./jobs/types.ts";
import type { Ledger } from "./ledger/types.ts";
import type { TeamStore } from "./teams/types.ts";

export interface Stores {
  database: "sqlite" | "postgres";
  ledger: Ledger;
  teams: TeamStore;
  jobs: JobStore;
  assets: AssetRepo;
  blobs: BlobStore;
  /** true when the database answers (for /health). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
