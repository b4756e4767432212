// JobStore on SQLite. The transactions that matter to money live here and call the ledger's primitives:
// job + hold (createWithHold), capture + assets + status (succeed), release + status (fail, expireOverdue).
import type { ApiErrorBody } from "../../core/api/errors.ts";
import type { JobStatus } from "../../core/api/responses.ts";
import type { JobSpec, Operation } from "../../core/api/specs.ts";
import type { Estimate, Route } from "../../core/estimate.ts";
import type { SqliteAssetRepo } from "../assets/sqlite-asset-repo.ts";
import type { SqliteDatabase } from "../db/open-sqlite.ts";
import { SQL_NOW } from "../db/open-sqlite.ts";
import { newId } from "../ids.ts";
import type { SqliteLedgerOps } from "../ledger/sqlite-ledger-ops.ts";
import { IdempotencyMismatchError, type JobProgress, type JobRecord, type JobStore, type NewAsset, type NewJob } from "./types.ts";

interface JobRow {
  id: string;
  team_id: string;
  member_id: string;
  idempotency_key: string | null;
  request_hash: string;
  operation: Operation;
  spec: string;
  status: JobStatus;
  estimate: string;
  route: string | null;
  hold_id: string | null;
  held: number;
  charged: number;
  error: string | null;
  progress: string;
  provider_task_id: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const UNFINISHED: readonly JobStatus[] = ["queued", "running"];

export class SqliteJobStore implements JobStore {
  private readonly stmts;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly ledger: SqliteLedgerOps,
    private readonly assets: SqliteAssetRepo,
  ) {
    this.stmts = {
      // The UNIQUE (team_id, idempotency_key) constraint decides which of two racing duplicates wins.
      insert: db.prepare<Record<string, string | number | null>, { id: string }>(
        `INSERT INTO jobs (id, team_id, member_id, idempotency_key, request_hash, operation, spec, status, estimate, route, progress, free_images)
         VALUES (@id, @teamId, @memberId, @key, @hash, @operation, @spec, 'queued', @estimate, @route, @progress, @freeImages)
         ON CONFLICT (team_id, idempotency_key) DO NOTHING
         RETURNING id`,
      ),
      attachHold: db.prepare<[string, number, string]>("UPDATE jobs SET hold_id = ?, held = ? WHERE id = ?"),
      byId: db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE id = ?"),
      byTeam: db.prepare<[string, string], JobRow>("SELECT * FROM jobs WHERE id = ? AND team_id = ?"),
      byKey: db.prepare<[string, string], JobRow>("SELECT * FROM jobs WHERE team_id = ? AND idempotency_key = ?"),
      markRunning: db.prepare<[string, string], JobRow>(
        `UPDATE jobs SET status = 'running', progress = ?, started_at = ${SQL_NOW}, updated_at = ${SQL_NOW}
         WHERE id = ? AND status = 'queued' RETURNING *`,
      ),
      progress: db.prepare<[string, string]>(
        `UPDATE jobs SET progress = ?, updated_at = ${SQL_NOW} WHERE id = ? AND status IN ('queued', 'running')`,
      ),
      finish: db.prepare<{ id: string; status: JobStatus; charged: number; error: string | null; progress: string }>(
        `UPDATE jobs SET status = @status, held = 0, charged = @charged, error = @error, progress = @progress,
                finished_at = ${SQL_NOW}, updated_at = ${SQL_NOW}
         WHERE id = @id AND status IN ('queued', 'running')`,
      ),
      unfinished: db.prepare<[], JobRow>("SELECT * FROM jobs WHERE status IN ('queued', 'running') ORDER BY created_at"),
      freeUsed: db.prepare<[string, string], { key: string; used: number }>(
        `SELECT f.key AS key, sum(f.value) AS used
         FROM jobs j, json_each(j.estimate, '$.steps') s, json_each(s.value, '$.freeUsed') f
         WHERE j.team_id = ? AND j.created_at >= ? AND j.free_images > 0 AND j.status != 'failed'
         GROUP BY f.key`,
      ),
    };
  }

  private toJob(r: JobRow): JobRecord {
    return {
      id: r.id,
      teamId: r.team_id,
      memberId: r.member_id,
      idempotencyKey: r.idempotency_key,
      requestHash: r.request_hash,
      operation: r.operation,
      spec: JSON.parse(r.spec) as JobSpec,
      status: r.status,
      estimate: JSON.parse(r.estimate) as Estimate,
      route: r.route ? (JSON.parse(r.route) as Route) : null,
      holdId: r.hold_id,
      held: r.held,
      charged: r.charged,
      error: r.error ? (JSON.parse(r.error) as ApiErrorBody) : null,
      progress: JSON.parse(r.progress) as JobProgress,
      providerTaskId: r.provider_task_id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      assets: this.assets.listByJobSync(r.id),
    };
  }

  private load(jobId: string): JobRecord {
    const row = this.stmts.byId.get(jobId);
    if (!row) throw new Error(`no job ${jobId}`);
    return this.toJob(row);
  }

