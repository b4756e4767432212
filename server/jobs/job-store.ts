// JobStore over `Db`. The transactions that matter to money live here and call the ledger's primitives:
// job + hold + free allowance (createWithHold), capture + assets + status (succeed), release + status +
// allowance back (fail, expireOverdue). Each first locks the team's balance row, so on PostgreSQL one
// team's money-moving transactions run one at a time while different teams run in parallel.
import { randomUUID } from "node:crypto";
import type { JobStatus } from "../../core/api/responses.ts";
import type { JobSpec, Operation } from "../../core/api/specs.ts";
import type { Catalog } from "../../core/catalog/schema.ts";
import { operationKey, tierById, type Estimate, type Route } from "../../core/estimate.ts";
import type { SqlAssetRepo } from "../assets/asset-repo.ts";
import type { Db, Sql, SqlValue } from "../db/sql.ts";
import { newId } from "../ids.ts";
import * as ledger from "../ledger/ledger-ops.ts";
import { memberFigures } from "../ledger/member-spend.ts";
import { openTeam, openTeamOfJob } from "../ledger/period-ops.ts";
import { freeImages } from "./charge.ts";
import { pricingState } from "./pricing-state.ts";
import { holdContext } from "./hold-context.ts";
import { IdempotencyMismatchError, JobRefusedError, RateLimitedError } from "./errors.ts";
import type { FinishOptions, JobFailure, JobProgress, JobRecord, JobStore, NewAsset, NewJob } from "./types.ts";

export interface JobRow {
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
  inputs: string | null;
  period_start: string | null;
  reused_from: string | null;
  /** An item of a batch (batch-store.ts): the batch and the item's place in it. */
  batch_id: string | null;
  batch_index: number | null;
  /** The project the job is charged to (issue 17). */
  project_id?: string | null;
  /** The instance whose lease `lease_until` is (migration sqlite/009): see SqlJobStore.instanceId. */
  lease_owner?: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const UNFINISHED: readonly JobStatus[] = ["queued", "running"];
export const RATE_WINDOW_MS = 60_000;

/** The columns every new job has, from the request and what it was priced at. */
export function newJobColumns(input: Omit<NewJob, "price" | "holdTtlMs" | "leaseMs">, estimate: Estimate, periodStart: string): Record<string, SqlValue> {
  const route = estimate.steps[0]?.route ?? null;
  return {
    id: newId("job"),
    team_id: input.teamId,
    member_id: input.memberId,
    idempotency_key: input.idempotencyKey,
    request_hash: input.requestHash,
    operation: input.spec.operation,
    spec: JSON.stringify(input.spec),
    estimate: JSON.stringify(estimate),
    route: route ? JSON.stringify(route) : null,
    period_start: periodStart,
    operation_key: operationKey(input.spec),
    provider: route?.provider ?? null,
    model: route?.model ?? null,
    inputs: input.inputs && Object.keys(input.inputs).length ? JSON.stringify(input.inputs) : null,
    reuse_key: input.reuseKey ?? null,
    project_id: input.spec.projectId ?? null,
  };
}

/**
 * INSERT INTO jobs: `columns` as parameters, `expressions` as SQL (for the database clock), where each `?`
 * takes the next of `extra` as a parameter.
 */
export function insertJob(sql: Sql, columns: Record<string, SqlValue>, expressions: Record<string, string>, extra: SqlValue[] = [], suffix = ""): Promise<JobRow | undefined> {
  const names = Object.keys(columns);
  const params = [...Object.values(columns)];
  const placeholders = names.map((_, i) => `$${i + 1}`);
  for (const expression of Object.values(expressions))
    placeholders.push(
      expression.replace(/\?/g, () => {
        params.push(extra[params.length - names.length] ?? null);
        return `$${params.length}`;
      }),
    );
  return sql.one<JobRow>(`INSERT INTO jobs (${[...names, ...Object.keys(expressions)].join(", ")}) VALUES (${placeholders.join(", ")}) ${suffix} RETURNING *`, params);
}

/** Free-allowance images the team used in `periodStart` (default: its current period), by `provider/model`. */
export async function freeUsedIn(sql: Sql, teamId: string, periodStart?: string): Promise<Record<string, number>> {
  const rows = await sql.all<{ model_key: string; used: number }>(
    periodStart === undefined
      ? "SELECT f.model_key, f.used FROM free_use f JOIN teams t ON t.id = f.team_id AND t.period_start = f.period_start WHERE f.team_id = $1 AND f.used > 0"
      : "SELECT model_key, used FROM free_use WHERE team_id = $1 AND period_start = $2 AND used > 0",
    periodStart === undefined ? [teamId] : [teamId, periodStart],
  );
  return Object.fromEntries(rows.map((r) => [r.model_key, r.used]));
}

/** The newest succeeded, original (not itself reused) job with this key whose delivered assets all remain. */
async function reusable(sql: Sql, teamId: string, reuseKey: string): Promise<{ jobId: string; images: number } | null> {
  const rows = await sql.all<{ id: string; progress: string; assets: number }>(
    `SELECT j.id, j.progress, (SELECT count(*) FROM assets a WHERE a.job_id = j.id) AS assets
     FROM jobs j WHERE j.team_id = $1 AND j.reuse_key = $2 AND j.status = 'succeeded' AND j.reused_from IS NULL
     ORDER BY j.created_at DESC LIMIT 5`,
    [teamId, reuseKey],
  );
  for (const r of rows) {
    const delivered = (JSON.parse(r.progress) as JobProgress).completed;
    if (delivered > 0 && Number(r.assets) === delivered) return { jobId: r.id, images: delivered };
  }
  return null;
}

/** The job whose assets a row shows: a reuse shows the assets of the job it reused. */
const assetOwner = (r: JobRow): string => r.reused_from ?? r.id;

function jobOf(r: JobRow, assets: JobRecord["assets"]): JobRecord {
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
    error: r.error ? (JSON.parse(r.error) as JobFailure) : null,
    progress: JSON.parse(r.progress) as JobProgress,
    providerTasks: r.provider_task_id ? (JSON.parse(r.provider_task_id) as string[]) : [],
    inputs: r.inputs ? (JSON.parse(r.inputs) as Record<string, string>) : {},
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    reusedFrom: r.reused_from,
    batch: r.batch_id ? { id: r.batch_id, index: Number(r.batch_index) } : null,
    assets,
  };
}

