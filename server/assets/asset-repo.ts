// Asset metadata over `Db`. `insert` runs inside the job store's transaction that captures the credits, so an
// asset row exists exactly when its cost was charged. `list` pages the library newest first by keyset on
// (created_at, id), which every filter's index ends with (migration 003); `delete` frees the bytes once
// nothing refers to them, under the same per-blob row lock that `insert` takes.
import { ASSET_PAGE_DEFAULT, ASSET_PAGE_MAX } from "../../core/api/assets.ts";
import { decodeCursor, encodeCursor, pageLimit, pageOf } from "../db/cursor.ts";
import type { Db, Sql, SqlValue } from "../db/sql.ts";
import type { BlobStore } from "./blob-store.ts";
import type { AssetListPage, AssetListQuery, AssetRecord, AssetRepo, ListedAsset } from "./types.ts";

interface AssetRow {
  id: string;
  team_id: string;
  job_id: string;
  member_id: string;
  sha256: string;
  content_type: AssetRecord["contentType"];
  width: number;
  height: number;
  bytes: number;
  cost: number;
  operation: string;
  operation_key: string | null;
  provider: string | null;
  model: string | null;
  prompt: string | null;
  params: string | null;
  parent_asset_id: string | null;
  format: string | null;
  created_at: string;
}

interface ListedRow extends AssetRow {
  member_name: string;
}

const toAsset = (r: AssetRow): AssetRecord => ({
  id: r.id,
  teamId: r.team_id,
  jobId: r.job_id,
  memberId: r.member_id,
  sha256: r.sha256,
  contentType: r.content_type,
  width: r.width,
  height: r.height,
  bytes: r.bytes,
  cost: r.cost,
  operation: r.operation,
  operationKey: r.operation_key ?? r.operation,
  provider: r.provider,
  model: r.model,
  prompt: r.prompt,
  params: r.params ? (JSON.parse(r.params) as Record<string, unknown>) : {},
  parentAssetId: r.parent_asset_id,
  format: r.format,
  createdAt: r.created_at,
});

/** The position after an asset in newest-first order: its (createdAt, id), as a cursor (db/cursor.ts). */
export const encodeAssetCursor = (createdAt: string, id: string): string => encodeCursor(createdAt, id);

const ASSET_KEY = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)\|([A-Za-z0-9_-]{1,40})$/;

export function decodeAssetCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = decodeCursor(cursor, ASSET_KEY) as [string, string];
  return { createdAt, id };
}

/**
 * `q` as a LIKE pattern for `lower(prompt)`: a substring match with `%`, `_` and the escape character taken
 * literally. Only A-Z are folded, because that is all lower() folds on both databases (SQLite's built-in
 * lower(), and PostgreSQL's on the prompt's "C" collation), so both answer the same.
 */
