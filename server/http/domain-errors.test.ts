import { describe, expect, it } from "vitest";
import { InvalidCursorError } from "../db/cursor.ts";
import {
  IdempotencyMismatchError,
  InputImageError,
  InvalidJobRequestError,
  JobRefusedError,
  RateLimitedError,
  UnknownSourceAssetError,
} from "../jobs/errors.ts";
import { InsufficientCreditsError, LedgerNotFoundError, MemberCapReachedError } from "../ledger/types.ts";
import { ProviderError } from "../providers/types.ts";
import { LastManagerError, TeamNotFoundError } from "../teams/types.ts";
import { apiErrorOf } from "./domain-errors.ts";

const answer = (error: unknown) => {
  const e = apiErrorOf(error);
  return e && { status: e.status, ...e.toBody().error, ...(e.headers ? { headers: e.headers } : {}) };
};

describe("domain errors as the API answers them", () => {
  it("gives each refusal of a job its docs/api.md code, status and details", () => {
    expect(answer(new JobRefusedError({ code: "tier_required", message: "Needs the Pro tier", details: { tier: "pro", currentTier: "free" } }))).toEqual({
      status: 403,
      code: "tier_required",
      message: "Needs the Pro tier",
      details: { tier: "pro", currentTier: "free" },
    });
    expect(answer(new InsufficientCreditsError(6, 2))).toMatchObject({ status: 402, code: "insufficient_credits", details: { needed: 6, available: 2, shortfall: 4 } });
    expect(answer(new MemberCapReachedError(10, 1, 4))).toMatchObject({ status: 402, code: "member_cap_reached", details: { cap: 10, remaining: 1, needed: 4 } });
    expect(answer(new RateLimitedError(6, 1500))).toMatchObject({ status: 429, code: "rate_limited", details: { limit: 6, retryAfterSeconds: 2 }, headers: { "Retry-After": "2" } });
    expect(answer(new IdempotencyMismatchError("job_a"))).toMatchObject({ status: 422, code: "idempotency_mismatch", details: { jobId: "job_a" } });
    expect(answer(new InvalidJobRequestError({ mask: "is required" }))).toMatchObject({ status: 400, code: "invalid_request", details: { fields: { mask: "is required" } } });
    expect(answer(new InputImageError("mask", "The mask image cannot be decoded"))).toMatchObject({ status: 415, code: "unsupported_image", details: { part: "mask" } });
    expect(answer(new UnknownSourceAssetError("ast_a"))).toMatchObject({ status: 404, code: "not_found", details: { sourceAssetId: "ast_a" } });
    expect(answer(new ProviderError("payload_too_large", "Over 10 MB", { details: { provider: "stability", limit: "10 MB" } }))).toMatchObject({
      status: 413,
      details: { provider: "stability", limit: "10 MB" },
    });
  });

  it("answers the other domains' refusals, and leaves anything else to the 500", () => {
    expect(answer(new InvalidCursorError())).toMatchObject({ status: 400, details: { fields: { cursor: "is not a cursor this proxy gave out" } } });
    expect(answer(new TeamNotFoundError("member", "mem_x"))).toMatchObject({ status: 404, message: "No such member in your team" });
    expect(answer(new LastManagerError(["role"]))).toMatchObject({ status: 400, details: { fields: { role: "would leave the team without an active manager" } } });
    expect(answer(new LedgerNotFoundError("no balance"))).toBeUndefined();
    expect(answer(new Error("a bug"))).toBeUndefined();
  });
});
