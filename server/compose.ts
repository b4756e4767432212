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
import { S3BlobStore } from "./assets/s3-blob-store.ts";
import type { BlobStoreConfig, Config } from "./config.ts";
import { openDb } from "./db/open-db.ts";
import type { Db } from "./db/sql.ts";
import { Lifecycle } from "./http/lifecycle.ts";
import type { AppDeps } from "./http/types.ts";
import { JobChanges } from "./jobs/job-changes.ts";
import { PgJobChanges } from "./jobs/pg-job-changes.ts";
import { JobRunner } from "./jobs/job-runner.ts";
import { SqlJobStore } from "./jobs/job-store.ts";
import { SqlBatchStore } from "./jobs/batch-store.ts";
import { startReaper, type SweepResult } from "./jobs/reaper.ts";
import { SqlLedger } from "./ledger/sql-ledger.ts";
import type { Logger } from "./logger.ts";
import { CircuitBreaker } from "./providers/circuit-breaker.ts";
import { ProviderQueue } from "./providers/provider-queue.ts";
import { SqlRateGates } from "./providers/rate-gate.ts";
import { ClusterSlots } from "./providers/cluster-slots.ts";
import { builtInAdapters, ProviderRegistry } from "./providers/registry.ts";
import { SqlRetiredModelStore } from "./providers/retired-models.ts";
import type { ProviderAdapter } from "./providers/types.ts";
import type { Redactor } from "./redact.ts";
import { Slots } from "./slots.ts";
import { StartupError } from "./startup-error.ts";
import type { Stores } from "./stores.ts";
import { SqlTeamStore } from "./teams/team-store.ts";
import { SqlManagerStore } from "./teams/manager-store.ts";
import { WebhookDispatcher } from "./teams/webhook-dispatcher.ts";
import { VERSION } from "./version.ts";

/**
 * The stores on an open, migrated database; blobs under DATA_DIR/assets or in the configured S3 bucket (which
 * N instances need: docs/architecture.md), files on their way in under DATA_DIR/tmp in either case.
 */
export function storesOn(db: Db, catalog: Catalog, dataDir: string, blobStore: BlobStoreConfig = { kind: "files" }): Stores {
  const assetsDir = join(resolve(dataDir), "assets");
  const tempDir = join(resolve(dataDir), "tmp");
  mkdirSync(tempDir, { recursive: true });
  if (blobStore.kind === "files") mkdirSync(assetsDir, { recursive: true });
  const s3 = blobStore.kind === "s3" ? new S3BlobStore(blobStore, tempDir) : null;
  const blobs = s3 ?? new FileBlobStore(assetsDir, tempDir);
  const assets = new SqlAssetRepo(db, blobs);
  const jobs = new SqlJobStore(db, catalog, assets);
  return {
    database: db.dialect.name,
    db,
    ledger: new SqlLedger(db, catalog),
    teams: new SqlTeamStore(db),
    jobs,
    batches: new SqlBatchStore(db, catalog, jobs, assets),
    assets,
    blobs,
    retiredModels: new SqlRetiredModelStore(db),
    managers: new SqlManagerStore(db),
    async ping() {
      try {
        return (await db.one<{ ok: number }>("SELECT 1 AS ok")) !== undefined;
      } catch {
        return false;
      }
    },
    async close() {
      s3?.close();
      await db.close();
    },
  };
}