export class SqlJobStore implements JobStore {
  constructor(
    private readonly db: Db,
    private readonly catalog: Catalog,
    /** The asset rows a job's transactions write with it, and the blob locks of its inputs. */
    private readonly assets: Pick<SqlAssetRepo, "pinBlob" | "insert" | "listByJob" | "listByJobs" | "releaseInputs">,
    /**
     * This process as a lease holder, random per start (docs/architecture.md "Several instances"): the jobs it
     * accepts or takes over carry it in `lease_owner`, and only it renews, releases or starts them, so a
     * process whose lease lapsed (a database stall) cannot disturb the instance that took the job over.
     */
    readonly instanceId: string = `inst_${randomUUID()}`,
  ) {}

  private async toJob(r: JobRow, sql: Sql = this.db): Promise<JobRecord> {
    // Only a succeeded job has assets: no query for the queued and running jobs clients poll.
    return jobOf(r, r.status === "succeeded" ? await this.assets.listByJob(assetOwner(r), sql) : []);
  }

  private async row(sql: Sql, jobId: string): Promise<JobRow> {
    const row = await sql.one<JobRow>("SELECT * FROM jobs WHERE id = $1", [jobId]);
    if (!row) throw new Error(`no job ${jobId}`);
    return row;
  }

  async createWithHold(input: NewJob): Promise<{ job: JobRecord; created: boolean }> {
    const result = await this.createInTx(input);
    if (result.created && result.job.status === "succeeded") await this.releaseInputs(result.job.inputs); // a reuse is finished at once
    return result;
  }

  /**
   * A finished job's uploaded inputs are freed unless an asset or an unfinished job has the same bytes.
   * After the commit and best effort: the ledger never waits on files, and bytes left behind only cost disk.
   */
  private async releaseInputs(inputs: Readonly<Record<string, string>>): Promise<void> {
    const sha256s = Object.values(inputs);
    if (sha256s.length) await this.assets.releaseInputs(sha256s).catch(() => undefined);
  }

