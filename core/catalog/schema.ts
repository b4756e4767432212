// The price catalog is data, not code: the panel's badges and the server's charges both read it through
// `estimate()`, so this schema is the one contract for every price. The operator may replace the default
// with a JSON file (CATALOG_PATH); anything this schema refuses stops the server at start.
import * as z from "zod";

export const QUALITIES = ["draft", "standard", "premium"] as const;
export const qualitySchema = z.enum(QUALITIES);
export type Quality = z.infer<typeof qualitySchema>;

export const EDIT_KINDS = [
  "remove-background",
  "inpaint",
  "outpaint",
  "search-replace",
  "search-recolor",
  "replace-background-relight",
  "erase",
  "general",
] as const;
export const editKindSchema = z.enum(EDIT_KINDS);
export type EditKind = z.infer<typeof editKindSchema>;

export const UPSCALE_MODES = ["fast", "conservative", "creative"] as const;
export const upscaleModeSchema = z.enum(UPSCALE_MODES);
export type UpscaleMode = z.infer<typeof upscaleModeSchema>;

export const TIERS = ["free", "basic", "pro", "enterprise"] as const;

/**
 * The most images one batch (POST /v1/batches) may hold on any tier: each tier's own `maxBatch` is at most
 * this. It bounds a request's parts, holds and rows, whatever a catalog says.
 */
export const MAX_BATCH_ITEMS = 100;
export const tierIdSchema = z.enum(TIERS);
export type TierId = z.infer<typeof tierIdSchema>;

/** Ids are lowercase slugs so they are safe in URLs, CSV and SQL alike. */
const slug = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, "must be a lowercase slug (a-z, 0-9, '.', '-')");
const credits = z.number().int().nonnegative();
const megapixels = z.number().positive();

/**
 * An operation key names what a tier may do: `create`, `edit.<kind>`, `upscale.<mode>`, `social`, `library`.
 * Tiers list keys (or "all"), so gating a new operation is a catalog change.
 */
export const operationKeySchema = z.union([
  z.literal("create"),
  z.literal("social"),
  z.literal("library"),
  z.templateLiteral(["edit.", editKindSchema]),
  z.templateLiteral(["upscale.", upscaleModeSchema]),
]);
export type OperationKey = z.infer<typeof operationKeySchema>;

export const providerSchema = z.strictObject({
  id: slug,
  name: z.string().min(1),
  /** Env var that holds the key; absent for providers that need none (local). */
  keyEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/).optional(),
});
export type Provider = z.infer<typeof providerSchema>;

/** Per-image price of a model: flat, or stepped by output megapixels (qwen-image: 1 up to 1 MP, 2 above). */
export const modelPriceSchema = z.union([
  credits,
  z.strictObject({
    steps: z
      .array(z.strictObject({ upToMegapixels: megapixels.nullable(), credits }))
      .min(1)
      .refine((s) => s[s.length - 1]!.upToMegapixels === null, "the last step must have upToMegapixels: null"),
  }),
]);
export type ModelPrice = z.infer<typeof modelPriceSchema>;

const aspectRatio = z.string().regex(/^\d{1,2}:\d{1,2}$/, "must look like 16:9");
const pixels = z.number().int().positive();

/**
 * What a provider documents for a model, checked before anything is held or sent. Output: the model takes
 * either named aspect ratios (the nearest is asked for) or a size in pixels within minSide..maxSide, each side
 * a multiple of `multiple`. Inputs (edits): each side at least inputMinSide, downscaled (faithfully) to
 * inputMaxSide / inputMaxPixels, at most inputMaxBytes.
 */
export const modelLimitsSchema = z.strictObject({
  promptChars: pixels.optional(),
  aspectRatios: z.array(aspectRatio).min(1).optional(),
  minSide: pixels.optional(),
  maxSide: pixels.optional(),
  multiple: pixels.optional(),
  /** false: the model takes no seed, so variations are separate requests that differ by chance. */
  seed: z.boolean().default(true),
  inputMinSide: pixels.optional(),
  inputMaxSide: pixels.optional(),
  inputMaxPixels: pixels.optional(),
  inputMaxBytes: pixels.optional(),
});
export type ModelLimits = z.infer<typeof modelLimitsSchema>;

/**
 * One model of a provider. Models change without a release on the provider's side (renamed, retired,
 * repriced), so everything about them is here, never in an adapter: the id sent upstream, what it serves, its
 * create price and class, its free allowance and its documented limits.
 */
