// News of job changes, so an events stream answers the moment a job moves instead of on its next look at the
// database. This class is the news of this process (SQLite: proxies sharing the file still see each other's
// jobs through the streams' short re-read, `pollMs`); on PostgreSQL, PgJobChanges (pg-job-changes.ts) carries
// the same news between every proxy on the database over LISTEN/NOTIFY, and the re-read becomes a rare
// safety net (docs/architecture.md, "Several instances").
import { EventEmitter } from "node:events";

/** How often a waiter re-reads without news when other processes' changes may come unannounced. */
export const LOCAL_POLL_MS = 250;

/** Waiters (open event streams) at once; past this, a waiter is woken by its timer only (see next()). */
export const MAX_WAITERS = 10_000;

export class JobChanges {
  private readonly emitter = new EventEmitter();
  private waiting = 0;

  constructor(private readonly maxWaiters = MAX_WAITERS) {
    // One listener per open events stream; many streams are normal, not a leak. The bound is `maxWaiters`.
    this.emitter.setMaxListeners(0);
  }

  /** How long a waiter should wait for news before it looks at the job itself. */
  get pollMs(): number {
    return LOCAL_POLL_MS;
  }

  /** Waiters registered now. */
  get waiters(): number {
    return this.waiting;
  }

  /** Whether a new events stream would exceed the bound (the route then refuses it). */
  get full(): boolean {
    return this.waiting >= this.maxWaiters;
  }

  /** The job changed (after its transaction committed). */
  notify(jobId: string): void {
    this.wake(jobId);
  }

  /** Wakes this process's waiters for `jobId`. */
  protected wake(jobId: string): void {
    this.emitter.emit(jobId);
  }

  /** Wakes every waiter of this process: news may have been missed, so each re-reads its job. */
  protected wakeAll(): void {
    for (const name of this.emitter.eventNames()) this.emitter.emit(name);
  }

  /** Resolves at the job's next change, or after `ms`, or when `signal` aborts, whichever comes first. */
  next(jobId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return this.nextAny([jobId], ms, signal);
  }

  /**
   * Resolves at the next change of any of `jobIds`, or after `ms`: one timer, every listener removed at once.
   * A stream that ends (its job finished, its client gone) aborts `signal`, so its waiter leaves at once
   * instead of counting against the bound until the timer, which is 30 s on PostgreSQL (pg-job-changes.ts).
   */
  nextAny(jobIds: readonly string[], ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      // Over the bound: the timer alone, so memory stays bounded whatever the load. Such a waiter hears no
      // news, so it re-reads as often as one whose news may not come (LOCAL_POLL_MS), whatever `ms` it asked.
      const listen = this.waiting < this.maxWaiters && jobIds.length > 0;
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        if (listen) {
          this.waiting--;
          for (const id of jobIds) this.emitter.off(id, done);
        }
        resolve();
      };
      const timer = setTimeout(done, listen ? ms : Math.min(ms, LOCAL_POLL_MS));
      signal?.addEventListener("abort", done, { once: true });
      if (!listen) return;
      this.waiting++;
      for (const id of jobIds) this.emitter.once(id, done);
    });
  }

  /** Stops delivering news between processes (nothing to stop here). */
  async close(): Promise<void> {}
}
