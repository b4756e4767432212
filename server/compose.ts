// The composition root: the one place that builds the stores on an open database and wires the parts that
// use them (providers, job runner, reaper) into what the HTTP app is given. Every part below takes only the
// stores and functions it uses; only here are they all in one hand. The proxy (start-server.ts) and the
// admin CLI open the stores through here, so both always see the same data with the same semantics.
import { mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import type { Catalog } from "../core/catalog/schema.ts";
import { SqlAssetRepo } from "./assets/asset-repo.ts";
import { FileBlobStore } from "./assets/blob-store.ts";
import type { Config } from "./config.ts";
import { openDb } from "./db/open-db.ts";
import type { Db } from "./db/sql.ts";
import type { AppDeps } from "./http/types.ts";
import { JobChanges } from "./jobs/job-changes.ts";
import { JobRunner } from "./jobs/job-runner.ts";
import { SqlJobStore } from "./jobs/job-store.ts";
import { startReaper, type SweepResult } from "./jobs/reaper.ts";
import { SqlLedger } from "./ledger/sql-ledger.ts";
import type { Logger } from "./logger.ts";
import { CircuitBreaker } from "./providers/circuit-breaker.ts";
import { ProviderQueue } from "./providers/provider-queue.ts";
import { builtInAdapters, ProviderRegistry } from "./providers/registry.ts";
import { SqlRetiredModelStore } from "./providers/retired-models.ts";
import type { ProviderAdapter } from "./providers/types.ts";
import type { Redactor } from "./redact.ts";
import { Slots } from "./slots.ts";
import type { Stores } from "./stores.ts";
import { SqlTeamStore } from "./teams/team-store.ts";
import { VERSION } from "./version.ts";

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

/** Opens and migrates the configured database, and the stores on it. */
export async function openStores(config: Pick<Config, "dataDir" | "databaseUrl">, catalog: Catalog): Promise<Stores> {
  return storesOn(await openDb(config), catalog, config.dataDir);
}

export interface ProxyOptions {
  config: Config;
  catalog: Catalog;
  logger: Logger;
  /** Scrubs every provider key, in any spelling, from job errors. */
  redact: Redactor;
  /** A provider key by its env var's name. */
  keyFor: (envName: string) => string | undefined;
  /** Extra adapters; one with the id of a built-in replaces it (tests inject failing providers this way). */
  adapters?: readonly ProviderAdapter[];
  /** How often the reaper sweeps; default config.sweepIntervalMs. */
  sweepIntervalMs?: number;
}

export interface ComposedProxy {
  /** What the HTTP app is built from. */
  deps: AppDeps;
  /** Stops the reaper's sweeps (waiting for the one under way): first, so nothing new is adopted. */
  stopReaper(): Promise<void>;
  /** Stops the runner (its jobs fail or wait for the next proxy) and closes the stores. */
  close(): Promise<void>;
}

/**
 * The proxy's parts on the configured database, with the reaper's first sweep done: jobs interrupted by a
 * crash, expired holds and ended periods are settled before the first request.
 */
export async function composeProxy(o: ProxyOptions): Promise<ComposedProxy> {
  const { config, catalog, logger } = o;
  const imageWork = new Slots(config.imageConcurrency);
  const stores = await openStores(config, catalog);
  let reaper: { first: Promise<SweepResult | null>; stop(): Promise<void> } | undefined;
  try {
    const providers = new ProviderRegistry(catalog, [...builtInAdapters(config, o.keyFor, imageWork), ...(o.adapters ?? [])], o.keyFor, stores.retiredModels);
    const names = new Map(catalog.providers.map((p) => [p.id, p.name]));
    const jobChanges = new JobChanges();
    const runner = new JobRunner({
      jobs: stores.jobs,
      teams: stores.teams,
      blobs: stores.blobs,
      providers,
      catalog,
      logger,
      changes: jobChanges,
      jobTimeoutMs: config.jobTimeoutMs,
      leaseMs: config.jobLeaseMs,
      // The local provider renders on this machine's cores; remote providers are limited per key.
      queue: new ProviderQueue({ defaultLimit: config.providerConcurrency, limits: { local: Math.max(1, availableParallelism()) } }),
      breaker: new CircuitBreaker({ displayName: (id) => names.get(id) ?? id }),
      imageWork,
      redact: o.redact,
    });
    reaper = startReaper(
      {
        jobs: stores.jobs,
        ledger: stores.ledger,
        blobs: stores.blobs,
        assets: stores.assets,
        runner,
        catalog,
        logger,
        leaseMs: config.jobLeaseMs,
        // No request or job still writes a file this old: requests end within minutes, jobs within their hold.
        orphanAgeMs: Math.max(10 * 60_000, config.jobTimeoutMs + config.holdMarginMs),
      },
      o.sweepIntervalMs ?? config.sweepIntervalMs,
    );
    await reaper.first;
    const running = reaper;
    return {
      deps: { config, catalog, stores, providers, runner, jobChanges, logger, version: VERSION, imageWork, uploadSlots: new Slots(config.uploadConcurrency) },
      stopReaper: () => running.stop(),
      async close() {
        await runner.stop();
        await stores.close();
      },
    };
  } catch (error) {
    await reaper?.stop();
    await stores.close();
    throw error;
  }
}
