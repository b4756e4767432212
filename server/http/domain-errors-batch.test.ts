// A batch's refusals as the API answers them (docs/api.md, "Batches"): an item's refusal becomes the whole
// batch's, with the item named in `details.item` and in each field's name.
import { describe, expect, it } from "vitest";
import { BatchIdempotencyMismatchError, BatchItemRefusedError, InputImageError, InvalidJobRequestError, RateLimitedError } from "../jobs/errors.ts";
import { ProviderError } from "../providers/types.ts";
import { invalidRequest } from "./api-error.ts";
import { apiErrorOf } from "./domain-errors.ts";

const answer = (error: unknown) => {
  const e = apiErrorOf(error);
  return e && { status: e.status, ...e.toBody().error, ...(e.headers ? { headers: e.headers } : {}) };
};

describe("a batch's refusals as the API answers them", () => {
  it("answers an item's refusal with its own code and status, naming the item and its fields from the batch", () => {
    expect(answer(new BatchItemRefusedError(3, new InvalidJobRequestError({ mask: "is required" })))).toEqual({
      status: 400,
      code: "invalid_request",
      message: expect.stringMatching(/^Item 3 of the batch: /),
      details: { fields: { "items.3.mask": "is required" }, item: 3 },
    });
    expect(answer(new BatchItemRefusedError(0, new InputImageError("image", "The image image cannot be decoded")))).toMatchObject({
      status: 415,
      code: "unsupported_image",
      details: { part: "image", item: 0 },
    });
    expect(answer(new BatchItemRefusedError(2, new ProviderError("payload_too_large", "Over 10 MB", { details: { provider: "stability" } })))).toMatchObject({
      status: 413,
      details: { provider: "stability", item: 2 },
    });
    expect(answer(new BatchItemRefusedError(1, invalidRequest({ "(item)": "x" })))).toMatchObject({ details: { fields: { "items.1.(item)": "x" }, item: 1 } });
    // Headers travel with it (Retry-After).
    expect(answer(new BatchItemRefusedError(1, new RateLimitedError(6, 1500)))).toMatchObject({ status: 429, headers: { "Retry-After": "2" } });
  });

  it("answers a key reused for another batch with the batch's id, and leaves a bug inside an item to the 500", () => {
    expect(answer(new BatchIdempotencyMismatchError("bat_a"))).toMatchObject({ status: 422, code: "idempotency_mismatch", details: { batchId: "bat_a" } });
    expect(answer(new BatchItemRefusedError(0, new Error("a bug")))).toBeUndefined();
  });
});
