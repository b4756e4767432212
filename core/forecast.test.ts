import { describe, expect, it } from "vitest";
import { forecast, thresholdsCrossedBy, type DailySpend } from "./forecast.ts";

const period = { periodStart: "2026-12-01T00:00:00.000Z", periodEnd: "2026-12-31T00:00:00.000Z" };

/** A synthetic history: `perDay` credits on each of the first `days` days of the period. */
function history(days: number, perDay: number | ((i: number) => number)): DailySpend[] {
  return Array.from({ length: days }, (_, i) => ({
    day: `2026-12-${String(i + 1).padStart(2, "0")}`,
    credits: typeof perDay === "number" ? perDay : perDay(i),
  }));
}

describe("forecast", () => {
  it("says when the balance runs out at this period's pace", () => {
    // 10 days at 50 a day: 500 spent, 500 left → 10 more days, on Dec 21.
    const f = forecast({ ...period, now: "2026-12-11T00:00:00.000Z", remaining: 500, daily: history(10, 50) });
    expect(f).toEqual({ remaining: 500, spentThisPeriod: 500, pacePerDay: 50, runsOutAt: "2026-12-21T00:00:00.000Z", outlook: "this_period" });
  });

  it("says it will not run out this period when the pace leaves credits at the period's end", () => {
    const f = forecast({ ...period, now: "2026-12-11T00:00:00.000Z", remaining: 2000, daily: history(10, 50) });
    expect(f.outlook).toBe("not_this_period");
    expect(f.runsOutAt).toBeNull();
  });

  it("counts the days without spend in the pace (an uneven history)", () => {
    // 300 on day 1, nothing after: 10 days elapsed → 30 a day; 150 left → 5 days.
    const f = forecast({ ...period, now: "2026-12-11T00:00:00.000Z", remaining: 150, daily: history(10, (i) => (i === 0 ? 300 : 0)) });
    expect(f.pacePerDay).toBe(30);
    expect(f.runsOutAt).toBe("2026-12-16T00:00:00.000Z");
  });

  it("does not extrapolate the first hours of a period into a month (at least one day elapsed)", () => {
    const f = forecast({ ...period, now: "2026-12-01T02:00:00.000Z", remaining: 900, daily: [{ day: "2026-12-01", credits: 100 }] });
    expect(f.pacePerDay).toBe(100);
    expect(f.runsOutAt).toBe("2026-12-10T02:00:00.000Z");
  });

  it("ignores spend from before the period, and says 'now' when nothing is left", () => {
    const f = forecast({ ...period, now: "2026-12-05T00:00:00.000Z", remaining: 0, daily: [{ day: "2026-11-30", credits: 999 }, ...history(4, 10)] });
    expect(f.spentThisPeriod).toBe(40);
    expect(f.outlook).toBe("now");
    expect(f.runsOutAt).toBe("2026-12-05T00:00:00.000Z");
  });

  it("has no date without a limit or without spend", () => {
    expect(forecast({ ...period, now: "2026-12-05T00:00:00.000Z", remaining: null, daily: history(4, 10) }).outlook).toBe("no_limit");
    expect(forecast({ ...period, now: "2026-12-05T00:00:00.000Z", remaining: 10, daily: [] }).outlook).toBe("not_this_period");
  });
});

describe("thresholdsCrossedBy", () => {
  it("lists the thresholds the job crosses, not those crossed before or still out of reach", () => {
    const statuses = [
      { label: "Project X", percent: 50, used: 60, base: 100 }, // crossed already
      { label: "Project X", percent: 80, used: 60, base: 100 }, // 60 + 25 = 85 ≥ 80: crossed by the job
      { label: "Project X", percent: 100, used: 60, base: 100 }, // out of reach
    ];
    expect(thresholdsCrossedBy(25, statuses).map((s) => s.percent)).toEqual([80]);
    expect(thresholdsCrossedBy(20, statuses).map((s) => s.percent)).toEqual([80]);
    expect(thresholdsCrossedBy(19, statuses)).toEqual([]);
    expect(thresholdsCrossedBy(0, statuses)).toEqual([]);
  });
});
