// Why a job request was refused before anything was held (nothing is charged, nothing is stored). Each says
// what went wrong in the job's own terms; http/domain-errors.ts alone turns them into docs/api.md's codes.
import type { EstimateReason } from "../../core/estimate.ts";

/** The estimate refused the job (tier, credits, cap), or no configured provider can run it. */
export class JobRefusedError extends Error {
  override name = "JobRefusedError";
  constructor(readonly reason: EstimateReason) {
    super(reason.message);
  }
}

/** The team's jobs-per-minute limit. */
export class RateLimitedError extends Error {
  override name = "RateLimitedError";
  constructor(
    readonly limit: number,
    readonly retryAfterMs: number,
  ) {
    super(`Your team may start ${limit} jobs per minute; try again in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}

/** The Idempotency-Key was used before, for a different request. */
export class IdempotencyMismatchError extends Error {
  override name = "IdempotencyMismatchError";
  constructor(readonly existingJobId: string) {
    super("This Idempotency-Key was already used for a different request");
  }
}

/** The spec or its image parts break a rule the catalog or the operation sets; `fields` names each. */
export class InvalidJobRequestError extends Error {
  override name = "InvalidJobRequestError";
  constructor(readonly fields: Readonly<Record<string, string>>) {
    super(`The job request has invalid fields: ${Object.keys(fields).join(", ")}`);
  }
}

/** An image part that does not decode, or whose size is out of range. */
export class InputImageError extends Error {
  override name = "InputImageError";
  constructor(
    readonly part: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** The spec's sourceAssetId is not an asset of the caller's team. */
export class UnknownSourceAssetError extends Error {
  override name = "UnknownSourceAssetError";
  constructor(readonly assetId: string) {
    super("No such asset in your team");
  }
}

/** The Idempotency-Key was used before for a different batch request (POST /v1/batches). */
export class BatchIdempotencyMismatchError extends Error {
  override name = "BatchIdempotencyMismatchError";
  constructor(readonly existingBatchId: string) {
    super("This Idempotency-Key was already used for a different batch");
  }
}

/**
 * One item of a batch was refused before anything was held (a bad spec, an image, the tier, a provider's
 * limits, an unknown source asset): the whole batch is refused with that item's error, naming the item.
 */
export class BatchItemRefusedError extends Error {
  override name = "BatchItemRefusedError";
  constructor(
    readonly index: number,
    readonly refusal: unknown,
  ) {
    super(`Item ${index} of the batch: ${refusal instanceof Error ? refusal.message : String(refusal)}`);
  }
}
