// The Team studio's figures, shaped from /v1/usage and /v1/team: spend grouped into bars (share of the
// total, width relative to the largest), members with what their caps leave, the cap a manager types, and
// the CSV export's name and size. Pure functions, so the view only lays them out.
import { MONTHLY_CAP_MAX, type TeamMember, type UsageGroup, type UsageRow } from "../../core/api/reports.ts";
import type { ProviderStatus } from "../../core/api/responses.ts";
import { EDIT_KINDS, UPSCALE_MODES, type EditKind, type UpscaleMode } from "../../core/catalog/schema.ts";
import { EDIT_KINDS_INFO } from "../edit/edit-form.ts";
import { UPSCALE_MODES_INFO } from "../upscale/upscale-form.ts";
import { barWidth, shares, type Bar } from "../widgets/bars.ts";
import { countText, creditsShort } from "../widgets/format.ts";

/** The dimensions the studio charts; one /v1/usage request grouped by all three gives every chart. */
export type ChartGroup = Extract<UsageGroup, "member" | "operation" | "provider">;
export const CHART_GROUPS = ["member", "operation", "provider"] as const satisfies readonly ChartGroup[];
/** The export has a row per day as well, and the model, so a spreadsheet can pivot it any way. */
export const CSV_GROUPS = ["day", "member", "operation", "provider", "model"] as const satisfies readonly UsageGroup[];
/** A chart shows this many bars at most; the rest are summed into one "others" bar. */
export const MAX_BARS = 6;

export interface Labels {
  providers: readonly Pick<ProviderStatus, "id" | "name">[];
}

/** `create`, `edit.<kind>`, `upscale.<mode>`, `social` in the panel's words. */
export function operationLabel(key: string | null | undefined): string {
  if (!key) return "Unknown operation";
  const [op, sub] = key.split(".", 2) as [string, string | undefined];
  const title = op.charAt(0).toUpperCase() + op.slice(1);
  if (op === "edit" && sub && (EDIT_KINDS as readonly string[]).includes(sub)) return `Edit · ${EDIT_KINDS_INFO[sub as EditKind].label}`;
  if (op === "upscale" && sub && (UPSCALE_MODES as readonly string[]).includes(sub)) return `Upscale · ${UPSCALE_MODES_INFO[sub as UpscaleMode].label}`;
  return sub ? `${title} · ${sub}` : title;
}

export function providerLabel(id: string | null | undefined, providers: Labels["providers"]): string {
  if (!id) return "Unknown provider";
  return providers.find((p) => p.id === id)?.name ?? id;
}

function keyOf(row: UsageRow, by: ChartGroup): string {
  return (by === "member" ? row.memberId : row[by]) ?? "";
}

function labelOf(row: UsageRow, by: ChartGroup, labels: Labels): string {
  if (by === "member") return row.memberName ?? (row.memberId ? row.memberId : "No member");
  if (by === "operation") return operationLabel(row.operation);
  return providerLabel(row.provider, labels.providers);
}

/**
 * Rows of a /v1/usage report (grouped by `by`, possibly with other groups too) summed per value of `by`,
 * largest spend first (then by label), the tail past `max` bars summed into one "N others" bar.
 */
export function groupUsage(rows: readonly UsageRow[], by: ChartGroup, labels: Labels, max = MAX_BARS): Bar[] {
  const groups = new Map<string, Omit<Bar, "share" | "width">>();
  for (const row of rows) {
    const key = keyOf(row, by);
    const g = groups.get(key) ?? { key, label: labelOf(row, by, labels), credits: 0, jobs: 0, images: 0 };
    g.credits += row.credits;
    g.jobs += row.jobs;
    g.images += row.images;
    groups.set(key, g);
  }
  let sorted = [...groups.values()].sort((a, b) => b.credits - a.credits || a.label.localeCompare(b.label));
  if (sorted.length > max) {
    const rest = sorted.slice(max - 1);
    const others = { key: "others", label: `${rest.length} others`, credits: 0, jobs: 0, images: 0 };
    for (const g of rest) {
      others.credits += g.credits;
      others.jobs += g.jobs;
      others.images += g.images;
    }
    sorted = [...sorted.slice(0, max - 1), others];
  }
  const largest = Math.max(0, ...sorted.map((g) => g.credits));
  const pct = shares(sorted.map((g) => g.credits));
  return sorted.map((g, i) => ({ ...g, share: pct[i]!, width: barWidth(g.credits, largest) }));
}

