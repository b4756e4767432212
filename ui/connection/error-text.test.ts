import { describe, expect, it } from "vitest";
import { ApiError } from "./api-error.ts";
import { describeError } from "./error-text.ts";

describe("describeError", () => {
  it("says how many credits are missing", () => {
    const text = describeError(new ApiError("insufficient_credits", "x", { needed: 12, available: 5 }));
    expect(text).toMatch(/needs 12/);
    expect(text).toMatch(/7 short/);
  });

  it("says nothing was charged when the provider failed or refused", () => {
    expect(describeError(new ApiError("provider_error", "upstream timed out"))).toMatch(/upstream timed out.*Nothing was charged/);
    expect(describeError(new ApiError("content_rejected", "flagged"))).toMatch(/Nothing was charged/);
    expect(describeError(new ApiError("provider_unavailable", "Stability AI is not configured"))).toMatch(/Nothing was charged/);
  });

  it("sends the user to Settings for a bad token or an unreachable proxy", () => {
    expect(describeError(new ApiError("unauthorized", "no"))).toMatch(/Settings/);
    expect(describeError(new ApiError("network_error", "Could not reach the proxy at http://localhost:8787"))).toMatch(/localhost:8787.*Settings/);
  });

  it("lists the fields of an invalid request", () => {
    expect(describeError(new ApiError("invalid_request", "Invalid", { fields: { prompt: "must not be empty" } }))).toMatch(/prompt must not be empty/);
  });
});
