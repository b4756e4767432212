// Jobs as stored. A job and its hold are created together, and a job finishes together with its hold's
// resolution (capture + assets, or release), each in one transaction, so a job's status and the ledger
// can never disagree.
import type { z } from "zod";
import type { JobError } from "../../core/api/errors.ts";
import type { jobProgressSchema, JobStatus } from "../../core/api/responses.ts";
import type { JobSpec, Operation } from "../../core/api/specs.ts";
import type { TierId } from "../../core/catalog/schema.ts";
import type { Estimate, RoleLimits, Route } from "../../core/estimate.ts";
import type { AssetRecord } from "../assets/types.ts";
import type { ImageType } from "../providers/types.ts";

export type JobProgress = z.infer<typeof jobProgressSchema>;

/** Why a job failed, kept on its row and shown as is by GET /v1/jobs/:id: in the API's error vocabulary
 * (core's ErrorCode, shared by every layer), decided when the job fails (job-failure.ts), or `cancelled`
 * (its batch was cancelled before it started). */
export type JobFailure = JobError;

/** The image parts a job request may carry besides its spec. */
export const IMAGE_PARTS = ["image", "mask", "backgroundReference", "lightReference"] as const;
export type ImagePart = (typeof IMAGE_PARTS)[number];

/** An image part as received: a temporary file the request's reader owns until the job stores it. */
export interface ImageUpload {
  path: string;
  size: number;
  /** Sniffed from the bytes, not the client's claim. */
  contentType: ImageType;
  sha256: string;
}

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
  error: JobFailure | null;
  progress: JobProgress;
  /** Async provider tasks (ids) this job waits on; stored so a restarted proxy resumes polling them. */
  providerTasks: string[];
  /** Input images by part name (image, mask, ...) as sha256 in the blob store. */
  inputs: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** A job that returned an identical earlier job's assets instead of making new ones: that job. */
  reusedFrom: string | null;
  /** An item of a batch (POST /v1/batches): the batch, and the item's place in it. */
  batch: { id: string; index: number } | null;
  assets: AssetRecord[];
}

/** What the job store reads inside the hold's transaction and hands to the pricing function, so the
 * estimate that is held is computed from the same state the database then enforces (pricing-state.ts). */
export interface PricingState {
  tier: TierId;
  /** null: unlimited (enterprise). */
  available: number | null;
  /** null: no cap. */
  memberCapRemaining: number | null;
  freeUsed: Record<string, number>;
  /** An identical earlier job whose assets this one would return for 0 credits (see NewJob.reuseKey). */
  reuse: { jobId: string; images: number } | null;
  /** The caller's role limits and the job's project with what its budget has left (hold-context.ts). */
  role?: RoleLimits | null;
  project?: { id: string; name: string; remaining: number | null } | null;
}

export interface NewJob {
  teamId: string;
  memberId: string;
  idempotencyKey: string | null;
  requestHash: string;
  spec: JobSpec;
  /** Prices the job from the state read in the transaction: the job's one call of core's estimate(). */
  price(state: PricingState): Estimate;
  /** The sha256 of each uploaded part. Their bytes are stored only after this job commits (the caller's move),
   * so a refused request stores nothing; the job's row pins their blobs from then on. */
  inputs?: Record<string, string>;
  /** The `provider/model` keys whose free allowance the price may use; [] skips reading them (most jobs). */
  freeModelKeys?: readonly string[];
  /** Hold expiry: the job timeout plus a margin. */
  holdTtlMs: number;
  /** How long the job is this process's before another may take it over. */
  leaseMs: number;
  /** Identity of the job's result (jobs/reuse-key.ts); null when it has none (no fixed seed, social). */
  reuseKey?: string | null;
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
  /** Social results: the catalog's format id. */
  format?: string | null;
  /** The bytes, kept so they can be put back if a concurrent delete removed the same blob (asset-repo). */
  content?: Uint8Array;
}

/**
 * `asHolder`: only while this process holds the job's lease (the runner's calls). A job another instance took
 * over is that instance's to capture or release: the call changes nothing and returns the job as it is.
 */
export interface FinishOptions {
  asHolder?: boolean;
}

export interface JobStore {
  /** This process as a lease holder (job-store.ts): random per start, carried by the jobs it holds. */
  readonly instanceId: string;
  /**
   * In one transaction, with the team's balance locked: replays an idempotent retry (same key, same
   * request: that job, `created: false`, nothing held; different request: IdempotencyMismatchError),
   * checks the tier's jobs per minute (RateLimitedError), prices the job from the free allowances, member
   * cap and balance read there (JobRefusedError), inserts it and holds its total (InsufficientCreditsError,
   * MemberCapReachedError from the conditional updates), and takes its free-allowance images.
   */
  createWithHold(input: NewJob): Promise<{ job: JobRecord; created: boolean }>;
  /** Team-scoped: another team's job is null. */
  get(teamId: string, jobId: string): Promise<JobRecord | null>;
  getById(jobId: string): Promise<JobRecord | null>;
  /** queued → running; null when the job is no longer queued or this process does not hold its lease. */
  markRunning(jobId: string, knownTotal?: number): Promise<JobRecord | null>;
  setProgress(jobId: string, progress: JobProgress): Promise<void>;
  /** Captures `charge` of the hold (the rest returns), records the assets, and marks the job succeeded.
   * `freeUsed`: the free-allowance images the delivered assets used (by `provider/model`); the job's other
   * free images go back to the period. Omitted: all of them were used.
   * If the hold was already resolved (expired), the job fails instead and nothing is charged. */
  succeed(jobId: string, result: { charge: number; assets: NewAsset[]; freeUsed?: Record<string, number> }, options?: FinishOptions): Promise<JobRecord>;
  /** Releases the hold and marks the job failed. No-op for a finished job. */
  fail(jobId: string, error: JobFailure, options?: FinishOptions): Promise<JobRecord>;
  /** Expires overdue holds and fails their unfinished jobs with `error`; returns those job ids. */
  expireOverdue(error: JobFailure): Promise<string[]>;
  /** The newest succeeded job of the team with this reuse key whose assets are all still in the library. */
  findReusable(teamId: string, reuseKey: string): Promise<{ jobId: string; images: number } | null>;
  /** Free-allowance images used in the team's current period by jobs that did not fail, by `provider/model`. */
  freeUsed(teamId: string): Promise<Record<string, number>>;
  /** Remembers the provider's task ids, so polling survives a restart. */
  setProviderTasks(jobId: string, tasks: string[]): Promise<void>;
  /** Extends this process's leases of these unfinished jobs (the runner's heartbeat). Returns the ids it
   * could not: finished, or taken over by another instance after this process's lease lapsed. */
  renewLeases(jobIds: readonly string[], leaseMs: number): Promise<string[]>;
  /** Ends this process's leases of these unfinished jobs at once (graceful shutdown hands them over): the
   * next sweep of any proxy takes them over. A job another instance holds now is left alone. Returns the
   * ids released. */
  releaseLeases(jobIds: readonly string[]): Promise<string[]>;
  /** Takes over unfinished jobs whose lease lapsed (their process died): each is claimed by exactly one
   * caller across processes, with a fresh lease held by this process. */
  claimLapsed(leaseMs: number, limit?: number): Promise<JobRecord[]>;
}
