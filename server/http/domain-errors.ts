// The one place where a domain error becomes an API error (docs/api.md's code, its status, the details a client
// acts on, and headers such as Retry-After). Domain modules throw their own errors and know nothing of
// HTTP; the app's error handler asks here before it answers 500. A failed job's error is not mapped here:
// it is recorded on the job when the job fails (jobs/job-failure.ts) and shown as it was recorded.
import { InvalidCursorError } from "../db/cursor.ts";
import type { EstimateReason } from "../../core/estimate.ts";
import {
  BatchIdempotencyMismatchError,
  BatchItemRefusedError,
  IdempotencyMismatchError,
  InputImageError,
  InvalidJobRequestError,
  JobRefusedError,
  RateLimitedError,
  UnknownSourceAssetError,
} from "../jobs/errors.ts";
import { InsufficientCreditsError, MemberCapReachedError } from "../ledger/types.ts";
import { ProjectBudgetReachedError, ProjectUnavailableError } from "../ledger/project-errors.ts";
import { ProviderError } from "../providers/types.ts";
import { LastManagerError, TeamNotFoundError } from "../teams/types.ts";
import { ControlsLimitError } from "../teams/manager-store.ts";
import { WebhookTargetRefusedError } from "../teams/webhook-guard.ts";
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
    case "project_budget_reached":
    case "role_not_allowed":
    case "provider_unavailable":
    case "invalid_request":
      return new ApiError(reason.code, reason.message, d);
  }
}

/**
 * An item's refusal as the whole batch's (docs/api.md, POST /v1/batches): `details.item` names the item and
 * each field is named from the batch (`items.3.mask`).
 */
function forItem(error: ApiError, index: number): ApiError {
  const d = error.details ?? {};
  const fields = d.fields && typeof d.fields === "object" ? Object.fromEntries(Object.entries(d.fields).map(([k, v]) => [`items.${index}.${k}`, v])) : undefined;
  return new ApiError(error.code, `Item ${index} of the batch: ${error.message}`, { ...d, ...(fields ? { fields } : {}), item: index }, error.headers);
}

/** The API error for a domain error; undefined for anything else (a bug: the handler answers 500). */
export function apiErrorOf(error: unknown): ApiError | undefined {
  if (error instanceof BatchItemRefusedError) {
    const inner = error.refusal instanceof ApiError ? error.refusal : apiErrorOf(error.refusal);
    return inner ? forItem(inner, error.index) : undefined;
  }
  if (error instanceof BatchIdempotencyMismatchError) return new ApiError("idempotency_mismatch", error.message, { batchId: error.existingBatchId });
  if (error instanceof JobRefusedError) return refusal(error.reason);
  if (error instanceof InsufficientCreditsError)
    return new ApiError("insufficient_credits", error.message, { needed: error.needed, available: error.available, shortfall: error.needed - error.available });
  if (error instanceof MemberCapReachedError)
    return new ApiError("member_cap_reached", error.message, { cap: error.cap, remaining: error.remaining, needed: error.needed });
  if (error instanceof ProjectBudgetReachedError)
    return new ApiError("project_budget_reached", error.message, {
      projectId: error.projectId,
      budget: error.budget,
      remaining: error.remaining,
      needed: error.needed,
    });
  // An unknown project is 404 like any other id of another team; an archived one is a bad field.
  if (error instanceof ProjectUnavailableError)
    return error.why === "unknown"
      ? new ApiError("not_found", error.message, { projectId: error.projectId })
      : invalidRequest({ projectId: "is archived; pick another project" });
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
  if (error instanceof ControlsLimitError) return new ApiError("invalid_request", error.message, { max: error.max });
  if (error instanceof WebhookTargetRefusedError)
    return invalidRequest({ url: "must not point at a loopback, private or link-local address (WEBHOOK_ALLOW_PRIVATE_TARGETS allows it)" });
  return undefined;
}
