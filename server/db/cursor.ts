// Keyset paging, for every paged route (GET /v1/assets, GET /v1/ledger): a page is the `limit` rows after
// a cursor in the list's order, and the cursor is the last row's key, base64url-wrapped so clients treat it
// as opaque. A page reads one row more than it returns to tell whether another follows.

/** A cursor this proxy did not give out (or mangled on the way); http/ answers 400 naming `cursor`. */
export class InvalidCursorError extends Error {
  override name = "InvalidCursorError";
  constructor() {
    super("The cursor is not one this proxy gave out; start again without it");
  }
}

/** The cursor of a row: its key's fields, joined by "|". */
export function encodeCursor(...key: readonly (string | number)[]): string {
  return Buffer.from(key.join("|"), "utf8").toString("base64url");
}

/** The key a cursor wraps, as the groups of `shape` (a pattern of the whole key); InvalidCursorError otherwise. */
export function decodeCursor(cursor: string, shape: RegExp): string[] {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const key = shape.exec(text);
  if (!key) throw new InvalidCursorError();
  return key.slice(1);
}

/** The page size: `limit` within 1..max, `fallback` when absent. */
export function pageLimit(limit: number | undefined, fallback: number, max: number): number {
  return Math.min(Math.max(Math.trunc(limit ?? fallback), 1), max);
}

/** The page of `rows` read with LIMIT limit + 1: its first `limit` rows and the next page's cursor (null on the last). */
export function pageOf<R>(rows: readonly R[], limit: number, cursorOf: (last: R) => string): { rows: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
