// A fixed number of slots that work waits for, first come, first served. The proxy has two:
// - image work (IMAGE_CONCURRENCY): the full check of each uploaded image, the social optimizer, the local
//   provider's operations and the normalizing of results for the canvas. Each slot is a bounded amount of
//   memory (decoded pixels), so the number of slots, not the number of requests, sets how much memory images
//   take. Work never takes a second image slot while it holds one, so they cannot deadlock.
// - uploads (UPLOAD_CONCURRENCY): multipart bodies being written to temporary files, which bounds the disk
//   that requests in flight take; a waiting request's body stays unread in the network.

export class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly slots: number) {
    if (!Number.isInteger(slots) || slots < 1) throw new Error(`needs at least one slot, got ${slots}`);
  }

  /** Work under way and work waiting for a slot. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `work` in a slot; rejects with the signal's reason if it is aborted while waiting. */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.running < this.slots) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const granted = () => {
        signal?.removeEventListener("abort", aborted);
        resolve();
      };
      const aborted = () => {
        const i = this.waiting.indexOf(granted);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      this.waiting.push(granted);
      signal?.addEventListener("abort", aborted, { once: true });
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next in line, so `running` stays as it is.
    if (next) next();
    else this.running--;
  }
}
