// What the HTTP layer is built from. Everything is injected so tests can swap any part (a fake provider,
// a small body limit, a custom catalog) without touching module state.
import type { Catalog } from "../../core/catalog/schema.ts";
import type { Config } from "../config.ts";
import type { JobChanges } from "../jobs/job-changes.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { JobRunner } from "../jobs/job-runner.ts";
import type { Logger } from "../logger.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { Slots } from "../slots.ts";
import type { Stores } from "../stores.ts";
import type { Caller } from "../teams/types.ts";

export interface AppDeps {
  config: Config;
  catalog: Catalog;
  stores: Stores;
  providers: ProviderRegistry;
  runner: JobRunner;
  jobChanges: JobChanges;
  logger: Logger;
  version: string;
  /** Heavy image work of this process (IMAGE_CONCURRENCY slots): upload checks, social, local provider. */
  imageWork: Slots;
  /** Multipart bodies read to temporary files at once (UPLOAD_CONCURRENCY). */
  uploadSlots: Slots;
  /** Serving or draining (graceful shutdown); absent: always serving. */
  lifecycle?: Lifecycle;
}

export interface AppEnv {
  Variables: {
    caller: Caller;
    requestId: string;
  };
}
