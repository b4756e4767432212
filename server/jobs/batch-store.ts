// Batches over `Db` (POST /v1/batches; docs/api.md, docs/ledger.md). A batch is priced ONCE, inside one
// transaction with the team's balance locked, from the balance, member cap and free allowances read there;
// the same transaction inserts the batch row and one job per item, each holding its own share of that
// estimate (core's itemEstimate). A hold the balance or the cap refuses throws and rolls everything back, so
// a batch holds all of its items or none. From then on each item is an ordinary job: the runner runs it,
// and job-store.ts captures or releases its hold like any other job's, so charging has one code path.
// The batch row keeps only the request; status, held, charged and progress are its items'.
import type { Operation } from "../../core/api/specs.ts";
import type { Catalog } from "../../core/catalog/schema.ts";
import { itemEstimate } from "../../core/batch.ts";
import { tierById, type Estimate } from "../../core/estimate.ts";
import type { SqlAssetRepo } from "../assets/asset-repo.ts";
import type { Db, Sql } from "../db/sql.ts";
import { newId } from "../ids.ts";
import * as ledger from "../ledger/ledger-ops.ts";
import { memberFigures } from "../ledger/member-spend.ts";
import { openTeam } from "../ledger/period-ops.ts";
import { freeImages } from "./charge.ts";
import { holdContext } from "./hold-context.ts";
import { BatchIdempotencyMismatchError, JobRefusedError, RateLimitedError } from "./errors.ts";
import { freeUsedIn, insertJob, newJobColumns, RATE_WINDOW_MS, type SqlJobStore } from "./job-store.ts";
import { pricingState } from "./pricing-state.ts";
import type { JobFailure, JobProgress, JobRecord, NewJob, PricingState } from "./types.ts";

interface BatchRow {
  id: string;
  team_id: string;
  member_id: string;
  idempotency_key: string | null;
  request_hash: string;
  operation: Operation;
  estimate: string;
  items: number;
  cancelled: number;
  created_at: string;
  updated_at: string;
}

