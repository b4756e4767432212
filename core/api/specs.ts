// Job specs of docs/api.md, discriminated by `operation`. Objects are strict: a field the server does not know is
// refused rather than silently dropped, because a dropped field could change what the user pays for.
import * as z from "zod";
import { editKindSchema, MAX_BATCH_ITEMS, qualitySchema, upscaleModeSchema } from "../catalog/schema.ts";
import { multilineText } from "./text.ts";

export const PROMPT_MAX = 10_000;
export const MAX_VARIATIONS = 10;

const prompt = multilineText()
  .max(PROMPT_MAX, `must be at most ${PROMPT_MAX} characters`)
  .refine((s) => s.trim().length > 0, "must not be empty");
const optionalText = multilineText().max(PROMPT_MAX, `must be at most ${PROMPT_MAX} characters`).optional();
const id = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, "must be a lowercase id");

export const sizeSchema = z.strictObject({
  width: z.number().int().min(64).max(8192),
  height: z.number().int().min(64).max(8192),
});
export type Size = z.infer<typeof sizeSchema>;

/** Pixel size of the input image: given by the client for estimates, read from the image for jobs. */
const input = sizeSchema.optional();
const seed = z.number().int().min(0).max(4_294_967_294).optional();
const provider = z.union([z.literal("auto"), id]).default("auto");
/** true: make a new result even if an identical earlier job could be reused for 0 credits. */
const fresh = z.boolean().optional();
/** The library asset the input image came from (the panel knows it from the node's plugin data). */
const sourceAssetId = z.string().regex(/^ast_[a-z2-7]{10,40}$/, "must be an asset id").optional();
/** The manager's project the job is charged to (its budget is checked in the hold's transaction; docs/ledger.md). */
export const projectIdSchema = z.string().regex(/^prj_[a-z2-7]{10,40}$/, "must be a project id");
const projectId = projectIdSchema.optional();

export const createSpecSchema = z.strictObject({
  operation: z.literal("create"),
  prompt,
  negativePrompt: optionalText,
  quality: qualitySchema,
  provider,
  model: id.optional(),
  aspectRatio: z.union([z.string().regex(/^\d{1,2}:\d{1,2}$/, "must look like 16:9"), sizeSchema]).optional(),
  stylePreset: id.optional(),
  seed,
  variations: z.number().int().min(1).max(MAX_VARIATIONS).default(1),
  templateId: id.optional(),
  fresh,
  projectId,
});

const expandSchema = z.strictObject({
  left: z.number().int().min(0).max(2000).default(0),
  right: z.number().int().min(0).max(2000).default(0),
  up: z.number().int().min(0).max(2000).default(0),
  down: z.number().int().min(0).max(2000).default(0),
});

export const LIGHT_DIRECTIONS = ["left", "right", "above", "below"] as const;

const editBase = z.strictObject({
    operation: z.literal("edit"),
    kind: editKindSchema,
    prompt: optionalText,
    negativePrompt: optionalText,
    searchPrompt: optionalText,
    selectPrompt: optionalText,
    expand: expandSchema.optional(),
    lightDirection: z.enum(LIGHT_DIRECTIONS).optional(),
    provider,
    seed,
    fresh,
    sourceAssetId,
    input,
    projectId,
});

function checkEdit(s: z.infer<typeof editBase>, ctx: z.RefinementCtx): void {
    const required = (field: "prompt" | "searchPrompt" | "selectPrompt") => {
      if (!s[field]?.trim()) ctx.addIssue({ code: "custom", path: [field], message: `is required for ${s.kind}` });
    };
    if (["inpaint", "search-replace", "search-recolor", "general"].includes(s.kind)) required("prompt");
    if (s.kind === "search-replace") required("searchPrompt");
    if (s.kind === "search-recolor") required("selectPrompt");
    if (s.kind === "outpaint") {
      const e = s.expand;
      if (!e || e.left + e.right + e.up + e.down === 0)
        ctx.addIssue({ code: "custom", path: ["expand"], message: "outpaint needs at least one side above 0" });
    }
}

export const editSpecSchema = editBase.superRefine(checkEdit);

export const upscaleSpecSchema = z.strictObject({
  operation: z.literal("upscale"),
  mode: upscaleModeSchema,
  prompt: optionalText,
  creativity: z.number().min(0).max(1).optional(),
  provider,
  seed,
  fresh,
  sourceAssetId,
  input,
  projectId,
});

export const socialSpecSchema = z.strictObject({
  operation: z.literal("social"),
  formats: z.array(id).min(1).max(100),
  crop: z.enum(["smart", "center", "fit"]).default("smart"),
  focalPoint: z.strictObject({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) }).optional(),
  sourceAssetId,
  input,
  projectId,
});

export const jobSpecSchema = z.discriminatedUnion("operation", [
  createSpecSchema,
  editSpecSchema,
  upscaleSpecSchema,
  socialSpecSchema,
]);

export type CreateSpec = z.infer<typeof createSpecSchema>;
export type EditSpec = z.infer<typeof editSpecSchema>;
export type UpscaleSpec = z.infer<typeof upscaleSpecSchema>;
export type SocialSpec = z.infer<typeof socialSpecSchema>;
export type JobSpec = z.infer<typeof jobSpecSchema>;
/** What a client may send before defaults are applied. */
export type JobSpecInput = z.input<typeof jobSpecSchema>;
export type Operation = JobSpec["operation"];

/** A plan step is a spec with how many times it runs ("20 creates at draft"). */
const count = { count: z.number().int().min(1).max(1000).default(1) };
export const planStepSchema = z.discriminatedUnion("operation", [
  createSpecSchema.extend(count),
  editBase.extend(count).superRefine(checkEdit),
  upscaleSpecSchema.extend(count),
  socialSpecSchema.extend(count),
]);
export type PlanStep = z.infer<typeof planStepSchema>;

export const planSchema = z.strictObject({ plan: z.array(planStepSchema).min(1).max(100) });
export type Plan = z.infer<typeof planSchema>;

/**
 * A batch (POST /v1/batches): one operation on many images at once, one item per image (or, for creates,
 * one item per up to MAX_VARIATIONS images of one prompt). Each item is a job spec of its own, so each image
 * carries its own input size (its own surcharge), source asset and, multipart, its own image parts; it is
 * priced, held and refused as one, and each item is its own provider call.
 */
export const batchSchema = z
  .strictObject({ items: z.array(jobSpecSchema).min(1).max(MAX_BATCH_ITEMS) })
  .superRefine((b, ctx) => {
    const operation = b.items[0]?.operation;
    const project = b.items[0]?.projectId;
    b.items.forEach((item, i) => {
      if (item.operation !== operation)
        ctx.addIssue({ code: "custom", path: ["items", i, "operation"], message: `every item of a batch does the same operation (${operation})` });
      // One batch, one hold context: its items are charged to one project's budget (or none).
      else if (item.projectId !== project)
        ctx.addIssue({ code: "custom", path: ["items", i, "projectId"], message: "every item of a batch is charged to the same project" });
    });
  });
export type Batch = z.infer<typeof batchSchema>;
export type BatchInput = z.input<typeof batchSchema>;
export { MAX_BATCH_ITEMS };
