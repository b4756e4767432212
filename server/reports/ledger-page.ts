// A team's ledger entries, newest first, a page at a time. The cursor is the last entry's seq, wrapped so
// clients treat it as opaque: seq orders entries inside one database and is never shown as such.
import { LEDGER_PAGE_DEFAULT, LEDGER_PAGE_MAX, type LedgerEntry, type LedgerPage } from "../../core/api/reports.ts";
import type { Sql, SqlValue } from "../db/sql.ts";

export interface LedgerPageInput {
  teamId: string;
  /** A `nextCursor` from an earlier page. */
  cursor?: string | null;
  /** 1..200; default 50. */
  limit?: number;
  jobId?: string | null;
  memberId?: string | null;
}

/** A cursor this proxy did not give out (or mangled on the way). */
export class InvalidCursorError extends Error {
  override name = "InvalidCursorError";
}

export function encodeCursor(seq: number): string {
  return Buffer.from(String(seq), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const seq = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(seq)) throw new InvalidCursorError("The cursor is not one this proxy gave out; start again without it");
  return seq;
}

interface EntryRow {
  seq: number | string;
  id: string;
  kind: LedgerEntry["kind"];
  amount: number | string;
  member_id: string | null;
  member_name: string | null;
  job_id: string | null;
  note: string | null;
  available_after: number | string;
  created_at: string;
}

function toEntry(r: EntryRow): LedgerEntry {
  return {
    id: r.id,
    kind: r.kind,
    amount: Number(r.amount),
    memberId: r.member_id,
    ...(r.member_id !== null && r.member_name !== null ? { memberName: r.member_name } : {}),
    jobId: r.job_id,
    note: r.note,
    availableAfter: Number(r.available_after),
    createdAt: r.created_at,
  };
}

export async function ledgerPage(db: Sql, input: LedgerPageInput): Promise<LedgerPage> {
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? LEDGER_PAGE_DEFAULT), 1), LEDGER_PAGE_MAX);
  const params: SqlValue[] = [input.teamId];
  const where = ["e.team_id = $1"];
  const add = (clause: string, value: SqlValue) => {
    params.push(value);
    where.push(clause.replace("?", `$${params.length}`));
  };
  if (input.cursor) add("e.seq < ?", decodeCursor(input.cursor));
  if (input.jobId) add("e.job_id = ?", input.jobId);
  if (input.memberId) add("e.member_id = ?", input.memberId);
  params.push(limit + 1); // one more than asked tells whether another page follows
  const rows = await db.all<EntryRow>(
    `SELECT e.seq, e.id, e.kind, e.amount, e.member_id, m.name AS member_name, e.job_id, e.note, e.available_after, e.created_at
     FROM entries e LEFT JOIN members m ON m.id = e.member_id
     WHERE ${where.join(" AND ")}
     ORDER BY e.seq DESC
     LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { entries: page.map(toEntry), nextCursor: rows.length > limit && last ? encodeCursor(Number(last.seq)) : null };
}
