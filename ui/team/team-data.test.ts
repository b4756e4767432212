import { describe, expect, it } from "vitest";
import { MONTHLY_CAP_MAX, type UsageRow } from "../../core/api/reports.ts";
import { capUse, csvFallbackName, csvSummary, groupUsage, insightFigure, MAX_BARS, operationLabel, parseCapInput, parseCsv, providerLabel, sortMembers } from "./team-data.ts";

const labels = { providers: [{ id: "local", name: "Local (offline)" }, { id: "stability", name: "Stability AI" }] };

/** A row of /v1/usage?groupBy=member,operation,provider. */
const row = (memberId: string | null, memberName: string | null, operation: string | null, provider: string | null, credits: number, jobs = 1, images = 1): UsageRow => ({
  memberId,
  memberName,
  operation,
  provider,
  credits,
  jobs,
  images,
});

const rows = [
  row("mem_a", "Ada", "create", "local", 40, 2, 4),
  row("mem_a", "Ada", "upscale.fast", "local", 10, 1, 1),
  row("mem_b", "Bob", "create", "stability", 30, 1, 2),
  row("mem_b", "Bob", "edit.remove-background", "local", 20, 2, 2),
];

describe("groupUsage", () => {
  it("sums the rows per member, largest spend first, with jobs and images", () => {
    expect(groupUsage(rows, "member", labels)).toEqual([
      { key: "mem_a", label: "Ada", credits: 50, jobs: 3, images: 5, share: 50, width: 100 },
      { key: "mem_b", label: "Bob", credits: 50, jobs: 3, images: 4, share: 50, width: 100 },
    ]);
  });

  it("labels operations and providers in the panel's words", () => {
    expect(groupUsage(rows, "operation", labels).map((b) => [b.label, b.credits, b.share, b.width])).toEqual([
      ["Create", 70, 70, 100],
      ["Edit · Remove background", 20, 20, 28.6],
      ["Upscale · Fast", 10, 10, 14.3],
    ]);
    expect(groupUsage(rows, "provider", labels).map((b) => [b.key, b.label, b.credits])).toEqual([
      ["local", "Local (offline)", 70],
      ["stability", "Stability AI", 30],
    ]);
  });

  it("keeps rows without a value as their own bar", () => {
    const bars = groupUsage([row(null, null, null, null, 5), row("mem_a", "Ada", "create", "gone", 5)], "provider", labels);
    expect(bars.map((b) => [b.key, b.label])).toEqual([
      ["gone", "gone"],
      ["", "Unknown provider"],
    ]);
    expect(groupUsage([row(null, null, null, null, 5)], "member", labels)[0]!.label).toBe("No member");
  });

  it(`sums everything past ${MAX_BARS - 1} bars into one "others" bar`, () => {
    const many = Array.from({ length: 9 }, (_, i) => row(`mem_${i}`, `M${i}`, "create", "local", 90 - i * 10));
    const bars = groupUsage(many, "member", labels);
    expect(bars).toHaveLength(MAX_BARS);
    expect(bars.at(-1)).toMatchObject({ key: "others", label: "4 others", credits: 40 + 30 + 20 + 10, jobs: 4 });
    expect(bars.reduce((a, b) => a + b.credits, 0)).toBe(many.reduce((a, r) => a + r.credits, 0));
    expect(bars.reduce((a, b) => a + b.share, 0)).toBe(100);
  });

  it("gives no bars for no rows, and zero-width bars for zero spend", () => {
    expect(groupUsage([], "member", labels)).toEqual([]);
    expect(groupUsage([row("mem_a", "Ada", "create", "local", 0, 3, 3)], "member", labels)).toEqual([
      { key: "mem_a", label: "Ada", credits: 0, jobs: 3, images: 3, share: 0, width: 0 },
    ]);
  });
});

describe("labels", () => {
  it("names operations by the catalog's keys", () => {
    expect(operationLabel("create")).toBe("Create");
    expect(operationLabel("edit.search-recolor")).toBe("Edit · Search & recolor");
    expect(operationLabel("upscale.creative")).toBe("Upscale · Creative");
    expect(operationLabel("social")).toBe("Social");
    expect(operationLabel("edit.something-new")).toBe("Edit · something-new");
    expect(operationLabel(null)).toBe("Unknown operation");
  });

  it("names providers from the catalog, else by id", () => {
    expect(providerLabel("stability", labels.providers)).toBe("Stability AI");
    expect(providerLabel("other", labels.providers)).toBe("other");
    expect(providerLabel(undefined, labels.providers)).toBe("Unknown provider");
  });
});

