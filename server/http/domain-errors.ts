// The one place where a domain error becomes an API error (docs/api.md's code, its status, the details a client
// acts on, and headers such as Retry-After). Domain modules throw their own errors and know nothing of
// HTTP; the app's error handler asks here before it answers 500. A failed job's error is not mapped here:
// it is recorded on the job when the job fails (jobs/job-failure.ts) and shown as it was recorded.
import { InvalidCursorError } from "../db/cursor.ts";
import type { EstimateReason } from "../../core/estimate.ts";
import {
  IdempotencyMismatchError,
  InputImageError,
  InvalidJobRequestError,
  JobRefusedError,
  RateLimitedError,
  UnknownSourceAssetError,
} from "../jobs/errors.ts";
import { InsufficientCreditsError, MemberCapReachedError } from "../ledger/types.ts";
import { ProviderError } from "../providers/types.ts";
import { LastManagerError, TeamNotFoundError } from "../teams/types.ts";
import { ApiError, invalidRequest } from "./api-error.ts";

/** An estimate's reason for refusing a job, with the details docs/api.md gives each code. */
function refusal(reason: EstimateReason): ApiError {
  const d = reason.details ?? {};
  switch (reason.code) {
    case "insufficient_credits":
      return new ApiError("insufficient_credits", reason.message, { needed: d.needed, available: d.available, shortfall: d.shortfall });
    case "tier_required":
      return new ApiError("tier_required", reason.message, { tier: d.tier ?? null, currentTier: d.currentTier });
    case "member_cap_reached":
    case "provider_unavailable":
    case "invalid_request":
      return new ApiError(reason.code, reason.message, d);
  }
}

/** The API error for a domain error; undefined for anything else (a bug: the handler answers 500). */
export function apiErrorOf(error: unknown): ApiError | undefined {
  if (error instanceof JobRefusedError) return refusal(error.reason);
  if (error instanceof InsufficientCreditsError)
    return new ApiError("insufficient_credits", error.message, { needed: error.needed, available: error.available, shortfall: error.needed - error.available });
  if (error instanceof MemberCapReachedError)
    return new ApiError("member_cap_reached", error.message, { cap: error.cap, remaining: error.remaining, needed: error.needed });
  if (error instanceof RateLimitedError) {
    const seconds = Math.ceil(error.retryAfterMs / 1000);
    return new ApiError("rate_limited", error.message, { limit: error.limit, retryAfterSeconds: seconds }, { "Retry-After": String(seconds) });
  }
  if (error instanceof IdempotencyMismatchError) return new ApiError("idempotency_mismatch", error.message, { jobId: error.existingJobId });
  if (error instanceof InvalidJobRequestError) return invalidRequest({ ...error.fields });
  if (error instanceof InputImageError) return new ApiError("unsupported_image", error.message, { part: error.part, ...error.details });
  if (error instanceof UnknownSourceAssetError) return new ApiError("not_found", error.message, { sourceAssetId: error.assetId });
  // A provider's refusal of an input before anything is held (its limits); the code is already docs/api.md's.
  if (error instanceof ProviderError) return new ApiError(error.code, error.message, error.options.details);
  if (error instanceof InvalidCursorError) return invalidRequest({ cursor: "is not a cursor this proxy gave out" });
  if (error instanceof TeamNotFoundError) return new ApiError("not_found", error.what === "member" ? "No such member in your team" : "No such team");
  // docs/api.md has no 409: a change that would leave the team without an active manager is a bad request.
  if (error instanceof LastManagerError)
    return new ApiError("invalid_request", "Your team needs at least one active manager; make someone else a manager first", {
      fields: Object.fromEntries(error.fields.map((k) => [k, "would leave the team without an active manager"])),
    });
  return undefined;
}
