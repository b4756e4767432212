// What the managers' controls say in words: an alert in the banner, a forecast line, a threshold.
import type { Alert, ForecastResponse } from "../../core/api/managers.ts";
import { dateText } from "../widgets/format.ts";

type Forecast = ForecastResponse["balance"];

const subject = (scope: Alert["scope"], name: string) =>
  scope === "team" ? "the team's allocation" : scope === "project" ? `project ${name}'s budget` : `${name}'s monthly cap`;

/** "80 % of project Launch's budget used (80 of 100 credits)". */
export function alertText(a: Pick<Alert, "scope" | "targetName" | "percent" | "used" | "base">): string {
  return `${a.percent} % of ${subject(a.scope, a.targetName)} used (${a.used} of ${a.base} credits)`;
}

/** When it runs out at this period's pace, or that it will not. */
export function forecastText(f: Forecast): string {
  const pace = `${f.pacePerDay} credits a day`;
  switch (f.outlook) {
    case "no_limit":
      return "No limit";
    case "now":
      return "Nothing left";
    case "this_period":
      return `Runs out around ${dateText(f.runsOutAt ?? "")} at ${pace}`;
    case "not_this_period":
      return f.pacePerDay > 0 ? `Lasts this period at ${pace}` : "Nothing spent yet this period";
  }
}

/** "this job crosses 80 % of Project X" for each threshold the job would cross (badge warning). */
export function crossingText(label: string, percent: number): string {
  return `This job crosses ${percent} % of ${label}`;
}