describe("members and caps", () => {
  it("says what a cap leaves, counting held credits", () => {
    expect(capUse({ spent: 40, held: 0, monthlyCap: 100, capRemaining: 60 })).toEqual({ used: 40, text: "40 of 100 cr · 60 left" });
    expect(capUse({ spent: 40, held: 10, monthlyCap: 100, capRemaining: 50 })).toEqual({ used: 50, text: "40 of 100 cr (+10 held) · 50 left" });
    expect(capUse({ spent: 120, held: 0, monthlyCap: 100, capRemaining: 0 })).toEqual({ used: 100, text: "120 of 100 cr · 0 left" });
    expect(capUse({ spent: 0, held: 0, monthlyCap: 0, capRemaining: 0 }).used).toBe(100);
    expect(capUse({ spent: 1500, held: 0, monthlyCap: null, capRemaining: null })).toEqual({ used: null, text: "1,500 cr · no cap" });
  });

  it("lists active managers first, then by name, disabled members last", () => {
    const m = (name: string, role: "member" | "manager", disabled = false) => ({ name, role, disabled });
    expect(sortMembers([m("Zed", "member"), m("Cy", "member", true), m("Bea", "manager"), m("Al", "member")]).map((x) => x.name)).toEqual(["Bea", "Al", "Zed", "Cy"]);
  });

  it("reads a typed cap: empty is no cap, separators are allowed, anything else is an error", () => {
    expect(parseCapInput("")).toEqual({ ok: true, value: null });
    expect(parseCapInput("  ")).toEqual({ ok: true, value: null });
    expect(parseCapInput("500")).toEqual({ ok: true, value: 500 });
    expect(parseCapInput("0")).toEqual({ ok: true, value: 0 });
    expect(parseCapInput("1,000")).toEqual({ ok: true, value: 1000 });
    expect(parseCapInput("2 500")).toEqual({ ok: true, value: 2500 });
    for (const bad of ["-5", "1.5", "abc", "5e3", ",5"]) expect(parseCapInput(bad)).toMatchObject({ ok: false, error: expect.stringMatching(/whole number/) });
    expect(parseCapInput(String(MONTHLY_CAP_MAX))).toEqual({ ok: true, value: MONTHLY_CAP_MAX });
    expect(parseCapInput(String(MONTHLY_CAP_MAX + 1))).toMatchObject({ ok: false, error: expect.stringMatching(/at most/) });
    expect(parseCapInput("99999999999999999999")).toMatchObject({ ok: false });
  });
});

describe("CSV", () => {
  it("names the file after the range when the proxy's name cannot be read", () => {
    expect(csvFallbackName("2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z")).toBe("usage-2026-11-01-2026-12-01.csv");
    expect(csvFallbackName("2026-11-01T09:30:00.000Z", "2026-12-01T00:00:00.000Z")).toBe("usage-2026-11-01T093000Z-2026-12-01.csv");
  });

  it("reads RFC 4180 records: quotes, doubled quotes, commas and line breaks inside fields, CRLF", () => {
    const text = 'day,member_name,credits\r\n2026-11-02,"Smith, Ada",12\r\n2026-11-03,"He said ""hi""\r\nthen left",3\r\n2026-11-04,,0\r\n';
    expect(parseCsv(text)).toEqual([
      ["day", "member_name", "credits"],
      ["2026-11-02", "Smith, Ada", "12"],
      ["2026-11-03", 'He said "hi"\r\nthen left', "3"],
      ["2026-11-04", "", "0"],
    ]);
    expect(csvSummary(text)).toEqual({ columns: ["day", "member_name", "credits"], rows: 3 });
  });

  it("reads LF line ends and a last record without one; an empty export has no rows", () => {
    expect(parseCsv("a,b\n1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(csvSummary("day,credits,jobs,images\r\n")).toEqual({ columns: ["day", "credits", "jobs", "images"], rows: 0 });
    expect(csvSummary("")).toEqual({ columns: [], rows: 0 });
  });
});

describe("insightFigure", () => {
  it("says what the advice would have saved and how often it came up", () => {
    expect(insightFigure({ savedCredits: 1200, occurrences: 3 })).toBe("Saves 1,200 cr · 3 jobs");
    expect(insightFigure({ savedCredits: 2, occurrences: 1 })).toBe("Saves 2 cr · 1 job");
  });
});
