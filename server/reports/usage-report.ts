// Spend over a time range, grouped by member, operation, provider, model and/or day (docs/ledger.md "Reports it
// must answer"). Spend is what was captured: `capture` entries only, since holds, releases and expiries
// never cost anything. Portable SQL over `Db`, the same text on SQLite and PostgreSQL.
import type { UsageGroup, UsageResponse, UsageRow, UsageTotals } from "../../core/api/reports.ts";
import type { Sql, SqlValue } from "../db/sql.ts";

export interface UsageReportInput {
  teamId: string;
  /** ISO text, inclusive. */
  from: string;
  /** ISO text, exclusive. */
  to: string;
  groupBy: readonly UsageGroup[];
  /** Only this member's captures; null or absent for the whole team. */
  memberId?: string | null;
  /** Only the captures of jobs charged to this project. */
  projectId?: string | null;
}

/** Each group's SQL (constant text, never user input) and the result columns it yields. */
const GROUPS: Record<UsageGroup, { exprs: string[]; columns: string[] }> = {
  member: { exprs: ["e.member_id", "m.name"], columns: ["member_id", "member_name"] },
  operation: { exprs: ["j.operation_key"], columns: ["operation"] },
  provider: { exprs: ["j.provider"], columns: ["provider"] },
  model: { exprs: ["j.model"], columns: ["model"] },
  // Times are ISO text in UTC, so the day is its first ten characters on either database.
  day: { exprs: ["substr(e.created_at, 1, 10)"], columns: ["day"] },
  project: { exprs: ["j.project_id", "p.name"], columns: ["project_id", "project_name"] },
};

type Raw = Record<string, string | number | null>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/**
 * Three steps, so no join multiplies a sum: captures summed per group and job; each such row gets its job's
 * image count (a correlated count, so only the jobs in range are looked at); then summed per group, where
 * counting job ids counts each job once per group.
 */
function usageSql(groupBy: readonly UsageGroup[], memberFilter: boolean, projectFilter = false): string {
  const parts = groupBy.map((g) => GROUPS[g]);
  const inner = parts.flatMap((p) => p.exprs.map((x, i) => `${x} AS ${p.columns[i]}`));
  const innerGroup = parts.flatMap((p) => p.exprs);
  const cols = parts.flatMap((p) => p.columns);
  return `
    SELECT ${[...cols.map((c) => `g.${c} AS ${c}`), "sum(g.credits) AS credits", "count(g.job_id) AS jobs", "sum(g.images) AS images"].join(", ")}
    FROM (
      SELECT i.*, (SELECT count(*) FROM assets a WHERE a.job_id = i.job_id) AS images
      FROM (
        SELECT ${["e.job_id AS job_id", ...inner, "sum(e.amount) AS credits"].join(", ")}
        FROM entries e
        LEFT JOIN jobs j ON j.id = e.job_id
        LEFT JOIN members m ON m.id = e.member_id
        ${groupBy.includes("project") ? "LEFT JOIN projects p ON p.id = j.project_id" : ""}
        WHERE e.team_id = $1 AND e.kind = 'capture' AND e.created_at >= $2 AND e.created_at < $3
          ${memberFilter ? "AND e.member_id = $4" : ""}
          ${projectFilter ? `AND j.project_id = $${memberFilter ? 5 : 4}` : ""}
        GROUP BY ${["e.job_id", ...innerGroup].join(", ")}
      ) i
    ) g
    ${cols.length ? `GROUP BY ${cols.map((c) => `g.${c}`).join(", ")}` : ""}`;
}