  private createInTx(input: NewJob): Promise<{ job: JobRecord; created: boolean }> {
    return this.db.tx(async (sql) => {
      const team = await openTeam(sql, this.catalog, input.teamId); // locks the team's balance row
      if (input.idempotencyKey) {
        const existing = await sql.one<JobRow>("SELECT * FROM jobs WHERE team_id = $1 AND idempotency_key = $2", [input.teamId, input.idempotencyKey]);
        if (existing) {
          if (existing.request_hash !== input.requestHash) throw new IdempotencyMismatchError(existing.id);
          return { job: await this.toJob(existing, sql), created: false };
        }
      }
      const tier = tierById(this.catalog, team.tier);
      const recent = (await sql.one<{ n: number; oldest: string | null; now: string }>(
        `SELECT count(*) AS n, min(created_at) AS oldest, ${sql.dialect.now} AS now FROM jobs WHERE team_id = $1 AND created_at > ${sql.dialect.nowMinusMs("$2")}`,
        [input.teamId, RATE_WINDOW_MS],
      ))!;
      if (recent.n >= tier.jobsPerMinute)
        throw new RateLimitedError(tier.jobsPerMinute, Math.max(1000, Date.parse(recent.oldest ?? recent.now) + RATE_WINDOW_MS - Date.parse(recent.now)));

      const member = await memberFigures(sql, input.memberId, team.periodStart);
      const freeUsed = input.freeModelKeys?.length === 0 ? {} : await freeUsedIn(sql, input.teamId, team.periodStart);
      for (const sha256 of Object.values(input.inputs ?? {})) await this.assets.pinBlob(sql, sha256);
      const fresh = "fresh" in input.spec && input.spec.fresh === true;
      const reuse = input.reuseKey && !fresh ? await reusable(sql, input.teamId, input.reuseKey) : null;
      // The job's one estimate, from the figures this transaction holds locked.
      // The role's limits and the project's budget (an unknown or archived project is refused here).
      const controls = await holdContext(sql, input.teamId, input.memberId, input.spec.projectId, team.periodStart);
      const estimate = input.price({ ...pricingState({ tier: team.tier, balance: team.balance, member, freeUsed }), reuse, ...controls });
      if (!estimate.allowed) throw new JobRefusedError(estimate.reasons[0]!);
      if (estimate.reuse && reuse) return { job: await this.insertReused(sql, input, estimate, reuse, team.periodStart), created: true };

      const images = Math.max(1, estimate.steps.reduce((n, s) => n + s.images, 0));
      const free = freeImages(estimate);
      const holdId = newId("hold");
      // The job names its hold from the start; the hold (which references the job) is written just after.
      const inserted = await insertJob(
        sql,
        {
          ...newJobColumns(input, estimate, team.periodStart),
          status: "queued",
          progress: JSON.stringify({ stage: "queued", completed: 0, total: images } satisfies JobProgress),
          free_images: Object.values(free).reduce((a, b) => a + b, 0),
          hold_id: holdId,
          held: estimate.total,
          lease_owner: this.instanceId,
        },
        { lease_until: sql.dialect.nowPlusMs("?") },
        [input.leaseMs],
        "ON CONFLICT (team_id, idempotency_key) DO NOTHING",
      );
      const jobId = inserted?.id ?? "";
      // The balance lock makes a concurrent duplicate impossible here; the UNIQUE constraint is the backstop.
      if (!inserted) throw new Error(`idempotency key ${input.idempotencyKey} was taken under a held lock`);
      await ledger.hold(
        sql,
        { id: holdId, teamId: input.teamId, memberId: input.memberId, jobId, amount: estimate.total, ttlMs: input.holdTtlMs, projectId: input.spec.projectId ?? null },
        team.periodStart,
      );
      for (const [key, n] of Object.entries(free))
        await sql.run(
          `INSERT INTO free_use (team_id, period_start, model_key, used) VALUES ($1, $2, $3, $4)
           ON CONFLICT (team_id, period_start, model_key) DO UPDATE SET used = free_use.used + excluded.used`,
          [input.teamId, team.periodStart, key, n],
        );
      return { job: await this.toJob(inserted, sql), created: true };
    });
  }

  /** A job that returns an earlier job's assets: succeeded at once, nothing held, nothing charged. */
  private async insertReused(sql: Sql, input: NewJob, estimate: Estimate, reuse: { jobId: string; images: number }, periodStart: string): Promise<JobRecord> {
    const row = await insertJob(
      sql,
      {
        ...newJobColumns(input, estimate, periodStart),
        status: "succeeded",
        progress: JSON.stringify({ stage: "done", completed: reuse.images, total: reuse.images } satisfies JobProgress),
        reused_from: reuse.jobId,
      },
      { started_at: sql.dialect.now, finished_at: sql.dialect.now },
    );
    return this.toJob(row!, sql);
  }

  findReusable(teamId: string, reuseKey: string): Promise<{ jobId: string; images: number } | null> {
    return reusable(this.db, teamId, reuseKey);
  }

