// The bars of a spend chart (widgets/bar-chart.tsx): each group's credits as a whole-percent share of the
// total (the shares add up to 100) and as a length relative to the largest bar.
import { creditsShort } from "./format.ts";

/** A bar with any spend stays visible, however small beside the largest. */
export const MIN_BAR_WIDTH = 2;

export interface Bar {
  /** The group's value (member id, operation key, provider id); "" for none, "others" for the summed rest. */
  key: string;
  label: string;
  credits: number;
  jobs: number;
  images: number;
  /** Whole percent of the chart's total; the bars' shares add up to 100 (largest remainders). */
  share: number;
  /** Percent of the largest bar's credits, for the bar's length. */
  width: number;
}

/**
 * Whole percents of `values` that add up to exactly 100 (when any is above 0): each gets its floor, then the
 * largest remainders get one more, ties to the earlier value.
 */
export function shares(values: readonly number[]): number[] {
  const total = values.reduce((a, b) => a + b, 0);
  if (total <= 0) return values.map(() => 0);
  const exact = values.map((v) => (v / total) * 100);
  const out = exact.map(Math.floor);
  let left = 100 - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, rest: e - Math.floor(e) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i]! += 1;
    left -= 1;
  }
  return out;
}

/** Percent of `largest`, at least MIN_BAR_WIDTH for any spend at all, one decimal. */
export function barWidth(credits: number, largest: number): number {
  if (credits <= 0 || largest <= 0) return 0;
  return Math.max(MIN_BAR_WIDTH, Math.round((credits / largest) * 1000) / 10);
}

/** "120 cr · 62%": the figure each bar shows as text ("<1%" for a share that rounds to nothing). */
export function barText(bar: Pick<Bar, "credits" | "share">): string {
  return `${creditsShort(bar.credits)} · ${bar.share === 0 && bar.credits > 0 ? "<1" : bar.share}%`;
}
