import { describe, expect, it } from "vitest";
import { countText, creditsShort, dateText, timeLeftText } from "./format.ts";

describe("dates", () => {
  it("writes the period's end in UTC and how far off it is", () => {
    expect(dateText("2026-12-01T00:00:00.000Z")).toBe("1 Dec 2026");
    expect(dateText("nonsense")).toBe("nonsense");
    const now = Date.parse("2026-11-19T12:00:00.000Z");
    expect(timeLeftText("2026-12-01T00:00:00.000Z", now)).toBe("in 11 days");
    expect(timeLeftText("2026-11-20T11:00:00.000Z", now)).toBe("today");
    expect(timeLeftText("2026-11-21T12:00:00.000Z", now)).toBe("in 2 days");
    expect(timeLeftText("2026-11-19T12:00:00.000Z", now)).toBe("ended");
  });
});

describe("figures", () => {
  it("writes credits and counts with thousands separators, in the singular for one", () => {
    expect(creditsShort(1234)).toBe("1,234 cr");
    expect(countText(1, "job")).toBe("1 job");
    expect(countText(2500, "image")).toBe("2,500 images");
  });
});