  async get(teamId: string, jobId: string): Promise<JobRecord | null> {
    const row = await this.db.one<JobRow>("SELECT * FROM jobs WHERE id = $1 AND team_id = $2", [jobId, teamId]);
    return row ? this.toJob(row) : null;
  }

  async getById(jobId: string): Promise<JobRecord | null> {
    const row = await this.db.one<JobRow>("SELECT * FROM jobs WHERE id = $1", [jobId]);
    return row ? this.toJob(row) : null;
  }

  async markRunning(jobId: string, knownTotal?: number): Promise<JobRecord | null> {
    let total = knownTotal;
    if (total === undefined) {
      const current = await this.db.one<{ progress: string }>("SELECT progress FROM jobs WHERE id = $1", [jobId]);
      if (!current) return null;
      total = (JSON.parse(current.progress) as JobProgress).total;
    }
    const row = await this.db.one<JobRow>(
      `UPDATE jobs SET status = 'running', progress = $1, started_at = ${this.db.dialect.now}, updated_at = ${this.db.dialect.now}
       WHERE id = $2 AND status = 'queued' AND lease_owner = $3 RETURNING *`,
      [JSON.stringify({ stage: "running", completed: 0, total } satisfies JobProgress), jobId, this.instanceId],
    );
    return row ? this.toJob(row) : null;
  }

  async setProgress(jobId: string, progress: JobProgress): Promise<void> {
    await this.db.run(`UPDATE jobs SET progress = $1, updated_at = ${this.db.dialect.now} WHERE id = $2 AND status IN ('queued', 'running')`, [
      JSON.stringify(progress),
      jobId,
    ]);
  }

  async setProviderTasks(jobId: string, tasks: string[]): Promise<void> {
    await this.db.run(`UPDATE jobs SET provider_task_id = $1, updated_at = ${this.db.dialect.now} WHERE id = $2`, [JSON.stringify(tasks), jobId]);
  }

  private async finish(sql: Sql, row: JobRow, status: "succeeded" | "failed", charged: number, error: JobFailure | null, completed: number): Promise<void> {
    const total = (JSON.parse(row.progress) as JobProgress).total;
    await sql.run(
      `UPDATE jobs SET status = $2, held = 0, charged = $3, error = $4, progress = $5, lease_until = NULL,
              finished_at = ${sql.dialect.now}, updated_at = ${sql.dialect.now}
       WHERE id = $1 AND status IN ('queued', 'running')`,
      [row.id, status, charged, error ? JSON.stringify(error) : null, JSON.stringify({ stage: "done", completed, total } satisfies JobProgress)],
    );
  }

  /**
   * A failed job's free-allowance images go back to the period they were taken from; a partly delivered
   * job's go back except those its delivered images used (`kept`).
   */
  private async returnFreeImages(sql: Sql, row: JobRow, kept: Readonly<Record<string, number>> = {}): Promise<void> {
    if (!row.period_start) return;
    for (const [key, taken] of Object.entries(freeImages(JSON.parse(row.estimate) as Estimate))) {
      const n = taken - Math.min(taken, kept[key] ?? 0);
      if (n > 0)
        await sql.run("UPDATE free_use SET used = used - $4 WHERE team_id = $1 AND period_start = $2 AND model_key = $3 AND used >= $4", [
        row.team_id,
        row.period_start,
        key,
        n,
      ]);
    }
  }

  /**
   * The job's row under the team's lock. As the lease holder (`asHolder`) the row is locked too, and `held`
   * says whether this process holds its lease: a takeover (claimLapsed, conditional on the lease it saw)
   * waits for this transaction and finds the job finished, or it took the job first and this one leaves it.
   */
  private async finishing(sql: Sql, jobId: string, options: FinishOptions): Promise<{ row: JobRow; held: boolean }> {
    if (!options.asHolder) return { row: await this.row(sql, jobId), held: true };
    const row = await sql.one<JobRow>(`SELECT * FROM jobs WHERE id = $1${sql.dialect.forUpdate}`, [jobId]);
    if (!row) throw new Error(`no job ${jobId}`);
    return { row, held: row.lease_owner === this.instanceId };
  }