export const modelSchema = z.strictObject({
  provider: slug,
  /** The catalog's own id (stable for badges, reports and saved specs). */
  model: slug,
  /** The id the provider knows it by (a model name, a repo, a path): sent upstream as is. */
  upstream: z.string().min(1).max(200),
  label: z.string().min(1),
  /** The operations this model serves; "create" needs a quality and a price. */
  operations: z.array(operationKeySchema).min(1).default(["create"]),
  /** The quality class of the model; an explicit model is gated by its tier like that quality. */
  quality: qualitySchema.optional(),
  /** Credits per created image (edits and upscales are priced per operation). */
  price: modelPriceSchema.optional(),
  /** Images per team per billing period that cost nothing before the price applies. */
  freePerPeriod: credits.default(0),
  limits: modelLimitsSchema.default({ seed: true }),
  /** Fields sent upstream with every request of this model, named as the provider names them. */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** The model's own value for style presets it takes (sent in its style field); other presets go into the prompt. */
  styles: z.record(slug, z.string().min(1)).default({}),
});
export type Model = z.infer<typeof modelSchema>;
/** A model that creates images: its quality and price are known. */
export type CreateModel = Model & { quality: Quality; price: ModelPrice };

export function servesCreate(model: Model): model is CreateModel {
  return model.operations.includes("create") && model.quality !== undefined && model.price !== undefined;
}

const routeSchema = z.array(z.strictObject({ provider: slug, model: slug })).min(1);

const sizeSchema = z.strictObject({
  width: z.number().int().min(64).max(8192),
  height: z.number().int().min(64).max(8192),
});

const tierSchema = z.strictObject({
  id: tierIdSchema,
  name: z.string().min(1),
  /** null = unlimited (enterprise): metered, never capped. */
  monthlyCredits: credits.nullable(),
  jobsPerMinute: z.number().int().positive(),
  qualities: z.array(qualitySchema).min(1),
  maxVariations: z.number().int().min(1).max(10),
  /** The most images (items) one batch may act on; a bigger batch is refused before anything is held. */
  maxBatch: z.number().int().min(1).max(MAX_BATCH_ITEMS).default(10),
  operations: z.union([z.literal("all"), z.array(operationKeySchema).min(1)]),
  queuePriority: z.number().int().nonnegative(),
});
export type Tier = z.infer<typeof tierSchema>;

const operationPriceSchema = z.strictObject({
  credits,
  /** Providers able to do it, in routing order ("auto" takes the first configured). */
  providers: z.array(slug),
});

/**
 * A named preset for Create: it fills the form (and so its badge). `prompt` is a scaffold: `{subject}` marks
 * where the designer's own words go. `format` names the social format the result is meant for.
 */
export const templateSchema = z.strictObject({
  id: slug,
  name: z.string().min(1).max(80),
  /** What it is for, in a line. */
  use: z.string().min(1).max(200),
  format: slug.optional(),
  quality: qualitySchema,
  aspectRatio,
  stylePreset: slug.optional(),
  prompt: z.string().min(1).max(2000),
  negativePrompt: z.string().max(2000).optional(),
  variations: z.number().int().min(1).max(10).default(1),
});
export type Template = z.infer<typeof templateSchema>;

