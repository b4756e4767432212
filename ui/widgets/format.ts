// Numbers and dates as the panel writes them: "1,234 cr", "3 jobs", "1 Dec 2026", "in 12 days".

export function creditsShort(n: number): string {
  return `${n.toLocaleString("en-US")} cr`;
}

export function countText(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "1 Dec 2026", in UTC like the billing period itself. */
export function dateText(iso: string): string {
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return iso;
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "in 12 days", "in 1 day", "today" (under a day left), "ended". */
export function timeLeftText(endIso: string, now: number): string {
  const ms = Date.parse(endIso) - now;
  if (!Number.isFinite(ms)) return "";
  if (ms <= 0) return "ended";
  const days = Math.floor(ms / 86_400_000);
  return days === 0 ? "today" : `in ${countText(days, "day")}`;
}
