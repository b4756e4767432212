// Request and response shapes of docs/api.md that the panel and the server share. The server builds these
// objects; the panel parses them, so a drifting server shows up as a clear error in the panel.
import * as z from "zod";
import { catalogSchema, templateSchema, tierIdSchema } from "../catalog/schema.ts";
import { errorCodeSchema, jobErrorSchema } from "./errors.ts";
import { batchSchema, jobSpecSchema, planSchema, sizeSchema } from "./specs.ts";
import { roleRulesSchema } from "./managers.ts";

export const healthSchema = z.object({
  ok: z.boolean(),
  /** Why `ok` is false: "unavailable" (no database) or "draining" (shutting down). Absent from older proxies. */
  status: z.enum(["ok", "draining", "unavailable"]).optional(),
  version: z.string(),
  database: z.enum(["sqlite", "postgres"]),
});
export type Health = z.infer<typeof healthSchema>;

export const providerStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  configured: z.boolean(),
  /** Why a provider cannot be used, for the panel to show beside a disabled choice. */
  reason: z.string().optional(),
  /** Catalog models the provider reported gone (retired, no longer served): why, and since when. */
  unavailableModels: z.array(z.object({ model: z.string(), reason: z.string(), since: z.string() })).optional(),
});
export type ProviderStatus = z.infer<typeof providerStatusSchema>;

export const catalogResponseSchema = z.object({
  catalog: catalogSchema,
  providers: z.array(providerStatusSchema),
});
export type CatalogResponse = z.infer<typeof catalogResponseSchema>;

export const roleSchema = z.enum(["member", "manager"]);
export type Role = z.infer<typeof roleSchema>;

export const balanceSchema = z.object({
  /** null for enterprise: metered, never capped. */
  available: z.number().int().nullable(),
  held: z.number().int().nonnegative(),
  granted: z.number().int().nonnegative(),
  spent: z.number().int().nonnegative(),
  periodEndsAt: z.string(),
});
export type Balance = z.infer<typeof balanceSchema>;

export const meSchema = z.object({
  user: z.object({ id: z.string(), name: z.string() }),
  role: roleSchema,
  team: z.object({ id: z.string(), name: z.string(), tier: tierIdSchema }),
  balance: balanceSchema,
  member: z.object({
    monthlyCap: z.number().int().nullable(),
    spent: z.number().int().nonnegative(),
    /** What the cap still allows (cap - spent - held), as the server checks it; null without a cap. */
    capRemaining: z.number().int().nonnegative().nullable(),
  }),
  /** Free-allowance images used this period by `provider/model`, so badges price them exactly. */
  freeUsed: z.record(z.string(), z.number().int().nonnegative()),
  /** What the caller's role may use (the team's policy); absent or null = anything. estimate()'s `role`. */
  roleRules: roleRulesSchema.nullable().optional(),
});
export type Me = z.infer<typeof meSchema>;

/** POST /v1/estimate: a spec (with `input: {width, height}` instead of images), a plan, or a batch. */
export const estimateRequestSchema = z.union([planSchema, batchSchema, jobSpecSchema]);

export const estimateLineSchema = z.object({
  label: z.string(),
  quantity: z.number().int(),
  unitCredits: z.number().int(),
  credits: z.number().int(),
  note: z.string().optional(),
  step: z.number().int(),
});

export const estimateReasonSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const routeSchema = z.object({ provider: z.string(), model: z.string().nullable() });

export const estimateSchema = z.object({
  total: z.number().int().nonnegative(),
  lines: z.array(estimateLineSchema),
  allowed: z.boolean(),
  reasons: z.array(estimateReasonSchema),
  steps: z.array(
    z.object({
      route: routeSchema.nullable(),
      billedSize: sizeSchema.nullable(),
      images: z.number().int(),
      freeUsed: z.record(z.string(), z.number().int()),
    }),
  ),
  /** The identical earlier job whose images this one returns for 0 credits. */
  reuse: z.object({ jobId: z.string() }).optional(),
});
export type EstimateResponse = z.infer<typeof estimateSchema>;

