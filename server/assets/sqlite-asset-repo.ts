// AssetRepo on SQLite. `insert` is called by the job store inside the transaction that captures the credits,
// so an asset row exists exactly when its cost was charged.
import type { SqliteDatabase } from "../db/open-sqlite.ts";
import type { AssetRecord, AssetRepo } from "./types.ts";

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
  provider: string | null;
  model: string | null;
  prompt: string | null;
  created_at: string;
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
  provider: r.provider,
  model: r.model,
  prompt: r.prompt,
  createdAt: r.created_at,
});

export class SqliteAssetRepo implements AssetRepo {
  private readonly stmts;

  constructor(db: SqliteDatabase) {
    this.stmts = {
      insert: db.prepare<Omit<AssetRow, "created_at">, AssetRow>(
        `INSERT INTO assets (id, team_id, job_id, member_id, sha256, content_type, width, height, bytes, cost, operation, provider, model, prompt)
         VALUES (@id, @team_id, @job_id, @member_id, @sha256, @content_type, @width, @height, @bytes, @cost, @operation, @provider, @model, @prompt)
         RETURNING *`,
      ),
      get: db.prepare<[string, string], AssetRow>("SELECT * FROM assets WHERE id = ? AND team_id = ?"),
      byJob: db.prepare<[string], AssetRow>("SELECT * FROM assets WHERE job_id = ? ORDER BY rowid"),
    };
  }

  /** Must run inside the caller's transaction. */
  insert(asset: Omit<AssetRecord, "createdAt">): AssetRecord {
    return toAsset(
      this.stmts.insert.get({
        id: asset.id,
        team_id: asset.teamId,
        job_id: asset.jobId,
        member_id: asset.memberId,
        sha256: asset.sha256,
        content_type: asset.contentType,
        width: asset.width,
        height: asset.height,
        bytes: asset.bytes,
        cost: asset.cost,
        operation: asset.operation,
        provider: asset.provider,
        model: asset.model,
        prompt: asset.prompt,
      })!,
    );
  }

  async get(teamId: string, assetId: string): Promise<AssetRecord | null> {
    const row = this.stmts.get.get(assetId, teamId);
    return row ? toAsset(row) : null;
  }

  async listByJob(jobId: string): Promise<AssetRecord[]> {
    return this.listByJobSync(jobId);
  }

  listByJobSync(jobId: string): AssetRecord[] {
    return this.stmts.byJob.all(jobId).map(toAsset);
  }
}
