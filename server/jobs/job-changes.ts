// In-process news of job changes, so an events stream answers the moment this proxy's runner moves a job
// instead of on its next look at the database. Jobs run by another proxy are still seen by that look.
import { EventEmitter } from "node:events";

export class JobChanges {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open events stream; many streams are normal, not a leak.
    this.emitter.setMaxListeners(0);
  }

  notify(jobId: string): void {
    this.emitter.emit(jobId);
  }

  /** Resolves at the job's next change, or after `ms`, whichever comes first. */
  next(jobId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off(jobId, done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.emitter.once(jobId, done);
    });
  }
}
