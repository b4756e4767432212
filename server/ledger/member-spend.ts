// A member's spend this period and what their monthly cap has left: the one copy of each rule, for every
// query that reads or moves the counter (holds, captures, verify, the team report, the pricing state).
// `members.period_spent` counts only in the period it was last written in (`cap_period_start`): after a
// rollover the counter is stale until the member's next hold resets it, and the spend this period is 0.
import type { Sql } from "../db/sql.ts";
import { LedgerNotFoundError } from "./types.ts";

/** SQL: the spend in the period starting at `period` (an SQL expression); `m` prefixes the members columns. */
export function spentInPeriod(period: string, m = ""): string {
  return `(CASE WHEN ${m}cap_period_start = ${period} THEN ${m}period_spent ELSE 0 END)`;
}

export interface MemberFigures {
  /** null: no cap. */
  cap: number | null;
  /** Captured this period. */
  spent: number;
  /** Held for the member's unfinished jobs. */
  held: number;
}

/** What the cap still allows: null without a cap, never below 0. */
export function capRemaining(m: MemberFigures): number | null {
  return m.cap === null ? null : Math.max(0, m.cap - m.spent - m.held);
}

/** A member's figures in `periodStart` (default: their team's current period). */
export async function memberFigures(sql: Sql, memberId: string, periodStart?: string): Promise<MemberFigures> {
  const row = await sql.one<MemberFigures>(
    periodStart === undefined
      ? `SELECT m.monthly_cap AS cap, ${spentInPeriod("t.period_start", "m.")} AS spent, m.held AS held FROM members m JOIN teams t ON t.id = m.team_id WHERE m.id = $1`
      : `SELECT m.monthly_cap AS cap, ${spentInPeriod("$2", "m.")} AS spent, m.held AS held FROM members m WHERE m.id = $1`,
    periodStart === undefined ? [memberId] : [memberId, periodStart],
  );
  if (!row) throw new LedgerNotFoundError(`no member ${memberId}`);
  return row;
}
