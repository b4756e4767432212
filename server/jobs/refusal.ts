// Turns the first reason an estimate refuses a job into its api.md error, before anything is held.
import type { EstimateReason } from "../../core/estimate.ts";
import { ApiError } from "../http/api-error.ts";

export function refusal(reason: EstimateReason): ApiError {
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