export const catalogSchema = z
  .strictObject({
    version: z.string().min(1),
    providers: z.array(providerSchema).min(1),
    /** Every provider model (see modelSchema); quality routes and explicit choices name them. */
    models: z.array(modelSchema).min(1),
    /** The style presets a create may ask for; anything else is refused before anything is held. */
    stylePresets: z.array(slug).default([]),
    create: z.strictObject({
      qualities: z.strictObject({
        draft: z.strictObject({ credits, route: routeSchema }),
        standard: z.strictObject({ credits, route: routeSchema }),
        premium: z.strictObject({ credits, route: routeSchema }),
      }),
      /** Output size of each aspect ratio the panel offers (about 1 MP each). */
      aspectRatios: z.record(aspectRatio, sizeSchema),
      defaultAspectRatio: z.string(),
    }),
    edit: z.strictObject(
      Object.fromEntries(EDIT_KINDS.map((k) => [k, operationPriceSchema])) as Record<
        EditKind,
        typeof operationPriceSchema
      >,
    ),
    upscale: z.strictObject(
      Object.fromEntries(UPSCALE_MODES.map((m) => [m, operationPriceSchema])) as Record<
        UpscaleMode,
        typeof operationPriceSchema
      >,
    ),
    social: z.strictObject({
      credits,
      formats: z
        .array(
          z.strictObject({
            id: slug,
            platform: z.string().min(1),
            label: z.string().min(1),
            width: z.number().int().positive().max(8192),
            height: z.number().int().positive().max(8192),
            /** Insets (px) that the platform's UI may cover; drawn as a separate hidden layer, never burned in. */
            safeZone: z
              .strictObject({ top: credits, right: credits, bottom: credits, left: credits })
              .optional(),
          }),
        )
        .min(1),
    }),
    /** "Larger images may cost slightly more": +credits per image over each threshold (the highest one met). */
    sizeSurcharge: z.array(z.strictObject({ overMegapixels: megapixels, credits })).default([]),
    tiers: z.array(tierSchema).length(TIERS.length),
    /**
     * A tier change mid-period changes limits (rate, qualities, operations, variations) at once; what it does
     * to this period's allocation is this: "prorate" grants the difference between the two tiers' monthly
     * credits for the share of the period left (an upgrade), or takes back that share of what is unspent (a
     * downgrade); "next-period" leaves this period's credits alone. The next period always gets the new
     * tier's allocation.
     */
    tierChange: z.enum(["prorate", "next-period"]).default("prorate"),
    templates: z.array(templateSchema).default([]),
  })
  .superRefine((c, ctx) => {
    const providerIds = new Set(c.providers.map((p) => p.id));
    const modelIds = new Set(c.models.map((m) => `${m.provider}/${m.model}`));
    const need = (path: (string | number)[], provider: string, model?: string) => {
      if (!providerIds.has(provider)) ctx.addIssue({ code: "custom", path, message: `unknown provider "${provider}"` });
      else if (model !== undefined && !modelIds.has(`${provider}/${model}`))
        ctx.addIssue({ code: "custom", path, message: `unknown model "${provider}/${model}"` });
    };
    const seen = new Set<string>();
    const presets = new Set(c.stylePresets);
    c.models.forEach((m, i) => {
      need(["models", i, "provider"], m.provider);
      const at = (field: string, message: string) => ctx.addIssue({ code: "custom", path: ["models", i, field], message });
      if (seen.has(`${m.provider}/${m.model}`)) at("model", `duplicate model "${m.provider}/${m.model}"`);
      seen.add(`${m.provider}/${m.model}`);
      if (m.operations.includes("create") && (m.quality === undefined || m.price === undefined))
        at(m.quality === undefined ? "quality" : "price", "a model that serves create needs a quality and a price");
      for (const preset of Object.keys(m.styles)) if (!presets.has(preset)) at("styles", `unknown style preset "${preset}"`);
    });
    for (const q of QUALITIES)
      c.create.qualities[q].route.forEach((r, i) => {
        need(["create", "qualities", q, "route", i], r.provider, r.model);
        const m = c.models.find((x) => x.provider === r.provider && x.model === r.model);
        if (m && !m.operations.includes("create"))
          ctx.addIssue({ code: "custom", path: ["create", "qualities", q, "route", i], message: `model "${r.provider}/${r.model}" does not create images` });
      });
    for (const k of EDIT_KINDS) c.edit[k].providers.forEach((p, i) => need(["edit", k, "providers", i], p));
    for (const m of UPSCALE_MODES) c.upscale[m].providers.forEach((p, i) => need(["upscale", m, "providers", i], p));
    if (!(c.create.defaultAspectRatio in c.create.aspectRatios))
      ctx.addIssue({ code: "custom", path: ["create", "defaultAspectRatio"], message: "not one of create.aspectRatios" });
    c.tiers.forEach((t, i) => {
      if (t.id !== TIERS[i])
        ctx.addIssue({ code: "custom", path: ["tiers", i, "id"], message: `tiers must be listed in order ${TIERS.join(", ")}` });
    });
    const formatIds = new Set<string>();
    c.social.formats.forEach((f, i) => {
      if (formatIds.has(f.id)) ctx.addIssue({ code: "custom", path: ["social", "formats", i, "id"], message: `duplicate format "${f.id}"` });
      formatIds.add(f.id);
    });
    const templateIds = new Set<string>();
    c.templates.forEach((t, i) => {
      const at = (field: string, message: string) => ctx.addIssue({ code: "custom", path: ["templates", i, field], message });
      if (templateIds.has(t.id)) at("id", `duplicate template "${t.id}"`);
      templateIds.add(t.id);
      if (!(t.aspectRatio in c.create.aspectRatios)) at("aspectRatio", "not one of create.aspectRatios");
      if (t.format !== undefined && !formatIds.has(t.format)) at("format", `unknown social format "${t.format}"`);
      if (t.stylePreset !== undefined && !presets.has(t.stylePreset)) at("stylePreset", `unknown style preset "${t.stylePreset}"`);
    });
  });

export type Catalog = z.infer<typeof catalogSchema>;