// ---------------------------------------------------------------------------------------------------------
// Members and caps

export interface CapUse {
  /** Percent of the cap spent or held (0..100); null without a cap. */
  used: number | null;
  text: string;
}

/** What a member's cap looks like this period: "40 of 100 cr · 60 left", or just the spend without a cap. */
export function capUse(member: Pick<TeamMember, "spent" | "held" | "monthlyCap" | "capRemaining">): CapUse {
  const held = member.held > 0 ? ` (+${member.held} held)` : "";
  if (member.monthlyCap === null) return { used: null, text: `${creditsShort(member.spent)}${held} · no cap` };
  const cap = member.monthlyCap;
  const taken = member.spent + member.held;
  const used = cap === 0 ? 100 : Math.min(100, Math.round((taken / cap) * 100));
  const left = member.capRemaining ?? Math.max(0, cap - taken);
  return { used, text: `${member.spent.toLocaleString("en-US")} of ${creditsShort(cap)}${held} · ${left.toLocaleString("en-US")} left` };
}

/** Managers first, then by name; disabled members last. */
export function sortMembers<M extends Pick<TeamMember, "name" | "role" | "disabled">>(members: readonly M[]): M[] {
  return [...members].sort((a, b) => Number(a.disabled) - Number(b.disabled) || (a.role === b.role ? 0 : a.role === "manager" ? -1 : 1) || a.name.localeCompare(b.name));
}

export type CapInput = { ok: true; value: number | null } | { ok: false; error: string };

/** What a manager typed as a monthly cap: empty for no cap, else a whole number (spaces and commas allowed). */
export function parseCapInput(text: string): CapInput {
  const t = text.trim();
  if (t === "") return { ok: true, value: null };
  if (!/^\d[\d, _]*$/.test(t)) return { ok: false, error: "Enter a whole number of credits, or leave it empty for no cap" };
  const value = Number(t.replace(/[, _]/g, ""));
  if (!Number.isSafeInteger(value) || value > MONTHLY_CAP_MAX) return { ok: false, error: `The cap can be at most ${MONTHLY_CAP_MAX.toLocaleString("en-US")} credits` };
  return { ok: true, value };
}

// ---------------------------------------------------------------------------------------------------------
// Insights

/** "Saves 12 cr · 3 jobs": what following an insight's advice would have saved this period, and how often it came up. */
export function insightFigure(insight: { savedCredits: number; occurrences: number }): string {
  return `Saves ${creditsShort(insight.savedCredits)} · ${countText(insight.occurrences, "job")}`;
}

// ---------------------------------------------------------------------------------------------------------
// CSV

/** `usage-2026-11-01-2026-12-01.csv` when the proxy's own name cannot be read (CORS hides Content-Disposition). */
export function csvFallbackName(from: string, to: string): string {
  const stamp = (iso: string) => (iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : `${iso.slice(0, 19).replace(/:/g, "")}Z`);
  return `usage-${stamp(from)}-${stamp(to)}.csv`;
}

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF ends a record. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endField = () => {
    record.push(field);
    field = "";
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") endField();
    else if (c === "\r" || c === "\n") {
      endField();
      records.push(record);
      record = [];
      if (c === "\r" && text[i + 1] === "\n") i += 1;
    } else field += c;
    i += 1;
  }
  if (field !== "" || record.length > 0) {
    endField();
    records.push(record);
  }
  return records;
}

/** The export's columns and how many data rows it has (the header row aside). */
export function csvSummary(text: string): { columns: string[]; rows: number } {
  const [header = [], ...rows] = parseCsv(text);
  return { columns: header, rows: rows.length };
}
