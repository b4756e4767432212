import { describe, expect, it } from "vitest";
import { chargeForDelivered, splitCharge } from "./charge.ts";

describe("charge", () => {
  it("captures the estimate total when everything was delivered", () => {
    expect(chargeForDelivered(8, 4, 4)).toBe(8);
  });

  it("captures only the delivered share of a partly failed batch, never more", () => {
    expect(chargeForDelivered(8, 3, 4)).toBe(6);
    expect(chargeForDelivered(5, 1, 2)).toBe(2);
    expect(chargeForDelivered(8, 0, 4)).toBe(0);
  });

  it("splits a charge into whole credits that add up exactly", () => {
    expect(splitCharge(8, 4)).toEqual([2, 2, 2, 2]);
    expect(splitCharge(7, 3)).toEqual([3, 2, 2]);
    expect(splitCharge(0, 2)).toEqual([0, 0]);
    for (const [c, n] of [[13, 5], [1, 10], [99, 7]] as const) expect(splitCharge(c, n).reduce((a, b) => a + b, 0)).toBe(c);
  });
});