function toRow(groupBy: readonly UsageGroup[], r: Raw): UsageRow {
  const row: UsageRow = { credits: num(r.credits), jobs: num(r.jobs), images: num(r.images) };
  const key: Partial<UsageRow> = {};
  for (const g of groupBy) {
    if (g === "member") {
      key.memberId = (r.member_id as string | null) ?? null;
      key.memberName = (r.member_name as string | null) ?? null;
    } else if (g === "day") key.day = String(r.day);
    else if (g === "project") {
      key.projectId = (r.project_id as string | null) ?? null;
      key.projectName = (r.project_name as string | null) ?? null;
    }
    else key[g] = (r[g] as string | null) ?? null;
  }
  return { ...key, ...row };
}

/** Text order with nulls last, the same on both databases (they disagree on where NULL sorts). */
function compareText(a: string | null | undefined, b: string | null | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return a < b ? -1 : 1;
}

/** Days run in time order; within a day (or without days), the biggest spend comes first. */
function compareRows(a: UsageRow, b: UsageRow): number {
  return (
    compareText(a.day, b.day) ||
    b.credits - a.credits ||
    compareText(a.memberName, b.memberName) ||
    compareText(a.memberId, b.memberId) ||
    compareText(a.operation, b.operation) ||
    compareText(a.provider, b.provider) ||
    compareText(a.model, b.model) ||
    compareText(a.projectName, b.projectName) ||
    compareText(a.projectId, b.projectId)
  );
}

export async function usageReport(db: Sql, input: UsageReportInput): Promise<UsageResponse> {
  const memberId = input.memberId ?? null;
  const projectId = input.projectId ?? null;
  const params: SqlValue[] = [input.teamId, input.from, input.to, ...(memberId ? [memberId] : []), ...(projectId ? [projectId] : [])];
  const groupBy = [...input.groupBy];
  const [rows, totals] = await Promise.all([
    db.all<Raw>(usageSql(groupBy, memberId !== null, projectId !== null), params),
    // Counted apart rather than added up from the rows: a job captured on two days is one job in total.
    db.one<Raw>(usageSql([], memberId !== null, projectId !== null), params),
  ]);
  const total: UsageTotals = { credits: num(totals?.credits), jobs: num(totals?.jobs), images: num(totals?.images) };
  return {
    from: input.from,
    to: input.to,
    groupBy,
    member: memberId,
    ...(projectId ? { project: projectId } : {}),
    rows: rows.map((r) => toRow(groupBy, r)).sort(compareRows),
    total,
  };
}

// ---------------------------------------------------------------------------------------------------------
// CSV (RFC 4180)

const CSV_COLUMNS: Record<UsageGroup, { header: string; value: (r: UsageRow) => string | null | undefined }[]> = {
  member: [
    { header: "member_id", value: (r) => r.memberId },
    { header: "member_name", value: (r) => r.memberName },
  ],
  operation: [{ header: "operation", value: (r) => r.operation }],
  provider: [{ header: "provider", value: (r) => r.provider }],
  model: [{ header: "model", value: (r) => r.model }],
  day: [{ header: "day", value: (r) => r.day }],
  project: [
    { header: "project_id", value: (r) => r.projectId },
    { header: "project_name", value: (r) => r.projectName },
  ],
};

/** Quotes a field only when it must: a comma, a quote, a line break, or surrounding space. */
export function csvField(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  // A leading =, +, - or @ would run as a formula when a spreadsheet opens the file; a quote mark defuses it
  // (numbers are written by this code and never start that way, except a negative one, which is never text).
  const safe = typeof value === "string" && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The header row, then one line per row of the report, CRLF-terminated as RFC 4180 says. */
export function usageCsv(report: Pick<UsageResponse, "groupBy" | "rows">): string {
  const columns = report.groupBy.flatMap((g) => CSV_COLUMNS[g]);
  const header = [...columns.map((c) => c.header), "credits", "jobs", "images"];
  const lines = [header.map(csvField).join(",")];
  for (const row of report.rows) lines.push([...columns.map((c) => csvField(c.value(row))), csvField(row.credits), csvField(row.jobs), csvField(row.images)].join(","));
  return lines.map((l) => `${l}\r\n`).join("");
}
