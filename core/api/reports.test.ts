import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { issuesToFields } from "./errors.ts";
import {
  LEDGER_PAGE_MAX,
  MONTHLY_CAP_MAX,
  ledgerPageSchema,
  ledgerQuerySchema,
  memberCreateSchema,
  memberPatchSchema,
  memberTokenResponseSchema,
  parseInstant,
  teamResponseSchema,
  usageQuerySchema,
  usageResponseSchema,
} from "./reports.ts";

function fieldsOf(schema: z.ZodType, value: unknown): Record<string, string> {
  const r = schema.safeParse(value);
  return r.success ? {} : issuesToFields(r.error.issues);
}

describe("parseInstant", () => {
  it.each([
    ["2026-11-01", "2026-11-01T00:00:00.000Z"],
    ["2026-11-01T09:30:00Z", "2026-11-01T09:30:00.000Z"],
    ["2026-11-01T09:30Z", "2026-11-01T09:30:00.000Z"],
    ["2026-11-01T09:30:00.123456Z", "2026-11-01T09:30:00.123Z"],
    ["2026-11-01T01:00:00+02:00", "2026-10-31T23:00:00.000Z"],
    ["2026-11-01T01:00:00-0130", "2026-11-01T02:30:00.000Z"],
    ["2024-02-29", "2024-02-29T00:00:00.000Z"],
  ])("reads %s as %s", (text, iso) => {
    expect(parseInstant(text)).toBe(iso);
  });

  it.each(["2026-02-30", "2026-02-29", "2026-13-01", "2026-11-01T24:00:00Z", "2026-11-01T10:00:00", "yesterday", "", "1793527200000", "9999-12-31T23:00:00-05:00"])(
    "refuses %j",
    (text) => {
      expect(parseInstant(text)).toBeNull();
    },
  );
});

describe("usage query", () => {
  it("defaults to spend by member over the current period, as JSON", () => {
    expect(usageQuerySchema.parse({})).toEqual({ groupBy: ["member"], format: "json" });
  });

  it("reads several comma-separated groups in the order given, once each", () => {
    expect(usageQuerySchema.parse({ groupBy: "day, provider,model,day" }).groupBy).toEqual(["day", "provider", "model"]);
  });

  it("normalises from and to to the database's ISO text", () => {
    expect(usageQuerySchema.parse({ from: "2026-11-01", to: "2026-11-02T12:00:00+01:00", format: "csv", member: "mem_x" })).toEqual({
      groupBy: ["member"],
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-11-02T11:00:00.000Z",
      member: "mem_x",
      format: "csv",
    });
  });

  it.each([
    ["an unknown group", { groupBy: "member,colour" }, "groupBy"],
    ["an empty group list", { groupBy: " , " }, "groupBy"],
    ["a date that does not exist", { from: "2026-02-30" }, "from"],
    ["a time without a zone", { to: "2026-11-01T10:00:00" }, "to"],
    ["to before from", { from: "2026-11-02", to: "2026-11-01" }, "to"],
    ["to equal to from", { from: "2026-11-01", to: "2026-11-01T00:00:00Z" }, "to"],
    ["an unknown format", { format: "xlsx" }, "format"],
    ["an unknown parameter", { groupby: "day" }, "(body)"],
    ["an empty member", { member: "" }, "member"],
  ])("refuses %s and names the field", (_, query, field) => {
    expect(Object.keys(fieldsOf(usageQuerySchema, query))).toEqual([field]);
  });

  it("describes a response with key fields and totals", () => {
    const body = {
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-12-01T00:00:00.000Z",
      groupBy: ["member", "day"],
      member: null,
      rows: [{ memberId: "mem_a", memberName: "Ann", day: "2026-11-03", credits: 12, jobs: 2, images: 5 }],
      total: { credits: 12, jobs: 2, images: 5 },
    };
    expect(usageResponseSchema.parse(body)).toEqual(body);
    expect(usageResponseSchema.safeParse({ ...body, total: { credits: -1, jobs: 0, images: 0 } }).success).toBe(false);
  });
});

