// Asset metadata: one row per image a job produced; the bytes live in the BlobStore under `sha256`.
export interface AssetRecord {
  id: string;
  teamId: string;
  jobId: string;
  memberId: string;
  sha256: string;
  contentType: "image/png" | "image/jpeg";
  width: number;
  height: number;
  bytes: number;
  /** Credits captured for this asset: its share of the job's charge. */
  cost: number;
  operation: string;
  provider: string | null;
  model: string | null;
  prompt: string | null;
  createdAt: string;
}

export interface AssetRepo {
  /** Team-scoped: another team's asset is null, like a missing one. */
  get(teamId: string, assetId: string): Promise<AssetRecord | null>;
  listByJob(jobId: string): Promise<AssetRecord[]>;
}