  async succeed(jobId: string, result: { charge: number; assets: NewAsset[]; freeUsed?: Record<string, number> }, options: FinishOptions = {}): Promise<JobRecord> {
    let recorded = false;
    const job = await this.db.tx(async (sql) => {
      recorded = false; // a retried transaction starts over
      const team = await openTeamOfJob(sql, this.catalog, jobId);
      const { row, held } = await this.finishing(sql, jobId, options); // read under the team's lock
      if (!UNFINISHED.includes(row.status) || !held) return this.toJob(row, sql);
      const captured = row.hold_id ? await ledger.capture(sql, row.hold_id, result.charge, team.periodStart) : null;
      if (captured && !captured.changed) {
        // The hold expired (the job ran past its timeout plus margin): its credits are back already.
        await this.returnFreeImages(sql, row);
        await this.finish(sql, row, "failed", 0, { code: "provider_error", message: "The job ran out of time. Nothing was charged." }, 0);
        return this.toJob(await this.row(sql, jobId), sql);
      }
      const spec = JSON.parse(row.spec) as JobSpec;
      const parentAssetId = await this.parentAsset(sql, row, spec);
      let position = 0;
      for (const { content, format, ...a } of result.assets)
        await this.assets.insert(
          sql,
          {
            id: newId("ast"),
            teamId: row.team_id,
            jobId,
            memberId: row.member_id,
            operation: row.operation,
            operationKey: operationKey(spec),
            params: spec as unknown as Record<string, unknown>,
            parentAssetId,
            format: format ?? null,
            ...a,
          },
          position++,
          content,
        );
      if (row.project_id) await sql.run("UPDATE assets SET project_id = $1 WHERE job_id = $2", [row.project_id, jobId]);
      if (result.freeUsed) await this.returnFreeImages(sql, row, result.freeUsed);
      await this.finish(sql, row, "succeeded", captured?.hold.captured ?? 0, null, result.assets.length);
      recorded = true;
      return this.toJob(await this.row(sql, jobId), sql);
    });
    // Finished now, or already before; a job another instance holds keeps its inputs.
    if (UNFINISHED.includes(job.status)) return job;
    await this.releaseInputs(job.inputs);
    // Ran out of time, or finished before: the results the runner stored are nobody's.
    if (!recorded) await this.releaseInputs(Object.fromEntries(result.assets.map((a, i) => [i, a.sha256])));
    return job;
  }

  /** The team's asset the input came from: the one the spec names, else one with the input's exact bytes. */
  private async parentAsset(sql: Sql, row: JobRow, spec: JobSpec): Promise<string | null> {
    const named = "sourceAssetId" in spec ? (spec.sourceAssetId ?? null) : null;
    const image = row.inputs ? (JSON.parse(row.inputs) as Record<string, string>).image : undefined;
    if (!named && !image) return null;
    const found = await sql.one<{ id: string }>(
      `SELECT id FROM assets WHERE team_id = $1 AND (id = $2 OR sha256 = $3) ORDER BY CASE WHEN id = $2 THEN 0 ELSE 1 END, created_at LIMIT 1`,
      [row.team_id, named ?? "", image ?? ""],
    );
    return found?.id ?? null;
  }

  async fail(jobId: string, error: JobFailure, options: FinishOptions = {}): Promise<JobRecord> {
    const job = await this.db.tx(async (sql) => {
      const team = await openTeamOfJob(sql, this.catalog, jobId);
      const { row, held } = await this.finishing(sql, jobId, options);
      if (!UNFINISHED.includes(row.status) || !held) return this.toJob(row, sql);
      if (row.hold_id) await ledger.release(sql, row.hold_id, "released", team.periodStart);
      await this.returnFreeImages(sql, row);
      await this.finish(sql, row, "failed", 0, error, 0);
      return this.toJob(await this.row(sql, jobId), sql);
    });
    if (!UNFINISHED.includes(job.status)) await this.releaseInputs(job.inputs); // finished now, or already before
    return job;
  }

  async expireOverdue(error: JobFailure): Promise<string[]> {
    const failed: string[] = [];
    for (const h of await ledger.overdueHolds(this.db)) {
      const expired = await this.db.tx(async (sql) => {
        await ledger.lockBalance(sql, h.team_id);
        const { hold, changed } = await ledger.release(sql, h.id, "expired");
        if (!changed || !hold.jobId) return null;
        const row = await sql.one<JobRow>("SELECT * FROM jobs WHERE id = $1", [hold.jobId]);
        if (!row || !UNFINISHED.includes(row.status)) return null;
        await this.returnFreeImages(sql, row);
        await this.finish(sql, row, "failed", 0, error, 0);
        return row;
      });
      if (!expired) continue;
      failed.push(expired.id);
      await this.releaseInputs(expired.inputs ? (JSON.parse(expired.inputs) as Record<string, string>) : {});
    }
    return failed;
  }

