import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usageResponseSchema } from "../../core/api/reports.ts";
import type { Db } from "../db/sql.ts";
import { DB_KINDS, openTestDb } from "../test-support/databases.ts";
import { parseCsv, seedCapturedJob, seedEntry, seedJob, seedMember, seedTeam } from "../test-support/seed-rows.ts";
import { csvField, usageCsv, usageReport } from "./usage-report.ts";

const NOV = { from: "2026-11-01T00:00:00.000Z", to: "2026-12-01T00:00:00.000Z" };

describe.each(DB_KINDS)("usage report on %s", (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let teamId: string;
  let ann: string;
  let bo: string;
  let twoDays: string;

  beforeAll(async () => {
    const t = await openTestDb(kind);
    db = t.db;
    cleanup = t.cleanup;
    ({ id: teamId } = await seedTeam(db, { granted: 1000 }));
    ann = await seedMember(db, teamId, { name: "Ann", role: "manager" });
    bo = await seedMember(db, teamId, { name: "Bo, the \"intern\"" });
    const job = { teamId };
    // In November: Ann 10 + 20 on the 2nd, Bo 5 on the 3rd; a job of Bo's captured over two days (2 + 1).
    const j1 = await seedCapturedJob(db, { ...job, memberId: ann, credits: 10, images: 2, createdAt: "2026-11-02T10:00:00.000Z" });
    await seedCapturedJob(db, { ...job, memberId: ann, operationKey: "edit.inpaint", provider: "stability", model: "sd3.5-large", credits: 20, images: 1, createdAt: "2026-11-02T23:59:59.999Z" });
    await seedCapturedJob(db, { ...job, memberId: bo, provider: "huggingface", model: "flux-schnell", credits: 5, images: 4, createdAt: "2026-11-03T00:00:00.000Z" });
    twoDays = await seedCapturedJob(db, { ...job, memberId: bo, operationKey: "upscale.fast", provider: "stability", model: "fast", credits: 2, images: 1, createdAt: "2026-11-04T12:00:00.000Z" });
    await seedEntry(db, { teamId, kind: "capture", amount: 1, memberId: bo, jobId: twoDays, createdAt: "2026-11-05T12:00:00.000Z" });
    // Outside November: the last moment of October, and `to` itself (exclusive).
    await seedCapturedJob(db, { ...job, memberId: bo, credits: 100, createdAt: "2026-10-31T23:59:59.999Z" });
    await seedCapturedJob(db, { ...job, memberId: ann, credits: 200, createdAt: "2026-12-01T00:00:00.000Z" });
    // Entries that move credits but are not spend.
    await seedEntry(db, { teamId, kind: "hold", amount: 10, memberId: ann, jobId: j1, createdAt: "2026-11-02T09:59:00.000Z" });
    await seedEntry(db, { teamId, kind: "release", amount: 3, memberId: ann, jobId: j1, createdAt: "2026-11-02T10:00:00.000Z" });
    await seedEntry(db, { teamId, kind: "adjust", amount: -50, note: "correction", createdAt: "2026-11-06T00:00:00.000Z" });
    await seedEntry(db, { teamId, kind: "grant", amount: 1000, createdAt: "2026-11-01T00:00:00.000Z" });
    const failed = await seedJob(db, { ...job, memberId: bo, createdAt: "2026-11-07T00:00:00.000Z" });
    await seedEntry(db, { teamId, kind: "expire", amount: 9, memberId: bo, jobId: failed, createdAt: "2026-11-07T01:00:00.000Z" });
    // Another team's spend on the same days never shows.
    const other = await seedTeam(db, { name: "Other" });
    const stranger = await seedMember(db, other.id, { name: "Stranger" });
    await seedCapturedJob(db, { teamId: other.id, memberId: stranger, credits: 1000, images: 9, createdAt: "2026-11-02T12:00:00.000Z" });
  });
  afterAll(() => cleanup?.());

  const report = (groupBy: Parameters<typeof usageReport>[1]["groupBy"], extra: { from?: string; to?: string; memberId?: string } = {}) =>
    usageReport(db, { teamId, ...NOV, groupBy, ...extra });

  it("sums captured credits by member, counting each job and its images once", async () => {
    const r = await report(["member"]);
    expect(usageResponseSchema.parse(r)).toEqual(r);
    expect(r).toEqual({
      ...NOV,
      groupBy: ["member"],
      member: null,
      rows: [
        { memberId: ann, memberName: "Ann", credits: 30, jobs: 2, images: 3 },
        { memberId: bo, memberName: 'Bo, the "intern"', credits: 8, jobs: 2, images: 5 },
      ],
      total: { credits: 38, jobs: 4, images: 8 },
    });
  });

  it("groups by the catalog's operation key, biggest spend first", async () => {
    expect((await report(["operation"])).rows).toEqual([
      { operation: "edit.inpaint", credits: 20, jobs: 1, images: 1 },
      { operation: "create", credits: 15, jobs: 2, images: 6 },
      { operation: "upscale.fast", credits: 3, jobs: 1, images: 1 },
    ]);
  });

  it("groups by provider and model together", async () => {
    expect((await report(["provider", "model"])).rows).toEqual([
      { provider: "stability", model: "sd3.5-large", credits: 20, jobs: 1, images: 1 },
      { provider: "local", model: "procedural", credits: 10, jobs: 1, images: 2 },
      { provider: "huggingface", model: "flux-schnell", credits: 5, jobs: 1, images: 4 },
      { provider: "stability", model: "fast", credits: 3, jobs: 1, images: 1 },
    ]);
  });

  it("groups by UTC day in time order; a job captured on two days counts on each, and once in the total", async () => {
    const r = await report(["day"]);
    expect(r.rows).toEqual([
      { day: "2026-11-02", credits: 30, jobs: 2, images: 3 },
      { day: "2026-11-03", credits: 5, jobs: 1, images: 4 },
      { day: "2026-11-04", credits: 2, jobs: 1, images: 1 },
      { day: "2026-11-05", credits: 1, jobs: 1, images: 1 },
    ]);
    expect(r.total).toEqual({ credits: 38, jobs: 4, images: 8 });
  });

  it("groups by member and day, in the order the groups were asked for", async () => {
    const r = await report(["day", "member"]);
    expect(r.groupBy).toEqual(["day", "member"]);
    expect(r.rows.map((x) => [x.day, x.memberName, x.credits])).toEqual([
      ["2026-11-02", "Ann", 30],
      ["2026-11-03", 'Bo, the "intern"', 5],
      ["2026-11-04", 'Bo, the "intern"', 2],
      ["2026-11-05", 'Bo, the "intern"', 1],
    ]);
  });

  it("limits to one member", async () => {
    const r = await report(["operation"], { memberId: bo });
    expect(r.member).toBe(bo);
    expect(r.rows).toEqual([
      { operation: "create", credits: 5, jobs: 1, images: 4 },
      { operation: "upscale.fast", credits: 3, jobs: 1, images: 1 },
    ]);
    expect(r.total).toEqual({ credits: 8, jobs: 2, images: 5 });
  });

  it("includes from and excludes to", async () => {
    const edges = await report(["day"], { from: "2026-10-31T23:59:59.999Z", to: "2026-11-02T23:59:59.999Z" });
    expect(edges.rows).toEqual([
      { day: "2026-10-31", credits: 100, jobs: 1, images: 1 },
      { day: "2026-11-02", credits: 10, jobs: 1, images: 2 },
    ]);
    const december = await report(["member"], { from: "2026-12-01T00:00:00.000Z", to: "2027-01-01T00:00:00.000Z" });
    expect(december.rows).toEqual([{ memberId: ann, memberName: "Ann", credits: 200, jobs: 1, images: 1 }]);
  });

  it("answers an empty range with no rows and zero totals", async () => {
    const r = await report(["member", "day"], { from: "2025-01-01T00:00:00.000Z", to: "2025-02-01T00:00:00.000Z" });
    expect(r.rows).toEqual([]);
    expect(r.total).toEqual({ credits: 0, jobs: 0, images: 0 });
  });

  it("agrees with itself: the rows of any single grouping add up to the total", async () => {
    for (const groupBy of [["member"], ["operation"], ["provider", "model"], ["member", "operation", "provider", "model"]] as const) {
      const r = await report(groupBy);
      expect(r.rows.reduce((n, x) => n + x.credits, 0)).toBe(r.total.credits);
      expect(r.rows.reduce((n, x) => n + x.jobs, 0)).toBe(r.total.jobs);
      expect(r.rows.reduce((n, x) => n + x.images, 0)).toBe(r.total.images);
    }
  });

  it("exports CSV that reads back to the same numbers", async () => {
    const r = await report(["member", "operation"]);
    const rows = parseCsv(usageCsv(r));
    expect(rows[0]).toEqual(["member_id", "member_name", "operation", "credits", "jobs", "images"]);
    expect(rows.slice(1)).toEqual(r.rows.map((x) => [x.memberId, x.memberName, x.operation, String(x.credits), String(x.jobs), String(x.images)]));
  });
});

describe("CSV fields", () => {
  it.each([
    ["plain", "plain"],
    ["a, b", '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    [" padded", '" padded"'],
    [null, ""],
    [42, "42"],
    [-3, "-3"],
    ["=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""],
    ["@SUM(A1)", "'@SUM(A1)"],
  ])("writes %j as %s", (value, text) => {
    expect(csvField(value)).toBe(text);
  });

  it("ends every line with CRLF and has a header even without rows", () => {
    expect(usageCsv({ groupBy: ["day"], rows: [] })).toBe("day,credits,jobs,images\r\n");
    expect(usageCsv({ groupBy: ["provider"], rows: [{ provider: null, credits: 1, jobs: 1, images: 0 }] })).toBe("provider,credits,jobs,images\r\n,1,1,0\r\n");
  });
});
