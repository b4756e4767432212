// Per-provider concurrency limits with a priority wait line (docs/architecture.md: "provider queue"). Providers
// rate-limit per key, so each gets its own small pool of slots; a job waits for one, and the line is served
// by tier priority (docs/pricing.md: enterprise 3 > pro 2 > basic 1 > free 0), first come first served within a
// priority. This line is in-process; on PostgreSQL a job that leads it then takes one of the cluster's slots
// (cluster-slots.ts), so N instances together make at most the limit's calls (docs/providers.md).

export interface QueueJob {
  id: string;
  /** Higher is served first (the tier's queue priority). */
  priority: number;
}

/** A held provider slot; release it when the provider call is over, whatever its outcome. */
export interface Slot {
  readonly provider: string;
  readonly jobId: string;
  /** Frees the slot for the next waiting job; calling it again does nothing. */
  release(): void;
}

/** A provider's wait line after it moved: every waiting job with its position (0 = next). */
export interface QueueChange {
  provider: string;
  waiting: { jobId: string; position: number }[];
  /** Jobs that just got a slot (they leave the line). */
  started: string[];
}

export type QueueListener = (change: QueueChange) => void;

export interface ProviderQueueOptions {
  /** Slots per provider id. */
  limits?: Record<string, number>;
  /** Slots for a provider missing from `limits`. */
  defaultLimit: number;
  /** Same as calling onChange() with it. */
  onChange?: QueueListener;
}

export interface ProviderQueueStats {
  limit: number;
  running: number;
  waiting: number;
  /** Most slots ever held at once (never above `limit`). */
  peakRunning: number;
  /** Slots handed out so far. */
  granted: number;
  /** Waiting jobs that gave up (aborted) before a slot. */
  abandoned: number;
}

interface Waiter {
  job: QueueJob;
  seq: number;
  grant: (slot: Slot) => void;
}

interface Line {
  limit: number;
  running: number;
  /** Sorted: priority descending, then arrival. */
  waiting: Waiter[];
  peakRunning: number;
  granted: number;
  abandoned: number;
}

function checkLimit(provider: string, limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`The concurrency limit of ${provider} must be a positive integer, got ${limit}`);
  return limit;
}

export class ProviderQueue {
  private readonly lines = new Map<string, Line>();
  /** Every job that waits or holds a slot → its provider; a job id is in at most one place at a time. */
  private readonly jobs = new Map<string, { provider: string; state: "waiting" | "running" }>();
  private readonly listeners = new Set<QueueListener>();
  private readonly limits: Record<string, number>;
  private readonly defaultLimit: number;
  private seq = 0;

  constructor(options: ProviderQueueOptions) {
    this.defaultLimit = checkLimit("the default", options.defaultLimit);
    this.limits = { ...options.limits };
    for (const [provider, limit] of Object.entries(this.limits)) checkLimit(provider, limit);
    if (options.onChange) this.listeners.add(options.onChange);
  }

  /**
   * Waits for a slot of `provider`. Resolves at once when one is free and nobody is waiting; otherwise the
   * job joins the line. An abort while waiting takes it out of the line and rejects with the signal's reason.
   */
  acquire(provider: string, job: QueueJob, signal?: AbortSignal): Promise<Slot> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.jobs.has(job.id)) return Promise.reject(new Error(`Job ${job.id} already waits for or holds a provider slot`));
    const line = this.line(provider);
    if (line.running < line.limit && line.waiting.length === 0) return Promise.resolve(this.grant(provider, line, job.id));

    return new Promise<Slot>((resolve, reject) => {
      const onAbort = () => {
        const index = line.waiting.indexOf(waiter);
        if (index < 0) return; // already granted: the slot is the caller's to release
        line.waiting.splice(index, 1);
        line.abandoned++;
        this.jobs.delete(job.id);
        reject(signal!.reason);
        this.emit(provider, line, []);
      };
      const waiter: Waiter = {
        job: { ...job },
        seq: this.seq++,
        grant: (slot) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(slot);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.insert(line, waiter);
      this.jobs.set(job.id, { provider, state: "waiting" });
      this.emit(provider, line, []);
    });
  }

  /** How many jobs are ahead of `jobId` in its provider's line (0 = next); null when running or unknown. */
  position(jobId: string): number | null {
    const entry = this.jobs.get(jobId);
    if (!entry || entry.state !== "waiting") return null;
    const index = this.lines.get(entry.provider)!.waiting.findIndex((w) => w.job.id === jobId);
    return index < 0 ? null : index;
  }

  /** Calls `listener` whenever a line moves; returns the unsubscribe function. */
  onChange(listener: QueueListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): Record<string, ProviderQueueStats> {
    const out: Record<string, ProviderQueueStats> = {};
    for (const [provider, line] of this.lines)
      out[provider] = {
        limit: line.limit,
        running: line.running,
        waiting: line.waiting.length,
        peakRunning: line.peakRunning,
        granted: line.granted,
        abandoned: line.abandoned,
      };
    return out;
  }

  private line(provider: string): Line {
    let line = this.lines.get(provider);
    if (!line) {
      line = { limit: this.limits[provider] ?? this.defaultLimit, running: 0, waiting: [], peakRunning: 0, granted: 0, abandoned: 0 };
      this.lines.set(provider, line);
    }
    return line;
  }

  /** Binary insertion after every waiter of equal or higher priority: priority order, FIFO within it. */
  private insert(line: Line, waiter: Waiter): void {
    let lo = 0;
    let hi = line.waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (line.waiting[mid]!.job.priority >= waiter.job.priority) lo = mid + 1;
      else hi = mid;
    }
    line.waiting.splice(lo, 0, waiter);
  }

  private grant(provider: string, line: Line, jobId: string): Slot {
    line.running++;
    line.granted++;
    line.peakRunning = Math.max(line.peakRunning, line.running);
    this.jobs.set(jobId, { provider, state: "running" });
    let released = false;
    return {
      provider,
      jobId,
      release: () => {
        if (released) return;
        released = true;
        line.running--;
        this.jobs.delete(jobId);
        this.pump(provider, line);
      },
    };
  }

  /** Hands free slots to the head of the line, synchronously, so no slot is ever over-subscribed. */
  private pump(provider: string, line: Line): void {
    const started: string[] = [];
    while (line.running < line.limit && line.waiting.length > 0) {
      const next = line.waiting.shift()!;
      next.grant(this.grant(provider, line, next.job.id));
      started.push(next.job.id);
    }
    if (started.length > 0) this.emit(provider, line, started);
  }

  private emit(provider: string, line: Line, started: string[]): void {
    if (this.listeners.size === 0) return;
    const change: QueueChange = { provider, waiting: line.waiting.map((w, position) => ({ jobId: w.job.id, position })), started };
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A broken progress listener must never stall the line or the release that triggered it.
      }
    }
  }
}
