// Asset metadata: one row per image a job produced; the bytes live in the BlobStore under `sha256`.
import type { AssetQuery } from "../../core/api/assets.ts";

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
  /** The studio: create, edit, upscale, social. */
  operation: string;
  /** The priced operation: create, edit.<kind>, upscale.<mode>, social. */
  operationKey: string;
  provider: string | null;
  model: string | null;
  prompt: string | null;
  /** The job spec that made it. */
  params: Record<string, unknown>;
  /** The asset the job's input image came from, when known. */
  parentAssetId: string | null;
  /** Social results: the catalog's format id. */
  format: string | null;
  createdAt: string;
}

/** A row of the library: the record plus the name of the member who made it. */
export interface ListedAsset extends AssetRecord {
  memberName: string;
}

/** GET /v1/assets's validated query; `limit` defaults to ASSET_PAGE_DEFAULT here too. */
export type AssetListQuery = Omit<AssetQuery, "limit"> & { limit?: number };

export interface AssetListPage {
  /** Newest first, by (createdAt, id). */
  assets: ListedAsset[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
}

export interface AssetRepo {
  /** Team-scoped: another team's asset is null, like a missing one. */
  get(teamId: string, assetId: string): Promise<AssetRecord | null>;
  listByJob(jobId: string): Promise<AssetRecord[]>;
  /** One page of the team's library. Throws InvalidCursorError for a cursor this repo did not give out. */
  list(teamId: string, query?: AssetListQuery): Promise<AssetListPage>;
  /**
   * Removes the team's asset (null when the team has no such asset) and, in the same transaction, its bytes
   * when no other asset (of any team) and no unfinished job's input refers to them any more.
   */
  delete(teamId: string, assetId: string): Promise<AssetRecord | null>;
  /** Frees stored bytes older than `ageMs` that no row refers to (left by a crash before a commit). */
  sweepOrphans(ageMs: number): Promise<string[]>;
}