export const jobStatusSchema = z.enum(["queued", "running", "succeeded", "failed"]);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const assetRefSchema = z.object({
  id: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  contentType: z.enum(["image/png", "image/jpeg"]),
  bytes: z.number().int().positive(),
  /** Credits captured for this asset (its share of the job's charge). */
  cost: z.number().int().nonnegative(),
  url: z.string(),
  /** Social results: the catalog's format id (its safe zone is in the catalog). */
  format: z.string().optional(),
});
export type AssetRef = z.infer<typeof assetRefSchema>;

export const jobProgressSchema = z.object({
  stage: z.enum(["queued", "running", "done"]),
  queuePosition: z.number().int().nonnegative().optional(),
  completed: z.number().int().nonnegative(),
  total: z.number().int().positive(),
});

export const jobSchema = z.object({
  id: z.string(),
  status: jobStatusSchema,
  operation: z.enum(["create", "edit", "upscale", "social"]),
  route: routeSchema.nullable(),
  progress: jobProgressSchema,
  estimate: estimateSchema,
  /** Credits held while the job runs. */
  held: z.number().int().nonnegative(),
  /** Credits captured; 0 until the job succeeds, and 0 for a failed job. */
  charged: z.number().int().nonnegative(),
  assets: z.array(assetRefSchema),
  /** Set when the job returned an identical earlier job's images instead of making new ones. */
  reusedFrom: z.string().optional(),
  /** An item of a batch: the batch, and the item's place in it (the order of the batch's items). */
  batch: z.object({ id: z.string(), index: z.number().int().nonnegative() }).optional(),
  /** The project the job is charged to (its spec's projectId). */
  projectId: z.string().optional(),
  error: jobErrorSchema.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Job = z.infer<typeof jobSchema>;

export const jobResponseSchema = z.object({ job: jobSchema });

/**
 * A batch's state, from its items: `queued` until one starts, `running` until all have finished, then
 * `succeeded` (every item delivered), `partial` (some did) or `failed` (none did).
 */
export const batchStatusSchema = z.enum(["queued", "running", "succeeded", "partial", "failed"]);
export type BatchStatus = z.infer<typeof batchStatusSchema>;

const count = z.number().int().nonnegative();

/** How many items are in each state; `cancelled` items are also counted as failed. */
export const batchProgressSchema = z.object({ total: z.number().int().positive(), queued: count, running: count, succeeded: count, failed: count, cancelled: count });

export const batchViewSchema = z.object({
  id: z.string(),
  status: batchStatusSchema,
  operation: z.enum(["create", "edit", "upscale", "social"]),
  /** The one estimate the batch was priced and held by; a line's `step` is its item's index. */
  estimate: estimateSchema,
  /** Credits still held for items not finished (each item's share until it ends). */
  held: count,
  /** Credits captured: the sum over the items delivered. */
  charged: count,
  progress: batchProgressSchema,
  /** Someone cancelled the rest of the batch: items not started then were failed as `cancelled`, nothing charged. */
  cancelled: z.boolean(),
  /** The items, in order: each a job of its own (GET /v1/jobs/{id} shows it too). */
  items: z.array(jobSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type BatchView = z.infer<typeof batchViewSchema>;

export const batchResponseSchema = z.object({ batch: batchViewSchema });

/** An `item` event of GET /v1/batches/{id}/events: one item changed. */
export const batchItemEventSchema = z.object({ batchId: z.string(), index: z.number().int().nonnegative(), job: jobSchema });

/** GET /v1/templates: each template with what applying it in Create would cost the caller now. */
export const templatesResponseSchema = z.object({
  templates: z.array(templateSchema.extend({ estimate: estimateSchema })),
});
export type TemplatesResponse = z.infer<typeof templatesResponseSchema>;
