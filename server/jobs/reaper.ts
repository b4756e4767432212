// The reaper: what keeps the ledger whole when nobody is watching. Every proxy runs it (at start and then on
// an interval); each step is a conditional update, so several proxies sweeping at once do each thing once.
// - holds past their expiry (database clock) are expired and their jobs failed: the credits come back;
// - jobs whose lease lapsed (their process died) are adopted: run, resumed, or failed with a release;
// - grants past their expiry give up what is left of them;
// - teams whose period ended roll over to the next one.
import type { Catalog } from "../../core/catalog/schema.ts";
import type { Logger } from "../logger.ts";
import type { Stores } from "../stores.ts";
import type { JobRunner } from "./job-runner.ts";

const EXPIRED = { code: "provider_error", message: "The job did not finish in time. Nothing was charged." } as const;

export interface ReaperOptions {
  stores: Stores;
  runner: JobRunner;
  catalog: Catalog;
  logger: Logger;
  leaseMs: number;
}

export interface SweepResult {
  expiredJobs: string[];
  adoptedJobs: string[];
  expiredCredits: number;
  rolledOver: string[];
}

export async function sweep(o: ReaperOptions): Promise<SweepResult> {
  const { jobs, ledger } = o.stores;
  const expiredJobs = await jobs.expireOverdue(EXPIRED);
  if (expiredJobs.length) o.logger.warn({ jobs: expiredJobs }, "expired the holds of jobs that did not finish in time");
  const adopted = await jobs.claimLapsed(o.leaseMs);
  for (const job of adopted) o.runner.adopt(job);
  if (adopted.length) o.logger.warn({ jobs: adopted.map((j) => j.id) }, "took over jobs whose proxy stopped");
  const rolledOver = await ledger.rollOver(o.catalog);
  const expiredCredits = await ledger.expireGrants();
  return { expiredJobs, adoptedJobs: adopted.map((j) => j.id), expiredCredits, rolledOver };
}

/** Sweeps now and every `intervalMs`; one sweep at a time. Returns a stop function. */
export function startReaper(o: ReaperOptions, intervalMs: number): { first: Promise<SweepResult | null>; stop(): void } {
  let running: Promise<unknown> = Promise.resolve();
  const once = () => {
    const next = running.then(() => sweep(o)).catch((error: unknown) => {
      o.logger.error({ err: error }, "reaper sweep failed");
      return null;
    });
    running = next;
    return next;
  };
  const first = once();
  const timer = setInterval(() => void once(), intervalMs);
  timer.unref();
  return { first, stop: () => clearInterval(timer) };
}
