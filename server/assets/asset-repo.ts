// Asset metadata over `Db`. `insert` runs inside the job store's transaction that captures the credits, so an
// asset row exists exactly when its cost was charged.
import type { Db, Sql } from "../db/sql.ts";
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

export class SqlAssetRepo implements AssetRepo {
  constructor(private readonly db: Db) {}

  /** Must run inside the caller's transaction. */
  async insert(sql: Sql, a: Omit<AssetRecord, "createdAt">, position: number): Promise<AssetRecord> {
    const row = await sql.one<AssetRow>(
      `INSERT INTO assets (id, team_id, job_id, member_id, sha256, content_type, width, height, bytes, cost, operation, provider, model, prompt, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
      [a.id, a.teamId, a.jobId, a.memberId, a.sha256, a.contentType, a.width, a.height, a.bytes, a.cost, a.operation, a.provider, a.model, a.prompt, position],
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
}
