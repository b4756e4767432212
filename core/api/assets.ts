// The asset library (docs/api.md: /v1/assets): every image a job delivered, with what it cost and how it was
// made. The panel's Library studio parses these; the server validates its queries with them.
import * as z from "zod";
import { operationKeySchema } from "../catalog/schema.ts";
import { instant, queryId, queryInt } from "./reports.ts";
import { lineText } from "./text.ts";

export const ASSET_PAGE_DEFAULT = 50;
export const ASSET_PAGE_MAX = 200;
export const ASSET_TYPES = ["create", "edit", "upscale", "social"] as const;
export const assetTypeSchema = z.enum(ASSET_TYPES);
export type AssetType = z.infer<typeof assetTypeSchema>;

/**
 * GET /v1/assets. `type` is the studio (create, edit, upscale, social); `operation` the priced operation
 * (`edit.inpaint`, `upscale.fast`, ...); `from`..`to` a half-open range of creation times; `q` matches the
 * prompt (case-insensitive substring). Newest first.
 */
export const assetQuerySchema = z
  .strictObject({
    type: assetTypeSchema.optional(),
    operation: operationKeySchema.optional(),
    provider: queryId.optional(),
    from: instant.optional(),
    to: instant.optional(),
    q: lineText().trim().min(1, "must not be empty").max(200, "must be at most 200 characters").optional(),
    /** Only this member's assets. */
    member: queryId.optional(),
    /** Only the assets of jobs charged to this project. */
    project: queryId.optional(),
    cursor: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, "is not a cursor this proxy gave out").optional(),
    limit: queryInt(1, ASSET_PAGE_MAX).default(ASSET_PAGE_DEFAULT),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { path: ["to"], message: "must be after from" });
export type AssetQuery = z.output<typeof assetQuerySchema>;

const safeZoneSchema = z.object({ top: z.number(), right: z.number(), bottom: z.number(), left: z.number() });

/** GET /v1/assets/:id and each row of the listing. */
export const assetSchema = z.object({
  id: z.string(),
  type: assetTypeSchema,
  operation: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  prompt: z.string().nullable(),
  /** The job spec's settings that made it (seed, quality, kind, mode, formats, ...). */
  params: z.record(z.string(), z.unknown()),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  contentType: z.enum(["image/png", "image/jpeg"]),
  bytes: z.number().int().positive(),
  /** Credits captured for it: its share of what its job was charged (0 for reuse and social). */
  cost: z.number().int().nonnegative(),
  jobId: z.string(),
  memberId: z.string(),
  memberName: z.string().optional(),
  /** The asset the job's input image came from, when known. */
  parentAssetId: z.string().nullable(),
  /** Social results: the platform format and its safe zone (drawn as a hidden layer, never burned in). */
  format: z.object({ id: z.string(), safeZone: safeZoneSchema.optional() }).nullable(),
  url: z.string(),
  createdAt: z.string(),
});
export type Asset = z.infer<typeof assetSchema>;

export const assetPageSchema = z.object({
  assets: z.array(assetSchema),
  /** Pass as `cursor` for the next, older page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type AssetPage = z.infer<typeof assetPageSchema>;

export const assetResponseSchema = z.object({ asset: assetSchema });
