import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerPageSchema, type LedgerEntry } from "../../core/api/reports.ts";
import type { Db } from "../db/sql.ts";
import { DB_KINDS, openTestDb } from "../test-support/databases.ts";
import { encodeCursor, InvalidCursorError } from "../db/cursor.ts";
import { ledgerPage } from "./ledger-page.ts";
import { seedEntry, seedJob, seedMember, seedTeam } from "../test-support/seed-rows.ts";

describe.each(DB_KINDS)("ledger page on %s", (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let teamId: string;
  let ann: string;
  let jobId: string;
  /** Entry ids in the order they were written. */
  const written: string[] = [];

  beforeAll(async () => {
    const t = await openTestDb(kind);
    db = t.db;
    cleanup = t.cleanup;
    ({ id: teamId } = await seedTeam(db, { granted: 100 }));
    ann = await seedMember(db, teamId, { name: "Ann" });
    jobId = await seedJob(db, { teamId, memberId: ann });
    written.push(await seedEntry(db, { teamId, kind: "grant", amount: 100, availableAfter: 100, note: "pro monthly allocation" }));
    written.push(await seedEntry(db, { teamId, kind: "hold", amount: 12, memberId: ann, jobId, availableAfter: 88 }));
    written.push(await seedEntry(db, { teamId, kind: "capture", amount: 9, memberId: ann, jobId, availableAfter: 88 }));
    written.push(await seedEntry(db, { teamId, kind: "release", amount: 3, memberId: ann, jobId, availableAfter: 91 }));
    written.push(await seedEntry(db, { teamId, kind: "adjust", amount: -1, availableAfter: 90, note: "rounding fix" }));
    // Same created_at for all but one: order comes from seq, not from the clock.
    for (let i = 0; i < 7; i++) written.push(await seedEntry(db, { teamId, kind: "grant", amount: i + 1, availableAfter: 91 + i, createdAt: "2026-11-03T00:00:00.000Z" }));
    const other = await seedTeam(db);
    await seedEntry(db, { teamId: other.id, kind: "grant", amount: 5 });
  });
  afterAll(() => cleanup?.());

  it("lists the team's entries newest first, with member names and notes", async () => {
    const page = await ledgerPage(db, { teamId });
    expect(ledgerPageSchema.parse(page)).toEqual(page);
    expect(page.nextCursor).toBeNull();
    expect(page.entries.map((e) => e.id)).toEqual([...written].reverse());
    const oldest = page.entries.slice(-5);
    expect(oldest).toEqual<LedgerEntry[]>([
      { id: written[4]!, kind: "adjust", amount: -1, memberId: null, jobId: null, note: "rounding fix", availableAfter: 90, createdAt: "2026-11-02T00:00:00.000Z" },
      { id: written[3]!, kind: "release", amount: 3, memberId: ann, memberName: "Ann", jobId, note: null, availableAfter: 91, createdAt: "2026-11-02T00:00:00.000Z" },
      { id: written[2]!, kind: "capture", amount: 9, memberId: ann, memberName: "Ann", jobId, note: null, availableAfter: 88, createdAt: "2026-11-02T00:00:00.000Z" },
      { id: written[1]!, kind: "hold", amount: 12, memberId: ann, memberName: "Ann", jobId, note: null, availableAfter: 88, createdAt: "2026-11-02T00:00:00.000Z" },
      { id: written[0]!, kind: "grant", amount: 100, memberId: null, jobId: null, note: "pro monthly allocation", availableAfter: 100, createdAt: "2026-11-02T00:00:00.000Z" },
    ]);
  });

  it("pages with the cursor until every entry was seen exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await ledgerPage(db, { teamId, limit: 5, cursor });
      expect(page.entries.length).toBeLessThanOrEqual(5);
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...written].reverse());
  });

  it("gives no cursor when the page ends exactly at the last entry", async () => {
    const page = await ledgerPage(db, { teamId, limit: written.length });
    expect(page.entries).toHaveLength(written.length);
    expect(page.nextCursor).toBeNull();
  });

  it("filters by job and by member", async () => {
    expect((await ledgerPage(db, { teamId, jobId })).entries.map((e) => e.kind)).toEqual(["release", "capture", "hold"]);
    expect((await ledgerPage(db, { teamId, memberId: ann })).entries).toHaveLength(3);
  });

  it("never shows another team's entries, even for that team's job id", async () => {
    const other = await seedTeam(db);
    const stranger = await seedMember(db, other.id);
    const theirJob = await seedJob(db, { teamId: other.id, memberId: stranger });
    await seedEntry(db, { teamId: other.id, kind: "hold", amount: 1, memberId: stranger, jobId: theirJob });
    expect((await ledgerPage(db, { teamId, jobId: theirJob })).entries).toEqual([]);
  });

  it("refuses a cursor it did not give out", async () => {
    for (const bad of ["abc", "MA", encodeCursor(0), "!!", encodeCursor("12x"), encodeCursor("99999999999999999"), encodeCursor("9999999999999999")])
      await expect(ledgerPage(db, { teamId, cursor: bad })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