  // Renewing and releasing are conditional on holding the lease: after a lapse (a database stall) another
  // instance may have taken the job over, and its lease is not this process's to extend or end.
  async renewLeases(jobIds: readonly string[], leaseMs: number): Promise<string[]> {
    const gone: string[] = [];
    for (const id of jobIds) {
      const renewed = await this.db.run(
        `UPDATE jobs SET lease_until = ${this.db.dialect.nowPlusMs("$2")} WHERE id = $1 AND lease_owner = $3 AND status IN ('queued', 'running')`,
        [id, leaseMs, this.instanceId],
      );
      if (renewed === 0) gone.push(id);
    }
    return gone;
  }

  async releaseLeases(jobIds: readonly string[]): Promise<string[]> {
    const released: string[] = [];
    // A second in the past: lapsed for every proxy's next sweep, whatever the clocks' granularity.
    for (const id of jobIds)
      if (
        (await this.db.run(`UPDATE jobs SET lease_until = ${this.db.dialect.nowMinusMs("$2")} WHERE id = $1 AND lease_owner = $3 AND status IN ('queued', 'running')`, [
          id,
          1000,
          this.instanceId,
        ])) === 1
      )
        released.push(id);
    return released;
  }

  async claimLapsed(leaseMs: number, limit = 50): Promise<JobRecord[]> {
    const lapsed = await this.db.all<{ id: string; lease_until: string }>(
      `SELECT id, lease_until FROM jobs WHERE status IN ('queued', 'running') AND lease_until IS NOT NULL AND lease_until < ${this.db.dialect.now}
       ORDER BY lease_until LIMIT $1`,
      [limit],
    );
    const claimed: JobRecord[] = [];
    for (const j of lapsed) {
      // Conditional on the lease we saw: of several processes noticing the same job, one wins.
      const row = await this.db.one<JobRow>(
        `UPDATE jobs SET lease_until = ${this.db.dialect.nowPlusMs("$2")}, lease_owner = $4 WHERE id = $1 AND lease_until = $3 AND status IN ('queued', 'running') RETURNING *`,
        [j.id, leaseMs, j.lease_until, this.instanceId],
      );
      if (row) claimed.push(await this.toJob(row));
    }
    return claimed;
  }

  freeUsed(teamId: string): Promise<Record<string, number>> {
    return freeUsedIn(this.db, teamId);
  }

  /** The items of a batch, in order (batch-store.ts); inside a transaction when `sql` is one. */
  async listByBatch(batchId: string, sql: Sql = this.db): Promise<JobRecord[]> {
    const rows = await sql.all<JobRow>("SELECT * FROM jobs WHERE batch_id = $1 ORDER BY batch_index", [batchId]);
    // Every succeeded item's assets in one query: an events stream reads the batch at each item's change.
    const assets = await this.assets.listByJobs(rows.filter((r) => r.status === "succeeded").map(assetOwner), sql);
    return rows.map((r) => jobOf(r, r.status === "succeeded" ? (assets.get(assetOwner(r)) ?? []) : []));
  }

  /**
   * Fails a job that has not started, releasing its hold, inside the caller's transaction (which holds the
   * team's balance lock, `periodStart` the team's current period): conditional on the job still being queued, so a runner that marked it running first
   * runs it and this changes nothing (markRunning is conditional the other way). True when it was failed.
   */
  async failQueuedIn(sql: Sql, jobId: string, error: JobFailure, periodStart: string): Promise<boolean> {
    const row = await sql.one<JobRow>("SELECT * FROM jobs WHERE id = $1", [jobId]);
    if (!row || row.status !== "queued") return false;
    const total = (JSON.parse(row.progress) as JobProgress).total;
    const failed = await sql.run(
      `UPDATE jobs SET status = 'failed', held = 0, charged = 0, error = $2, progress = $3, lease_until = NULL,
              finished_at = ${sql.dialect.now}, updated_at = ${sql.dialect.now}
       WHERE id = $1 AND status = 'queued'`,
      [jobId, JSON.stringify(error), JSON.stringify({ stage: "done", completed: 0, total } satisfies JobProgress)],
    );
    if (failed !== 1) return false;
    if (row.hold_id) await ledger.release(sql, row.hold_id, "released", periodStart);
    await this.returnFreeImages(sql, row);
    return true;
  }
}
