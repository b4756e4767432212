// Jobs as stored. A job and its hold are created together, and a job finishes together with its hold's
// resolution (capture + assets, or release), each in one transaction, so a job's status and the ledger
// can never disagree.
import type { z } from "zod";
import type { ApiErrorBody } from "../../core/api/errors.ts";
import type { jobProgressSchema, JobStatus } from "../../core/api/responses.ts";
import type { JobSpec, Operation } from "../../core/api/specs.ts";
import type { Estimate, Route } from "../../core/estimate.ts";
import type { AssetRecord } from "../assets/types.ts";

export type JobProgress = z.infer<typeof jobProgressSchema>;

export interface JobRecord {
  id: string;
  teamId: string;
  memberId: string;
  idempotencyKey: string | null;
  requestHash: string;
  operation: Operation;
  spec: JobSpec;
  status: JobStatus;
  estimate: Estimate;
  route: Route | null;
  holdId: string | null;
  held: number;
  charged: number;
  error: ApiErrorBody | null;
  progress: JobProgress;
  providerTaskId: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  assets: AssetRecord[];
}

export interface NewJob {
  teamId: string;
  memberId: string;
  idempotencyKey: string | null;
  requestHash: string;
  spec: JobSpec;
  estimate: Estimate;
  route: Route | null;
  /** Hold expiry: the job timeout plus a margin. */
  holdTtlMs: number;
}

/** An image ready to be recorded (its bytes are already in the BlobStore). */
export interface NewAsset {
  sha256: string;
  contentType: AssetRecord["contentType"];
  width: number;
  height: number;
  bytes: number;
  cost: number;
  provider: string | null;
  model: string | null;
  prompt: string | null;
}

export class IdempotencyMismatchError extends Error {
  override name = "IdempotencyMismatchError";
  constructor(readonly existingJobId: string) {
    super("This Idempotency-Key was already used for a different request");
  }
}

export interface JobStore {
  /**
   * Inserts the job and holds its estimate total, in one transaction. With an idempotency key already used
   * for the same request it returns that job (`created: false`) and holds nothing more; for a different
   * request it throws IdempotencyMismatchError. Throws InsufficientCreditsError when the hold is refused.
   */
  createWithHold(input: NewJob): Promise<{ job: JobRecord; created: boolean }>;
  findByIdempotencyKey(teamId: string, key: string): Promise<JobRecord | null>;
  /** Team-scoped: another team's job is null. */
  get(teamId: string, jobId: string): Promise<JobRecord | null>;
  getById(jobId: string): Promise<JobRecord | null>;
  /** queued → running; null when the job is no longer queued. */
  markRunning(jobId: string): Promise<JobRecord | null>;
  setProgress(jobId: string, progress: JobProgress): Promise<void>;
  /** Captures `charge` of the hold (the rest returns), records the assets, and marks the job succeeded.
   * If the hold was already resolved (expired), the job fails instead and nothing is charged. */
  succeed(jobId: string, result: { charge: number; assets: NewAsset[] }): Promise<JobRecord>;
  /** Releases the hold and marks the job failed. No-op for a finished job. */
  fail(jobId: string, error: ApiErrorBody): Promise<JobRecord>;
  /** Expires overdue holds and fails their unfinished jobs with `error`; returns those job ids. */
  expireOverdue(error: ApiErrorBody): Promise<string[]>;
  unfinished(): Promise<JobRecord[]>;
  /** Free-allowance images used since `since` by jobs that did not fail, by `provider/model`. */
  freeUsed(teamId: string, since: string): Promise<Record<string, number>>;
}
