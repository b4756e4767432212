// A team's ledger entries, newest first, a page at a time (db/cursor.ts). The cursor is the last entry's
// seq, wrapped so clients treat it as opaque: seq orders entries inside one database and is never shown as such.
import { LEDGER_PAGE_DEFAULT, LEDGER_PAGE_MAX, type LedgerEntry, type LedgerPage } from "../../core/api/reports.ts";
import { decodeCursor, encodeCursor, InvalidCursorError, pageLimit, pageOf } from "../db/cursor.ts";
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

/** The entry seq a cursor of this list wraps. */
function seqAfter(cursor: string): number {
  const seq = Number(decodeCursor(cursor, /^([1-9]\d{0,15})$/)[0]);
  if (!Number.isSafeInteger(seq)) throw new InvalidCursorError();
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
  const limit = pageLimit(input.limit, LEDGER_PAGE_DEFAULT, LEDGER_PAGE_MAX);
  const params: SqlValue[] = [input.teamId];
  const where = ["e.team_id = $1"];
  const add = (clause: string, value: SqlValue) => {
    params.push(value);
    where.push(clause.replace("?", `$${params.length}`));
  };
  if (input.cursor) add("e.seq < ?", seqAfter(input.cursor));
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
  const page = pageOf(rows, limit, (last) => encodeCursor(Number(last.seq)));
  return { entries: page.rows.map(toEntry), nextCursor: page.nextCursor };
}
