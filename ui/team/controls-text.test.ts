import { describe, expect, it } from "vitest";
import { forecast } from "../../core/forecast.ts";
import { alertText, forecastText } from "./controls-text.ts";

describe("the managers' controls in words", () => {
  it("says which threshold an alert is", () => {
    expect(alertText({ scope: "project", targetName: "Launch", percent: 80, used: 82, base: 100 })).toBe("80 % of project Launch's budget used (82 of 100 credits)");
    expect(alertText({ scope: "team", targetName: "Acme", percent: 50, used: 1000, base: 2000 })).toBe("50 % of the team's allocation used (1000 of 2000 credits)");
    expect(alertText({ scope: "member", targetName: "Bo", percent: 100, used: 200, base: 200 })).toBe("100 % of Bo's monthly cap used (200 of 200 credits)");
  });

  it("says when the credits run out, from a synthetic history", () => {
    const period = { periodStart: "2026-12-01T00:00:00.000Z", periodEnd: "2026-12-31T00:00:00.000Z", now: "2026-12-11T00:00:00.000Z" };
    const daily = Array.from({ length: 10 }, (_, i) => ({ day: `2026-12-${String(i + 1).padStart(2, "0")}`, credits: 50 }));
    expect(forecastText(forecast({ ...period, remaining: 500, daily }))).toBe("Runs out around 21 Dec 2026 at 50 credits a day");
    expect(forecastText(forecast({ ...period, remaining: 5000, daily }))).toBe("Lasts this period at 50 credits a day");
    expect(forecastText(forecast({ ...period, remaining: 0, daily }))).toBe("Nothing left");
    expect(forecastText(forecast({ ...period, remaining: null, daily }))).toBe("No limit");
  });
});
