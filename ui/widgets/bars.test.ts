import { describe, expect, it } from "vitest";
import { barText, barWidth, MIN_BAR_WIDTH, shares } from "./bars.ts";

describe("shares and bar widths", () => {
  it("rounds shares to whole percents that add up to 100", () => {
    expect(shares([1, 1, 1])).toEqual([34, 33, 33]);
    expect(shares([2, 1])).toEqual([67, 33]);
    expect(shares([995, 4, 1])).toEqual([100, 0, 0]);
    expect(shares([0, 0])).toEqual([0, 0]);
    for (const values of [[7, 13, 29, 51], [1, 2, 3, 4, 5, 6], [1000, 1]]) expect(shares(values).reduce((a, b) => a + b, 0)).toBe(100);
  });

  it("scales widths to the largest bar and keeps any spend visible", () => {
    expect(barWidth(50, 100)).toBe(50);
    expect(barWidth(1, 3)).toBe(33.3);
    expect(barWidth(1, 10_000)).toBe(MIN_BAR_WIDTH);
    expect(barWidth(0, 100)).toBe(0);
    expect(barWidth(0, 0)).toBe(0);
  });

  it("writes each bar's figure as text", () => {
    expect(barText({ credits: 1234, share: 62 })).toBe("1,234 cr · 62%");
    expect(barText({ credits: 1, share: 0 })).toBe("1 cr · <1%");
    expect(barText({ credits: 0, share: 0 })).toBe("0 cr · 0%");
  });
});
