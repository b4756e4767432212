// The Create studio's form as plain data: what it can offer (from the catalog), the spec it stands for,
// and what (if anything) stops it from being sent. Pure, so it is tested without a DOM.
import * as z from "zod";
import type { ProviderStatus } from "../../core/api/responses.ts";
import { createSpecSchema, MAX_VARIATIONS, type CreateSpec } from "../../core/api/specs.ts";
import { createBatch } from "../../core/batch.ts";
import type { Batch } from "../../core/api/specs.ts";
import { MAX_BATCH_ITEMS, QUALITIES, servesCreate, type Catalog, type Quality, type TierId } from "../../core/catalog/schema.ts";
import { specFrom } from "../jobs/image-form.ts";
import { AUTO } from "../jobs/provider-options.ts";
import { parseSeed, seedOf, seedProblem } from "../jobs/reuse-check.ts";

export interface CreateForm {
  prompt: string;
  quality: Quality;
  /** "auto" or a catalog provider id. */
  provider: string;
  /** "auto" (the provider's default for the quality) or a model id of the provider. */
  model: string;
  aspectRatio: string;
  /** As typed, so an intermediate "" while editing is not snapped to a number. */
  variations: string;
  negativePrompt: string;
  /** As typed; "" for a new random result each time. */
  seed: string;
  /** The template applied ("" for none) and the style preset it brought; both stay until "No template". */
  templateId: string;
  stylePreset: string;
}

export function initialForm(catalog: Catalog): CreateForm {
  return {
    prompt: "",
    quality: "standard",
    provider: AUTO,
    model: AUTO,
    aspectRatio: catalog.create.defaultAspectRatio,
    variations: "1",
    negativePrompt: "",
    seed: "",
    templateId: "",
    stylePreset: "",
  };
}

/**
 * A form prefilled from a spec (the Regenerate relaunch), keeping only what this catalog still offers. A
 * Create batch's results carry the whole count asked for (relaunchSpec), up to CREATE_IMAGES_MAX.
 */
export function formFromSpec(catalog: Catalog, json: string | undefined): CreateForm | null {
  const spec = specFrom(json, relaunchSpecSchema);
  if (!spec) return null;
  const form = initialForm(catalog);
  const provider = catalog.providers.some((p) => p.id === spec.provider) ? spec.provider : AUTO;
  const model = provider !== AUTO && spec.model && catalog.models.some((m) => m.provider === provider && m.model === spec.model && servesCreate(m)) ? spec.model : AUTO;
  return {
    ...form,
    prompt: spec.prompt,
    quality: spec.quality,
    provider,
    model,
    aspectRatio: typeof spec.aspectRatio === "string" && spec.aspectRatio in catalog.create.aspectRatios ? spec.aspectRatio : form.aspectRatio,
    variations: String(spec.variations),
    negativePrompt: spec.negativePrompt ?? "",
    seed: String(spec.seed ?? ""),
    ...(spec.templateId && catalog.templates.some((t) => t.id === spec.templateId) ? { templateId: spec.templateId, stylePreset: spec.stylePreset ?? "" } : {}),
  };
}

export const qualityOptions = QUALITIES;

export interface ModelOption {
  id: string;
  label: string;
  /** Why it cannot be chosen: its provider reported it gone (the proxy's words). */
  unavailable?: string;
}

/** The provider's models that create images; those reported gone stay listed, with why. */
export function modelOptions(catalog: Catalog, provider: string, statuses: readonly ProviderStatus[] = []): ModelOption[] {
  if (provider === AUTO) return [];
  const gone = statuses.find((s) => s.id === provider)?.unavailableModels ?? [];
  return catalog.models
    .filter((m) => m.provider === provider && servesCreate(m))
    .map((m) => {
      const reason = gone.find((g) => g.model === m.model)?.reason;
      return { id: m.model, label: m.label, ...(reason ? { unavailable: reason } : {}) };
    });
}

export function aspectRatioOptions(catalog: Catalog): { id: string; label: string }[] {
  return Object.entries(catalog.create.aspectRatios).map(([id, size]) => ({ id, label: `${id} · ${size.width}×${size.height}` }));
}

export function parseVariations(raw: string): number | null {
  if (!/^\s*\d+\s*$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= MAX_VARIATIONS ? n : null;
}

/** The most images one Create may ask for: a batch of the largest size, each item of the most variations. */
export const CREATE_IMAGES_MAX = MAX_VARIATIONS * MAX_BATCH_ITEMS;

/** A create spec whose `variations` is the images asked for (a batch's whole count), as Regenerate reads it. */
const relaunchSpecSchema = createSpecSchema.extend({ variations: z.number().int().min(1).max(CREATE_IMAGES_MAX).default(1) });

/**
 * The settings a Create batch's results are tagged with (run-batch.ts `spec`): the form's spec with the
 * whole count, so Regenerate repeats the 20 drafts asked for, not one item's share of them.
 */
export function relaunchSpec(form: CreateForm): CreateSpec {
  return { ...buildCreateSpec(form), variations: parseImages(form.variations) ?? 1 };
}

/** How many images the form asks for, 1..CREATE_IMAGES_MAX as typed; null otherwise. */
export function parseImages(raw: string): number | null {
  if (!/^\s*\d+\s*$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= CREATE_IMAGES_MAX ? n : null;
}

/** The most variations one job may make on the tier; more images run as a batch of jobs of up to that many. */
export function variationsPerJob(catalog: Catalog, tier: TierId): number {
  return catalog.tiers.find((t) => t.id === tier)?.maxVariations ?? MAX_VARIATIONS;
}

/**
 * More images of one prompt than the tier's maxVariations (example 4's 20 drafts) run as a batch
 * (core/batch.ts createBatch): items of up to that many, priced and held as one. Null: one job will do.
 */
export function createBatchFor(form: CreateForm, catalog: Catalog, tier: TierId): Batch | null {
  const images = parseImages(form.variations) ?? 1;
  const perItem = variationsPerJob(catalog, tier);
  return images > perItem ? createBatch(buildCreateSpec(form), images, perItem) : null;
}

/** The spec the form stands for. Invalid variations count as 1 so the badge still prices something. */
export function buildCreateSpec(form: CreateForm): CreateSpec {
  const explicit = form.provider !== AUTO;
  return {
    operation: "create",
    prompt: form.prompt.trim(),
    quality: form.quality,
    provider: form.provider,
    ...(explicit && form.model !== AUTO ? { model: form.model } : {}),
    aspectRatio: form.aspectRatio,
    variations: parseVariations(form.variations) ?? 1,
    ...(form.negativePrompt.trim() ? { negativePrompt: form.negativePrompt.trim() } : {}),
    ...(form.stylePreset ? { stylePreset: form.stylePreset } : {}),
    ...(form.templateId ? { templateId: form.templateId } : {}),
    ...seedOf(form.seed),
  };
}

/** What keeps the form from being sent, in words for the user; null when it can go. */
export function formProblem(form: CreateForm): string | null {
  if (form.prompt.trim() === "") return "Describe the image you want";
  if (parseImages(form.variations) === null) return `Images must be a whole number from 1 to ${CREATE_IMAGES_MAX}`;
  if (parseSeed(form.seed) === null) return seedProblem(form.seed);
  const parsed = createSpecSchema.safeParse(buildCreateSpec(form));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return issue ? `${issue.path.join(".") || "Request"} ${issue.message}` : "The request is not valid";
  }
  return null;
}
