// Seeds report tests with plain SQL through `Db`, so each report is checked against rows whose every field
// (times included) the test chose, on SQLite and PostgreSQL alike. Only the columns a report reads are
// meaningful; the rest get valid placeholders.
import { createHash } from "node:crypto";
import type { Sql } from "../db/sql.ts";
import { newId } from "../ids.ts";

export interface SeedTeam {
  id?: string;
  name?: string;
  tier?: "free" | "basic" | "pro" | "enterprise";
  periodStart?: string;
  periodEnd?: string;
  unlimited?: boolean;
  granted?: number;
  spent?: number;
  held?: number;
}

export async function seedTeam(db: Sql, t: SeedTeam = {}): Promise<{ id: string; periodStart: string; periodEnd: string }> {
  const id = t.id ?? newId("team");
  const periodStart = t.periodStart ?? "2026-11-01T00:00:00.000Z";
  const periodEnd = t.periodEnd ?? "2026-12-01T00:00:00.000Z";
  await db.run("INSERT INTO teams (id, name, tier, period_start, period_end) VALUES ($1, $2, $3, $4, $5)", [
    id,
    t.name ?? "Team",
    t.tier ?? "pro",
    periodStart,
    periodEnd,
  ]);
  await db.run("INSERT INTO balances (team_id, unlimited, granted, spent, held) VALUES ($1, $2, $3, $4, $5)", [
    id,
    t.unlimited ? 1 : 0,
    t.granted ?? 0,
    t.spent ?? 0,
    t.held ?? 0,
  ]);
  return { id, periodStart, periodEnd };
}

export interface SeedMember {
  id?: string;
  name?: string;
  role?: "member" | "manager";
  monthlyCap?: number | null;
  disabled?: boolean;
  capPeriodStart?: string | null;
  periodSpent?: number;
  held?: number;
  createdAt?: string;
}

let memberClock = 0;

export async function seedMember(db: Sql, teamId: string, m: SeedMember = {}): Promise<string> {
  const id = m.id ?? newId("mem");
  // Distinct, increasing creation times keep "in the order they joined" deterministic.
  const createdAt = m.createdAt ?? new Date(Date.UTC(2026, 9, 1) + ++memberClock * 1000).toISOString();
  await db.run(
    `INSERT INTO members (id, team_id, name, role, monthly_cap, disabled, cap_period_start, period_spent, held, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, teamId, m.name ?? "Member", m.role ?? "member", m.monthlyCap ?? null, m.disabled ? 1 : 0, m.capPeriodStart ?? null, m.periodSpent ?? 0, m.held ?? 0, createdAt],
  );
  return id;
}

export interface SeedJob {
  id?: string;
  teamId: string;
  memberId: string;
  operationKey?: string;
  provider?: string | null;
  model?: string | null;
  createdAt?: string;
}

export async function seedJob(db: Sql, j: SeedJob): Promise<string> {
  const id = j.id ?? newId("job");
  const operationKey = j.operationKey ?? "create";
  const operation = operationKey.split(".")[0]!;
  const createdAt = j.createdAt ?? "2026-11-02T00:00:00.000Z";
  await db.run(
    `INSERT INTO jobs (id, team_id, member_id, request_hash, operation, spec, status, estimate, progress, operation_key, provider, model, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, '{}', 'succeeded', '{}', '{}', $6, $7, $8, $9, $9)`,
    [id, j.teamId, j.memberId, createHash("sha256").update(id).digest("hex"), operation, operationKey, j.provider === undefined ? "local" : j.provider, j.model === undefined ? "procedural" : j.model, createdAt],
  );
  return id;
}

export interface SeedEntry {
  teamId: string;
  kind: "grant" | "hold" | "capture" | "release" | "expire" | "adjust";
  amount: number;
  memberId?: string | null;
  jobId?: string | null;
  note?: string | null;
  availableAfter?: number;
  createdAt?: string;
}

/** Entries get their seq in insertion order, which is what "newest first" pages by. */
export async function seedEntry(db: Sql, e: SeedEntry): Promise<string> {
  const id = newId("ent");
  await db.run(
    `INSERT INTO entries (id, kind, amount, team_id, member_id, job_id, available_after, note, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [id, e.kind, e.amount, e.teamId, e.memberId ?? null, e.jobId ?? null, e.availableAfter ?? 0, e.note ?? null, e.createdAt ?? "2026-11-02T00:00:00.000Z"],
  );
  return id;
}

export async function seedAssets(db: Sql, a: { teamId: string; jobId: string; memberId: string; count: number; cost?: number }): Promise<void> {
  for (let i = 0; i < a.count; i++) {
    const id = newId("ast");
    await db.run(
      `INSERT INTO assets (id, team_id, job_id, member_id, sha256, content_type, width, height, bytes, cost, operation)
       VALUES ($1, $2, $3, $4, $5, 'image/png', 64, 64, 100, $6, 'create')`,
      [id, a.teamId, a.jobId, a.memberId, createHash("sha256").update(id).digest("hex"), a.cost ?? 0],
    );
  }
}

/** One finished job in one call: the job, its capture entry and its images. */
export async function seedCapturedJob(
  db: Sql,
  j: SeedJob & { credits: number; images?: number; capturedAt?: string },
): Promise<string> {
  const jobId = await seedJob(db, j);
  await seedEntry(db, { teamId: j.teamId, kind: "capture", amount: j.credits, memberId: j.memberId, jobId, createdAt: j.capturedAt ?? j.createdAt ?? "2026-11-02T00:00:00.000Z" });
  await seedAssets(db, { teamId: j.teamId, jobId, memberId: j.memberId, count: j.images ?? 1 });
  return jobId;
}

/** RFC 4180 parsing, to read back what the usage export wrote: quoted fields, doubled quotes, CRLF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += ch;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
