// When credits run out at this period's pace (docs/api.md "GET /v1/team/forecast"): pure, no clock of its
// own. The pace is the period's spend so far over the days elapsed (at least one, so the first hours of a
// period do not extrapolate a single job into a month); what is left divided by that pace says when it runs
// out, unless that is after the period ends (it will not run out this period) or nothing is being spent.
// Also the badge's warning: which thresholds a job of `credits` would cross.

const DAY_MS = 86_400_000;

export interface DailySpend {
  /** YYYY-MM-DD (UTC). */
  day: string;
  credits: number;
}

export interface ForecastInput {
  periodStart: string;
  periodEnd: string;
  /** The moment the forecast is for (the server's clock, or a test's). */
  now: string;
  /** What is left (available credits, a budget's remainder); null = no limit (enterprise, no budget). */
  remaining: number | null;
  /** Spend per day of this period (days without spend may be absent). */
  daily: readonly DailySpend[];
}

export interface Forecast {
  remaining: number | null;
  spentThisPeriod: number;
  /** Credits per day at this period's pace, to one decimal. */
  pacePerDay: number;
  /** When it runs out at this pace; null when it will not this period (or has no limit, or nothing is spent). */
  runsOutAt: string | null;
  /** "now": nothing is left; "this_period": runs out at runsOutAt; "not_this_period"; "no_limit". */
  outlook: "now" | "this_period" | "not_this_period" | "no_limit";
}

export function forecast(input: ForecastInput): Forecast {
  const start = Date.parse(input.periodStart);
  const end = Date.parse(input.periodEnd);
  const now = Math.min(Math.max(Date.parse(input.now), start), end);
  const startDay = input.periodStart.slice(0, 10);
  const spent = input.daily.filter((d) => d.day >= startDay && Date.parse(`${d.day}T00:00:00.000Z`) <= now).reduce((n, d) => n + d.credits, 0);
  const elapsedDays = Math.max(1, (now - start) / DAY_MS);
  const pace = spent / elapsedDays;
  const base = { remaining: input.remaining, spentThisPeriod: spent, pacePerDay: Math.round(pace * 10) / 10 };
  if (input.remaining === null) return { ...base, runsOutAt: null, outlook: "no_limit" };
  if (input.remaining <= 0) return { ...base, runsOutAt: new Date(now).toISOString(), outlook: "now" };
  if (pace <= 0) return { ...base, runsOutAt: null, outlook: "not_this_period" };
  const at = now + (input.remaining / pace) * DAY_MS;
  if (at >= end) return { ...base, runsOutAt: null, outlook: "not_this_period" };
  return { ...base, runsOutAt: new Date(at).toISOString(), outlook: "this_period" };
}

export interface ThresholdStatus {
  /** What the threshold is of: "the team's allocation", "Project X", "your cap". */
  label: string;
  percent: number;
  /** Used so far (spent + held) and the base it is a percent of. */
  used: number;
  base: number;
}

/** The thresholds a job of `credits` would cross (not yet crossed, crossed with it), for the badge. */
export function thresholdsCrossedBy<T extends ThresholdStatus>(credits: number, statuses: readonly T[]): T[] {
  if (credits <= 0) return [];
  return statuses.filter((s) => s.base > 0 && s.used * 100 < s.percent * s.base && (s.used + credits) * 100 >= s.percent * s.base);
}