describe("ledger query and page", () => {
  it("pages by 50 unless told otherwise", () => {
    expect(ledgerQuerySchema.parse({})).toEqual({ limit: 50 });
    expect(ledgerQuerySchema.parse({ limit: "200", cursor: "MTIz", job: "job_a" })).toEqual({ limit: 200, cursor: "MTIz", job: "job_a" });
  });

  it.each([
    ["limit 0", { limit: "0" }, "limit"],
    [`limit ${LEDGER_PAGE_MAX + 1}`, { limit: String(LEDGER_PAGE_MAX + 1) }, "limit"],
    ["a fractional limit", { limit: "1.5" }, "limit"],
    ["a cursor with padding", { cursor: "MTIz=" }, "cursor"],
    ["an unknown parameter", { page: "2" }, "(body)"],
  ])("refuses %s", (_, query, field) => {
    expect(Object.keys(fieldsOf(ledgerQuerySchema, query))).toEqual([field]);
  });

  it("describes entries with an optional member name and a nullable cursor", () => {
    const page = {
      entries: [
        { id: "ent_1", kind: "adjust", amount: -5, memberId: null, jobId: null, note: "refund", availableAfter: 95, createdAt: "2026-11-01T00:00:00.000Z" },
        { id: "ent_2", kind: "capture", amount: 5, memberId: "mem_a", memberName: "Ann", jobId: "job_a", note: null, availableAfter: 90, createdAt: "2026-11-01T00:00:01.000Z" },
      ],
      nextCursor: null,
    };
    expect(ledgerPageSchema.parse(page)).toEqual(page);
    expect(ledgerPageSchema.safeParse({ ...page, entries: [{ ...page.entries[0], kind: "refund" }] }).success).toBe(false);
  });
});

describe("team administration bodies", () => {
  it("creates a member with the member role and no cap by default, trimming the name", () => {
    expect(memberCreateSchema.parse({ name: "  Ann  " })).toEqual({ name: "Ann", role: "member" });
    expect(memberCreateSchema.parse({ name: "Bo", role: "manager", monthlyCap: 0 })).toEqual({ name: "Bo", role: "manager", monthlyCap: 0 });
    expect(memberCreateSchema.parse({ name: "Cy", monthlyCap: null })).toEqual({ name: "Cy", role: "member", monthlyCap: null });
  });

  it.each([
    ["a blank name", { name: "   " }, "name"],
    ["a name over 200 characters", { name: "x".repeat(201) }, "name"],
    ["an unknown role", { name: "A", role: "owner" }, "role"],
    ["a negative cap", { name: "A", monthlyCap: -1 }, "monthlyCap"],
    ["a fractional cap", { name: "A", monthlyCap: 1.5 }, "monthlyCap"],
    ["a cap over the database's integer", { name: "A", monthlyCap: MONTHLY_CAP_MAX + 1 }, "monthlyCap"],
    ["an unknown field", { name: "A", email: "a@b.c" }, "(body)"],
  ])("refuses to create with %s", (_, body, field) => {
    expect(Object.keys(fieldsOf(memberCreateSchema, body))).toEqual([field]);
  });

  it("patches any one of cap, role and disabled, and a cap back to none", () => {
    expect(memberPatchSchema.parse({ monthlyCap: null })).toEqual({ monthlyCap: null });
    expect(memberPatchSchema.parse({ role: "manager", disabled: false })).toEqual({ role: "manager", disabled: false });
  });

  it.each([
    ["an empty patch", {}, "(body)"],
    ["a misspelt field", { monthly_cap: 5 }, "(body)"],
    ["the name, which is not patchable", { name: "B", disabled: true }, "(body)"],
    ["disabled as a string", { disabled: "true" }, "disabled"],
  ])("refuses %s", (_, body, field) => {
    expect(Object.keys(fieldsOf(memberPatchSchema, body))).toEqual([field]);
  });
});

describe("team responses", () => {
  const member = { id: "mem_a", name: "Ann", role: "member", monthlyCap: 100, disabled: false, spent: 30, held: 10, capRemaining: 60 };

  it("describes the team, its balance and period, and members with spend and caps", () => {
    const body = {
      team: { id: "team_a", name: "Acme", tier: "pro" },
      balance: { available: null, held: 10, granted: 0, spent: 30, periodStartsAt: "2026-11-01T00:00:00.000Z", periodEndsAt: "2026-12-01T00:00:00.000Z" },
      members: [member],
    };
    expect(teamResponseSchema.parse(body)).toEqual(body);
    expect(teamResponseSchema.safeParse({ ...body, balance: { ...body.balance, periodStartsAt: undefined } }).success).toBe(false);
  });

  it("carries a member's token once it is created or rotated", () => {
    expect(memberTokenResponseSchema.parse({ member, token: "isk_abc" })).toEqual({ member, token: "isk_abc" });
    expect(memberTokenResponseSchema.safeParse({ member }).success).toBe(false);
  });
});