export interface BatchRecord {
  id: string;
  teamId: string;
  memberId: string;
  idempotencyKey: string | null;
  requestHash: string;
  operation: Operation;
  /** The one estimate the batch was priced and held by; line `step` = item index. */
  estimate: Estimate;
  cancelled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A batch with its item jobs, in order. */
export interface BatchWithItems {
  batch: BatchRecord;
  items: JobRecord[];
}

/** One item of a new batch: what a single job request would give the job store, less what the batch shares. */
export type NewBatchItem = Pick<NewJob, "spec" | "requestHash" | "inputs" | "freeModelKeys" | "reuseKey">;

export interface NewBatch {
  teamId: string;
  memberId: string;
  idempotencyKey: string | null;
  /** The whole request's fingerprint (every item's spec and image hashes). */
  requestHash: string;
  items: NewBatchItem[];
  /** Prices the whole batch from the state read in the transaction: the batch's one call of core's estimate(). */
  price(state: PricingState): Estimate;
  /** Item `index`'s hold expiry: later items wait longer in line for a provider slot (accept-batch.ts). */
  holdTtlMs(index: number): number;
  leaseMs: number;
}

export interface BatchStore {
  /**
   * In one transaction with the team's balance locked: replays an idempotent retry (same key, same request:
   * that batch, `created: false`, nothing held; another request: BatchIdempotencyMismatchError), checks the
   * tier's jobs per minute (the batch is one request), prices the batch once (JobRefusedError), inserts it
   * and its item jobs, and holds each item's share (InsufficientCreditsError, MemberCapReachedError from the
   * conditional updates, rolling the whole batch back).
   */
  createWithHolds(input: NewBatch): Promise<BatchWithItems & { created: boolean }>;
  /** Team-scoped: another team's batch is null. */
  get(teamId: string, batchId: string): Promise<BatchWithItems | null>;
  /**
   * Cancels the rest of a batch in one transaction: every item still queued fails with `error` and its hold
   * is released at once (conditional on it still being queued, so an item a runner already started runs and
   * is charged as usual). Idempotent. `cancelled`: the items this call failed.
   */
  cancel(teamId: string, batchId: string, error: JobFailure): Promise<(BatchWithItems & { cancelled: JobRecord[] }) | null>;
}

function toBatch(r: BatchRow): BatchRecord {
  return {
    id: r.id,
    teamId: r.team_id,
    memberId: r.member_id,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    operation: r.operation,
    estimate: JSON.parse(r.estimate) as Estimate,
    cancelled: Number(r.cancelled) === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class SqlBatchStore implements BatchStore {
  constructor(
    private readonly db: Db,
    private readonly catalog: Catalog,
    /** The item jobs: read, and failed when a batch is cancelled. */
    private readonly jobs: Pick<SqlJobStore, "listByBatch" | "failQueuedIn" | "instanceId">,
    /** The blob locks of the items' inputs, and freeing the inputs of cancelled items. */
    private readonly assets: Pick<SqlAssetRepo, "pinBlob" | "releaseInputs">,
  ) {}

  createWithHolds(input: NewBatch): Promise<BatchWithItems & { created: boolean }> {
    if (input.items.length === 0) throw new RangeError("a batch has at least one item");
    const operation = input.items[0]!.spec.operation;
    return this.db.tx(async (sql) => {
      const team = await openTeam(sql, this.catalog, input.teamId); // locks the team's balance row
      if (input.idempotencyKey) {
        const existing = await sql.one<BatchRow>("SELECT * FROM batches WHERE team_id = $1 AND idempotency_key = $2", [input.teamId, input.idempotencyKey]);
        if (existing) {
          if (existing.request_hash !== input.requestHash) throw new BatchIdempotencyMismatchError(existing.id);
          return { batch: toBatch(existing), items: await this.jobs.listByBatch(existing.id, sql), created: false };
        }
      }
      // One request against the tier's jobs per minute, as POST /v1/jobs is; its items count as jobs after it.
      const tier = tierById(this.catalog, team.tier);
      const recent = (await sql.one<{ n: number; oldest: string | null; now: string }>(
        `SELECT count(*) AS n, min(created_at) AS oldest, ${sql.dialect.now} AS now FROM jobs WHERE team_id = $1 AND created_at > ${sql.dialect.nowMinusMs("$2")}`,
        [input.teamId, RATE_WINDOW_MS],
      ))!;
      if (Number(recent.n) >= tier.jobsPerMinute)
        throw new RateLimitedError(tier.jobsPerMinute, Math.max(1000, Date.parse(recent.oldest ?? recent.now) + RATE_WINDOW_MS - Date.parse(recent.now)));

      const member = await memberFigures(sql, input.memberId, team.periodStart);
      const freeUsed = input.items.some((i) => i.freeModelKeys?.length !== 0) ? await freeUsedIn(sql, input.teamId, team.periodStart) : {};
      // Sorted, so two batches sharing images lock their blobs in the same order (no deadlock on PostgreSQL).
      const shas = [...new Set(input.items.flatMap((i) => Object.values(i.inputs ?? {})))].sort();
      for (const sha256 of shas) await this.assets.pinBlob(sql, sha256);
      // Every item is charged to the same project (core's batchSchema): the role's limits and that project's
      // budget, as a single job reads them (an unknown or archived project is refused here).
      const projectId = input.items[0]!.spec.projectId ?? null;
      const controls = await holdContext(sql, input.teamId, input.memberId, projectId, team.periodStart);
      // The batch's one estimate, from the figures this transaction holds locked (reuse never applies).
      const estimate = input.price({ ...pricingState({ tier: team.tier, balance: team.balance, member, freeUsed }), reuse: null, ...controls });
      if (!estimate.allowed) throw new JobRefusedError(estimate.reasons[0]!);

      const batch = await sql.one<BatchRow>(
        `INSERT INTO batches (id, team_id, member_id, idempotency_key, request_hash, operation, estimate, items)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (team_id, idempotency_key) DO NOTHING RETURNING *`,
        [newId("bat"), input.teamId, input.memberId, input.idempotencyKey, input.requestHash, operation, JSON.stringify(estimate), input.items.length],
      );
      // The balance lock makes a concurrent duplicate impossible here; the UNIQUE constraint is the backstop.
      if (!batch) throw new Error(`idempotency key ${input.idempotencyKey} was taken under a held lock`);
      for (const [index, item] of input.items.entries()) {
        const share = itemEstimate(estimate, index);
        const free = freeImages(share);
        const holdId = newId("hold");
        const job = await insertJob(
          sql,
          {
            ...newJobColumns({ ...item, teamId: input.teamId, memberId: input.memberId, idempotencyKey: null }, share, team.periodStart),
            status: "queued",
            progress: JSON.stringify({ stage: "queued", completed: 0, total: Math.max(1, share.steps[0]!.images) } satisfies JobProgress),
            free_images: Object.values(free).reduce((a, b) => a + b, 0),
            hold_id: holdId,
            held: share.total,
            batch_id: batch.id,
            batch_index: index,
            lease_owner: this.jobs.instanceId, // this process's lease, as for a single job
          },
          { lease_until: sql.dialect.nowPlusMs("?") },
          [input.leaseMs],
        );
        // Each item's own hold of its share; the first the balance or the cap refuses rolls the batch back.
        await ledger.hold(
          sql,
          { id: holdId, teamId: input.teamId, memberId: input.memberId, jobId: job!.id, amount: share.total, ttlMs: input.holdTtlMs(index), projectId },
          team.periodStart,
        );
        for (const [key, n] of Object.entries(free))
          await sql.run(
            `INSERT INTO free_use (team_id, period_start, model_key, used) VALUES ($1, $2, $3, $4)
             ON CONFLICT (team_id, period_start, model_key) DO UPDATE SET used = free_use.used + excluded.used`,
            [input.teamId, team.periodStart, key, n],
          );
      }
      return { batch: toBatch(batch), items: await this.jobs.listByBatch(batch.id, sql), created: true };
    });
  }

  async get(teamId: string, batchId: string): Promise<BatchWithItems | null> {
    const row = await this.db.one<BatchRow>("SELECT * FROM batches WHERE id = $1 AND team_id = $2", [batchId, teamId]);
    return row ? { batch: toBatch(row), items: await this.jobs.listByBatch(row.id) } : null;
  }

  async cancel(teamId: string, batchId: string, error: JobFailure): Promise<(BatchWithItems & { cancelled: JobRecord[] }) | null> {
    const result = await this.db.tx(async (sql: Sql) => {
      const exists = await sql.one<{ id: string }>("SELECT id FROM batches WHERE id = $1 AND team_id = $2", [batchId, teamId]);
      if (!exists) return null;
      const team = await openTeam(sql, this.catalog, teamId); // locks the team's balance row
      const unfinished = await sql.all<{ id: string; status: string }>(
        "SELECT id, status FROM jobs WHERE batch_id = $1 AND status IN ('queued', 'running') ORDER BY batch_index",
        [batchId],
      );
      const cancelledIds: string[] = [];
      for (const job of unfinished.filter((j) => j.status === "queued"))
        if (await this.jobs.failQueuedIn(sql, job.id, error, team.periodStart)) cancelledIds.push(job.id);
      // A batch that had finished already is left as it ended: there was nothing left to cancel.
      const row = (await sql.one<BatchRow>(
        unfinished.length > 0
          ? `UPDATE batches SET cancelled = 1, updated_at = CASE WHEN cancelled = 1 THEN updated_at ELSE ${sql.dialect.now} END WHERE id = $1 RETURNING *`
          : "SELECT * FROM batches WHERE id = $1",
        [batchId],
      ))!;
      const items = await this.jobs.listByBatch(batchId, sql);
      return { batch: toBatch(row), items, cancelled: items.filter((j) => cancelledIds.includes(j.id)) };
    });
    // After the commit and best effort, as for any finished job: inputs nothing else refers to are freed.
    if (result?.cancelled.length) await this.assets.releaseInputs(result.cancelled.flatMap((j) => Object.values(j.inputs))).catch(() => undefined);
    return result;
  }
}
