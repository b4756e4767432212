import { describe, expect, it } from "vitest";
import { jobSpecSchema } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { estimate, type EstimateContext } from "../../core/estimate.ts";
import { deliveredCharge, splitCharge } from "./charge.ts";

const spec = (input: Record<string, unknown>) => jobSpecSchema.parse({ operation: "create", prompt: "p", ...input });
const charge = (input: Record<string, unknown>, delivered: number, ctx: EstimateContext = {}) => {
  const s = spec(input);
  return deliveredCharge(DEFAULT_CATALOG, s, estimate(s, DEFAULT_CATALOG, ctx), delivered);
};

describe("charge", () => {
  it("captures the estimate total when everything was delivered", () => {
    expect(charge({ quality: "standard", variations: 2 }, 2)).toEqual({ charge: 8, freeUsed: {} });
  });

  it("captures what estimate() prices for the delivered images of a partly failed batch, never more", () => {
    expect(charge({ quality: "standard", variations: 4 }, 3).charge).toBe(estimate(spec({ quality: "standard", variations: 3 }), DEFAULT_CATALOG).total);
    expect(charge({ quality: "premium", variations: 2 }, 1).charge).toBe(6);
    expect(charge({ quality: "standard", variations: 4 }, 0)).toEqual({ charge: 0, freeUsed: {} });
  });

  it("spends a job's free images first, as its estimate did, and gives back the free images not delivered", () => {
    const flux = { quality: "draft", provider: "huggingface", model: "flux-schnell", variations: 4 };
    // 2 of the 20 free images left: the job holds 2 paid images (2 credits) and takes the 2 free ones.
    const ctx = { freeUsed: { "huggingface/flux-schnell": 18 } };
    expect(estimate(spec(flux), DEFAULT_CATALOG, ctx).total).toBe(2);
    // 3 delivered: the 2 free ones and 1 paid one.
    expect(charge(flux, 3, ctx)).toEqual({ charge: 1, freeUsed: { "huggingface/flux-schnell": 2 } });
    // 1 delivered: free; the other free image goes back to the period.
    expect(charge(flux, 1, ctx)).toEqual({ charge: 0, freeUsed: { "huggingface/flux-schnell": 1 } });
    // Where a proportional share of the hold would be wrong: 4 asked, 1 free left, 3 paid at 1 credit + 1 over 2 MP.
    const big = { ...flux, aspectRatio: { width: 1536, height: 1536 } };
    const one = { freeUsed: { "huggingface/flux-schnell": 19 } };
    const held = estimate(spec(big), DEFAULT_CATALOG, one).total;
    expect(held).toBe(3 * (1 + 1));
    expect(charge(big, 2, one)).toEqual({ charge: 2, freeUsed: { "huggingface/flux-schnell": 1 } }); // a share would say floor(6 * 2/4) = 3
  });

  it("splits a charge into whole credits that add up exactly", () => {
    expect(splitCharge(8, 4)).toEqual([2, 2, 2, 2]);
    expect(splitCharge(7, 3)).toEqual([3, 2, 2]);
    expect(splitCharge(0, 2)).toEqual([0, 0]);
    for (const [c, n] of [[13, 5], [1, 10], [99, 7]] as const) expect(splitCharge(c, n).reduce((a, b) => a + b, 0)).toBe(c);
  });
});