export function promptPattern(q: string): string {
  const folded = q.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return `%${folded.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** Takes the blob's row lock whether or not the row exists yet (an insert may be creating it right now, and
 * a SELECT ... FOR UPDATE would not wait for that); on SQLite the write transaction is the lock. */
const LOCK_BLOB = "INSERT INTO blobs (sha256) VALUES ($1) ON CONFLICT (sha256) DO UPDATE SET sha256 = excluded.sha256";

export class SqlAssetRepo implements AssetRepo {
  constructor(
    private readonly db: Db,
    private readonly blobs?: BlobStore,
  ) {}

  /**
   * Inside the caller's transaction, before a row that refers to the bytes (an asset, or a job's input) is
   * written: takes the blob's lock, and puts the bytes back if a delete that committed just before removed
   * them. A delete that comes later waits for this transaction and then sees the new reference.
   */
  async pinBlob(sql: Sql, sha256: string, content?: Uint8Array): Promise<void> {
    await sql.run(LOCK_BLOB, [sha256]);
    if (content && this.blobs && !(await this.blobs.has(sha256))) await this.blobs.put(content);
  }

  /**
   * Must run inside the caller's transaction. Locks the blob's row first (see `blobs` in migration 003): a
   * concurrent delete of another asset with the same bytes either finished before (and its file is put
   * back from `content`) or waits until this transaction commits and then sees this asset.
   */
  async insert(sql: Sql, a: Omit<AssetRecord, "createdAt">, position: number, content?: Uint8Array): Promise<AssetRecord> {
    await this.pinBlob(sql, a.sha256, content);
    const row = await sql.one<AssetRow>(
      `INSERT INTO assets (id, team_id, job_id, member_id, sha256, content_type, width, height, bytes, cost, operation, provider, model, prompt, position,
                           operation_key, params, parent_asset_id, format)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING *`,
      [
        a.id, a.teamId, a.jobId, a.memberId, a.sha256, a.contentType, a.width, a.height, a.bytes, a.cost, a.operation, a.provider, a.model, a.prompt, position,
        a.operationKey, JSON.stringify(a.params), a.parentAssetId, a.format,
      ],
    );
    return toAsset(row!);
  }

  async get(teamId: string, assetId: string): Promise<AssetRecord | null> {
    const row = await this.db.one<AssetRow>("SELECT * FROM assets WHERE id = $1 AND team_id = $2", [assetId, teamId]);
    return row ? toAsset(row) : null;
  }

  async listByJob(jobId: string, sql: Sql = this.db): Promise<AssetRecord[]> {
    return (await sql.all<AssetRow>("SELECT * FROM assets WHERE job_id = $1 ORDER BY position, id", [jobId])).map(toAsset);
  }

  /** The assets of several jobs in one query (a batch's items, bounded by the tier's maxBatch), each job's in order. */
  async listByJobs(jobIds: readonly string[], sql: Sql = this.db): Promise<Map<string, AssetRecord[]>> {
    const byJob = new Map<string, AssetRecord[]>(jobIds.map((id) => [id, []]));
    if (jobIds.length === 0) return byJob;
    const rows = await sql.all<AssetRow>(`SELECT * FROM assets WHERE job_id IN (${jobIds.map((_, i) => `$${i + 1}`).join(", ")}) ORDER BY job_id, position, id`, jobIds);
    for (const row of rows) byJob.get(row.job_id)?.push(toAsset(row));
    return byJob;
  }

  async list(teamId: string, query: AssetListQuery = {}): Promise<AssetListPage> {
    const limit = pageLimit(query.limit, ASSET_PAGE_DEFAULT, ASSET_PAGE_MAX);
    const params: SqlValue[] = [teamId];
    const where = ["a.team_id = $1"];
    /** Appends `clause`, its `?`s numbered after the parameters so far. */
    const filter = (clause: string, ...values: SqlValue[]) => {
      let i = 0;
      where.push(
        clause.replace(/\?/g, () => {
          params.push(values[i++]!);
          return `$${params.length}`;
        }),
      );
    };
    if (query.type) filter("a.operation = ?", query.type);
    if (query.operation) filter("a.operation_key = ?", query.operation);
    if (query.provider) filter("a.provider = ?", query.provider);
    if (query.member) filter("a.member_id = ?", query.member);
    if (query.project) filter("a.project_id = ?", query.project);
    if (query.from) filter("a.created_at >= ?", query.from);
    if (query.to) filter("a.created_at < ?", query.to);
    // A trigram index (PostgreSQL) cannot narrow a term under 3 characters and would only slow it down; the
    // `|| ''` keeps the planner from choosing it, so such a search walks the page order like SQLite does.
    if (query.q) filter(`${query.q.length < 3 ? "(lower(a.prompt) || '')" : "lower(a.prompt)"} LIKE ? ESCAPE '!'`, promptPattern(query.q));
    if (query.cursor) {
      const after = decodeAssetCursor(query.cursor);
      // A row value, so both databases walk the index (team_id, [filter,] created_at, id) from the cursor on.
      filter("(a.created_at, a.id) < (?, ?)", after.createdAt, after.id);
    }
    params.push(limit + 1); // one more than asked tells whether another page follows
    const rows = await this.db.all<ListedRow>(
      `SELECT a.*, m.name AS member_name
       FROM assets a JOIN members m ON m.id = a.member_id
       WHERE ${where.join(" AND ")}
       ORDER BY a.created_at DESC, a.id DESC
       LIMIT $${params.length}`,
      params,
    );
    const page = pageOf(rows, limit, (last) => encodeAssetCursor(last.created_at, last.id));
    return { assets: page.rows.map((r): ListedAsset => ({ ...toAsset(r), memberName: r.member_name })), nextCursor: page.nextCursor };
  }

  /**
   * One transaction: the row goes, then the blob's row is locked and the bytes are deleted when no asset of
   * any team and no unfinished job's input refers to them. An `insert` of the same bytes either committed
   * before the lock was granted (READ COMMITTED: the check below sees its asset) or waits for this commit and
   * then finds the file gone and puts it back from its content. The file is deleted last, just before the
   * commit, while the lock is held: deleting it after the commit would let such an insert see the file, skip
   * the put, and lose it a moment later. A transaction retried after the file went deletes it again (a no-op);
   * only a COMMIT that fails after every statement succeeded would bring the row back without its bytes
   * (content then answers 404, and deleting the asset again removes the row).
   */
  delete(teamId: string, assetId: string): Promise<AssetRecord | null> {
    return this.db.tx(async (sql) => {
      const row = await sql.one<AssetRow>("DELETE FROM assets WHERE id = $1 AND team_id = $2 RETURNING *", [assetId, teamId]);
      if (!row) return null;
      await this.freeIfUnused(sql, row.sha256);
      return toAsset(row);
    });
  }

  /**
   * After a job finished: the bytes of its inputs go unless an asset or an unfinished job refers to them
   * (uploads are not in the library). One transaction per blob, under the same lock as `delete`.
   */
  async releaseInputs(sha256s: readonly string[]): Promise<void> {
    for (const sha256 of new Set(sha256s)) await this.db.tx(async (sql) => void (await this.freeIfUnused(sql, sha256)));
  }

  /**
   * Bytes that no row refers to: written by a process that died (or whose transaction failed) between writing
   * them and committing the row that would refer to them. Files older than `ageMs` without a `blobs` row are
   * each freed under the blob's lock like any other (a writer that is merely slow puts its bytes back from
   * its content in its own transaction, see pinBlob). Returns the sha256s freed.
   */
  async sweepOrphans(ageMs: number): Promise<string[]> {
    if (!this.blobs) return [];
    const cutoff = Date.now() - ageMs;
    const freed: string[] = [];
    let batch: string[] = [];
    const check = async () => {
      const known = new Set(
        (await this.db.all<{ sha256: string }>(`SELECT sha256 FROM blobs WHERE sha256 IN (${batch.map((_, i) => `$${i + 1}`).join(", ")})`, batch)).map((r) => r.sha256),
      );
      for (const sha256 of batch.filter((s) => !known.has(s))) {
        const gone = await this.db.tx(async (sql) => this.freeIfUnused(sql, sha256));
        if (gone) freed.push(sha256);
      }
      batch = [];
    };
    for await (const blob of this.blobs.list()) {
      if (blob.modifiedAt > cutoff) continue;
      batch.push(blob.sha256);
      if (batch.length === 500) await check();
    }
    if (batch.length) await check();
    return freed;
  }

  /** Under the blob's lock: deletes its row and bytes when no asset of any team and no unfinished job's input refers to them. */
  private async freeIfUnused(sql: Sql, sha256: string): Promise<boolean> {
    await sql.run(LOCK_BLOB, [sha256]);
    const asset = await sql.one<{ one: number }>("SELECT 1 AS one FROM assets WHERE sha256 = $1 LIMIT 1", [sha256]);
    // inputs is JSON text of sha256 values ({"image": "<hex>"}); a hex digest has no LIKE wildcards.
    const input = asset
      ? undefined
      : await sql.one<{ one: number }>("SELECT 1 AS one FROM jobs WHERE status IN ('queued', 'running') AND inputs LIKE $1 LIMIT 1", [`%${sha256}%`]);
    if (asset || input) return false;
    await sql.run("DELETE FROM blobs WHERE sha256 = $1", [sha256]);
    await this.blobs?.delete(sha256);
    return true;
  }
}