  async createWithHold(input: NewJob): Promise<{ job: JobRecord; created: boolean }> {
    const images = Math.max(1, input.estimate.steps.reduce((n, s) => n + s.images, 0));
    return this.db
      .transaction(() => {
        const inserted = this.stmts.insert.get({
          id: newId("job"),
          teamId: input.teamId,
          memberId: input.memberId,
          key: input.idempotencyKey,
          hash: input.requestHash,
          operation: input.spec.operation,
          spec: JSON.stringify(input.spec),
          estimate: JSON.stringify(input.estimate),
          route: input.route ? JSON.stringify(input.route) : null,
          progress: JSON.stringify({ stage: "queued", completed: 0, total: images } satisfies JobProgress),
          freeImages: input.estimate.steps.reduce((n, s) => n + Object.values(s.freeUsed).reduce((a, b) => a + b, 0), 0),
        });
        if (!inserted) {
          const existing = this.stmts.byKey.get(input.teamId, input.idempotencyKey!)!;
          if (existing.request_hash !== input.requestHash) throw new IdempotencyMismatchError(existing.id);
          return { job: this.toJob(existing), created: false };
        }
        // Throws InsufficientCreditsError when the conditional update refuses; the job insert rolls back with it.
        const hold = this.ledger.hold({
          teamId: input.teamId,
          memberId: input.memberId,
          jobId: inserted.id,
          amount: input.estimate.total,
          ttlMs: input.holdTtlMs,
        });
        this.stmts.attachHold.run(hold.id, hold.amount, inserted.id);
        return { job: this.load(inserted.id), created: true };
      })
      .immediate();
  }

  async findByIdempotencyKey(teamId: string, key: string): Promise<JobRecord | null> {
    const row = this.stmts.byKey.get(teamId, key);
    return row ? this.toJob(row) : null;
  }

  async get(teamId: string, jobId: string): Promise<JobRecord | null> {
    const row = this.stmts.byTeam.get(jobId, teamId);
    return row ? this.toJob(row) : null;
  }

  async getById(jobId: string): Promise<JobRecord | null> {
    const row = this.stmts.byId.get(jobId);
    return row ? this.toJob(row) : null;
  }

  async markRunning(jobId: string): Promise<JobRecord | null> {
    const current = this.stmts.byId.get(jobId);
    if (!current) return null;
    const total = (JSON.parse(current.progress) as JobProgress).total;
    const row = this.stmts.markRunning.get(JSON.stringify({ stage: "running", completed: 0, total } satisfies JobProgress), jobId);
    return row ? this.toJob(row) : null;
  }

  async setProgress(jobId: string, progress: JobProgress): Promise<void> {
    this.stmts.progress.run(JSON.stringify(progress), jobId);
  }

  private finish(row: JobRow, status: "succeeded" | "failed", charged: number, error: ApiErrorBody | null, completed: number): void {
    const total = (JSON.parse(row.progress) as JobProgress).total;
    this.stmts.finish.run({
      id: row.id,
      status,
      charged,
      error: error ? JSON.stringify(error) : null,
      progress: JSON.stringify({ stage: "done", completed, total } satisfies JobProgress),
    });
  }

  async succeed(jobId: string, result: { charge: number; assets: NewAsset[] }): Promise<JobRecord> {
    return this.db
      .transaction(() => {
        const row = this.stmts.byId.get(jobId);
        if (!row) throw new Error(`no job ${jobId}`);
        if (!UNFINISHED.includes(row.status)) return this.toJob(row);
        const captured = row.hold_id ? this.ledger.capture(row.hold_id, result.charge) : null;
        if (captured && !captured.changed) {
          // The hold expired (the job ran past its timeout plus margin): its credits are back already.
          this.finish(row, "failed", 0, { code: "provider_error", message: "The job ran out of time. Nothing was charged." }, 0);
          return this.load(jobId);
        }
        for (const a of result.assets)
          this.assets.insert({ id: newId("ast"), teamId: row.team_id, jobId, memberId: row.member_id, operation: row.operation, ...a });
        this.finish(row, "succeeded", captured?.hold.captured ?? 0, null, result.assets.length);
        return this.load(jobId);
      })
      .immediate();
  }

  async fail(jobId: string, error: ApiErrorBody): Promise<JobRecord> {
    return this.db
      .transaction(() => {
        const row = this.stmts.byId.get(jobId);
        if (!row) throw new Error(`no job ${jobId}`);
        if (!UNFINISHED.includes(row.status)) return this.toJob(row);
        if (row.hold_id) this.ledger.release(row.hold_id);
        this.finish(row, "failed", 0, error, 0);
        return this.load(jobId);
      })
      .immediate();
  }

  async expireOverdue(error: ApiErrorBody): Promise<string[]> {
    return this.db
      .transaction(() => {
        const failed: string[] = [];
        for (const holdId of this.ledger.overdueHoldIds()) {
          const { hold, changed } = this.ledger.release(holdId, "expired");
          if (!changed || !hold.jobId) continue;
          const row = this.stmts.byId.get(hold.jobId);
          if (row && UNFINISHED.includes(row.status)) {
            this.finish(row, "failed", 0, error, 0);
            failed.push(row.id);
          }
        }
        return failed;
      })
      .immediate();
  }

  async unfinished(): Promise<JobRecord[]> {
    return this.stmts.unfinished.all().map((r) => this.toJob(r));
  }

  async freeUsed(teamId: string, since: string): Promise<Record<string, number>> {
    return Object.fromEntries(this.stmts.freeUsed.all(teamId, since).map((r) => [r.key, r.used]));
  }
}