/** Opens and migrates the configured database, and the stores on it; an S3 bucket must answer. */
export async function openStores(config: Pick<Config, "dataDir" | "databaseUrl"> & Partial<Pick<Config, "blobStore">>, catalog: Catalog): Promise<Stores> {
  const stores = storesOn(await openDb(config), catalog, config.dataDir, config.blobStore);
  if (stores.blobs instanceof S3BlobStore) {
    const s3 = stores.blobs;
    await s3.check().catch(async (error: unknown) => {
      await stores.close();
      throw new StartupError(error instanceof Error ? error.message : String(error));
    });
  }
  return stores;
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
  /**
   * A graceful shutdown's first part (SIGTERM; docs/architecture.md, "Several instances"): from now on
   * /health says "draining" and no job or batch is accepted; no lapsed job is taken over; running jobs get
   * up to `graceMs` to finish; then the rest are handed over: jobs not started yet stay queued and jobs
   * with an async provider task keep it, both with their leases released so another proxy's next sweep
   * takes them at once; a synchronous provider call still under way is stopped and its job fails with its
   * hold released (another proxy could not collect that answer either). close() follows.
   */
  drain(graceMs: number): Promise<{ finished: boolean; handedOver: string[] }>;
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
  let reaper: { first: Promise<SweepResult | null>; stop(): Promise<void>; sweepNow?(): void } | undefined;
  let changes: PgJobChanges | undefined;
  try {
    // Providers limit per key, and every instance has the same keys: on PostgreSQL a 429 lock-out learnt by
    // one proxy holds for all (docs/providers.md, "Rate limits across instances"); one SQLite process keeps its own.
    const gateFor = stores.database === "postgres" ? new SqlRateGates(stores.db, logger).gate : undefined;
    const providers = new ProviderRegistry(catalog, [...builtInAdapters(config, o.keyFor, imageWork, gateFor), ...(o.adapters ?? [])], o.keyFor, stores.retiredModels);
    const names = new Map(catalog.providers.map((p) => [p.id, p.name]));
    // PostgreSQL: news of every proxy's jobs over LISTEN/NOTIFY; SQLite: this process's, plus a short re-read.
    const jobChanges =
      stores.database === "postgres" && config.databaseUrl ? new PgJobChanges({ url: config.databaseUrl, db: stores.db, logger }) : new JobChanges();
    if (jobChanges instanceof PgJobChanges) changes = jobChanges;
    await changes?.start();
    // PROVIDER_CONCURRENCY calls per provider across every proxy on PostgreSQL, not per proxy (docs/providers.md,
    // "Rate limits across instances"); the local provider renders on this machine, so only its own cores limit it.
    const clusterSlots = changes
      ? // A dead proxy's slots come back when its jobs' leases lapse and another proxy takes them over.
        new ClusterSlots({ db: stores.db, logger, leaseMs: config.jobLeaseMs, limitFor: (provider) => (provider === "local" ? null : config.providerConcurrency) })
      : undefined;
    if (clusterSlots) changes?.onSlotFreed((provider) => clusterSlots.wake(provider));
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
      ...(clusterSlots ? { clusterSlots } : {}),
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
        changes: jobChanges,
        catalog,
        logger,
        leaseMs: config.jobLeaseMs,
        // No request or job still writes a file this old: requests end within minutes, jobs within their hold.
        orphanAgeMs: Math.max(10 * 60_000, config.jobTimeoutMs + config.holdMarginMs),
      },
      o.sweepIntervalMs ?? config.sweepIntervalMs,
    );
    await reaper.first;
    // The alerts' webhooks, delivered from the outbox in the database (teams/webhook-dispatcher.ts); they
    // stop with the reaper, and what is left is delivered by any proxy later.
    const webhooks = new WebhookDispatcher(stores.db, stores.managers, config.webhooks, logger);
    webhooks.start(config.webhooks.intervalMs);
    const sweeps = reaper;
    reaper = { first: sweeps.first, stop: () => Promise.all([webhooks.stop(), sweeps.stop()]).then(() => undefined) };
    // Another instance drained and released its jobs' leases: take them now, not at the next interval.
    changes?.onHandover(() => sweeps.sweepNow?.());
    const running = reaper;
    const lifecycle = new Lifecycle();
    return {
      deps: { config, catalog, stores, providers, runner, jobChanges, logger, version: VERSION, imageWork, uploadSlots: new Slots(config.uploadConcurrency), lifecycle },
      stopReaper: () => running.stop(),
      async drain(graceMs) {
        lifecycle.drain();
        await running.stop();
        const busy = runner.load;
        if (busy) logger.info({ jobs: busy, graceMs }, "draining: waiting for running jobs before handing over the rest");
        let timer: NodeJS.Timeout | undefined;
        const finished = await Promise.race([
          runner.idle().then(() => true),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
        ]);
        clearTimeout(timer);
        const handedOver = await runner.stop({ handOver: true });
        if (handedOver.length) {
          await stores.jobs
            .releaseLeases(handedOver)
            .then((released) => {
              // Conditional on holding the lease: a job another instance took over meanwhile is its already.
              const taken = handedOver.filter((id) => !released.includes(id));
              if (taken.length) logger.warn({ jobs: taken }, "left alone: another instance holds these jobs now");
              return changes?.announceHandover();
            })
            .catch((error: unknown) => logger.error({ err: error }, "could not hand the unfinished jobs over"));
          logger.warn({ jobs: handedOver }, "handed over unfinished jobs to the other proxies");
        }
        return { finished, handedOver };
      },
      async close() {
        await runner.stop();
        await jobChanges.close();
        await stores.close();
      },
    };
  } catch (error) {
    await reaper?.stop();
    await changes?.close();
    await stores.close();
    throw error;
  }
}
