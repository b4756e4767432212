// The reaper: what keeps the ledger whole when nobody is watching. Every proxy runs it (at start and then on
// an interval); each step is a conditional update, so several proxies sweeping at once do each thing once.
// - holds past their expiry (database clock) are expired and their jobs failed: the credits come back;
// - jobs whose lease lapsed (their process died) are adopted: run, resumed, or failed with a release;
// - grants past their expiry give up what is left of them;
// - teams whose period ended roll over to the next one;
// - and, at start and then hourly, bytes nobody refers to: temporary files of uploads and writes a dead
//   process left, and stored blobs whose row was never committed (a crash between the write and the commit).
import type { Catalog } from "../../core/catalog/schema.ts";
import type { BlobStore } from "../assets/blob-store.ts";
import type { AssetRepo } from "../assets/types.ts";
import type { Ledger } from "../ledger/types.ts";
import type { Logger } from "../logger.ts";
import type { JobRunner } from "./job-runner.ts";
import type { JobFailure, JobStore } from "./types.ts";

const EXPIRED: JobFailure = { code: "provider_error", message: "The job did not finish in time. Nothing was charged." };

export interface ReaperOptions {
  jobs: Pick<JobStore, "expireOverdue" | "claimLapsed">;
  ledger: Pick<Ledger, "rollOver" | "expireGrants">;
  /** The file sweep's: temporary files, and stored bytes no row refers to. */
  blobs: Pick<BlobStore, "sweepTemp">;
  assets: Pick<AssetRepo, "sweepOrphans">;
  /** Takes over the jobs whose process died. */
  runner: Pick<JobRunner, "adopt">;
  /** Told of the jobs a sweep finished (expired holds), so their event streams end at once on every proxy. */
  changes?: { notify(jobId: string): void };
  catalog: Catalog;
  logger: Logger;
  leaseMs: number;
  /** Files untouched for this long are past any request or job that could still be writing or committing them. */
  orphanAgeMs: number;
}

/** How often the files are swept: a full listing of the blob store, so not on every sweep. */
const FILE_SWEEP_MS = 60 * 60_000;

export interface SweepResult {
  expiredJobs: string[];
  adoptedJobs: string[];
  expiredCredits: number;
  rolledOver: string[];
}

export async function sweep(o: ReaperOptions): Promise<SweepResult> {
  const { jobs, ledger } = o;
  const expiredJobs = await jobs.expireOverdue(EXPIRED);
  if (expiredJobs.length) o.logger.warn({ jobs: expiredJobs }, "expired the holds of jobs that did not finish in time");
  for (const id of expiredJobs) o.changes?.notify(id);
  const adopted = await jobs.claimLapsed(o.leaseMs);
  for (const job of adopted) o.runner.adopt(job);
  if (adopted.length) o.logger.warn({ jobs: adopted.map((j) => j.id) }, "took over jobs whose proxy stopped");
  const rolledOver = await ledger.rollOver(o.catalog);
  const expiredCredits = await ledger.expireGrants();
  return { expiredJobs, adoptedJobs: adopted.map((j) => j.id), expiredCredits, rolledOver };
}

export interface FileSweepResult {
  /** Blobs freed because no row referred to them. */
  orphans: string[];
  /** Temporary files removed. */
  tempFiles: number;
}

export async function sweepFiles(o: Pick<ReaperOptions, "blobs" | "assets" | "logger" | "orphanAgeMs">): Promise<FileSweepResult> {
  const tempFiles = await o.blobs.sweepTemp(o.orphanAgeMs);
  const orphans = await o.assets.sweepOrphans(o.orphanAgeMs);
  if (tempFiles || orphans.length) o.logger.warn({ tempFiles, orphans: orphans.length }, "removed files left by an interrupted request or job");
  return { orphans, tempFiles };
}

/** Sweeps now and every `intervalMs` (files now and every FILE_SWEEP_MS); one sweep at a time. stop() waits for the one under way. */
export function startReaper(o: ReaperOptions, intervalMs: number): { first: Promise<SweepResult | null>; stop(): Promise<void>; sweepNow(): void } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const queue = <T,>(work: () => Promise<T>, what: string): Promise<T | null> => {
    const next = running.then(() => (stopped ? null : work())).catch((error: unknown) => {
      o.logger.error({ err: error }, `${what} failed`);
      return null;
    });
    running = next;
    return next;
  };
  const first = queue(() => sweep(o), "reaper sweep");
  void queue(() => sweepFiles(o), "file sweep"); // after the first sweep: the proxy serves meanwhile
  const timer = setInterval(() => void queue(() => sweep(o), "reaper sweep"), intervalMs);
  const files = setInterval(() => void queue(() => sweepFiles(o), "file sweep"), FILE_SWEEP_MS);
  timer.unref();
  files.unref();
  return {
    first,
    /** An extra sweep (another instance handed jobs over): queued behind the one under way, if any. */
    sweepNow: () => void queue(() => sweep(o), "reaper sweep"),
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(files);
      await running;
    },
  };
}
