// Billing periods are calendar months in UTC from the team's start. Pure date arithmetic on ISO text, so
// every process computes the same next period from the same row.

/** `iso` plus `months` calendar months; the day is clamped to the target month's length (Jan 31 → Feb 28). */
export function addMonths(iso: string, months: number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not an ISO time: ${iso}`);
  const day = d.getUTCDate();
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, last));
  return target.toISOString();
}

/** The period that contains `now`, stepping whole months from a period that ended at `end`. */
export function periodContaining(end: string, now: string): { start: string; end: string } {
  let start = end;
  let next = addMonths(start, 1);
  while (next <= now) {
    start = next;
    next = addMonths(start, 1);
  }
  return { start, end: next };
}

/** Share of the period still ahead at `now`, 0..1. */
export function periodFractionLeft(period: { start: string; end: string }, now: string): number {
  const start = Date.parse(period.start);
  const end = Date.parse(period.end);
  const at = Date.parse(now);
  if (!(end > start)) return 0;
  return Math.min(1, Math.max(0, (end - at) / (end - start)));
}
