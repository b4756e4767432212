// The Upscale studio's form as plain data: mode, the creative mode's prompt and creativity, the spec it
// stands for, the size it will make, and what (if anything) stops it from being sent.
import { upscaleSpecSchema, type Size, type UpscaleSpec } from "../../core/api/specs.ts";
import type { Catalog, UpscaleMode } from "../../core/catalog/schema.ts";
import type { ImageTarget, Selection } from "../../core/messages.ts";
import { batchImageProblem } from "../jobs/batch-form.ts";
import { imageProblem, schemaProblem, specFrom } from "../jobs/image-form.ts";
import { AUTO } from "../jobs/provider-options.ts";
import { seedOf, seedProblem } from "../jobs/reuse-check.ts";

/** The long side Figma can hold (createImage refuses more), and so the most an upscale can make. */
export const FIGMA_MAX_SIDE = 4096;

export interface UpscaleForm {
  mode: UpscaleMode;
  prompt: string;
  /** 0..1: how much detail the creative mode may invent. */
  creativity: number;
  provider: string;
  replace: boolean;
  /** As typed; "" for a new random result each time. */
  seed: string;
}

export const UPSCALE_MODES_INFO: Record<UpscaleMode, { label: string; note: string }> = {
  fast: { label: "Fast", note: "4× the pixels, sharpened" },
  conservative: { label: "Conservative", note: "Up to 4096 px, keeping every detail as it is" },
  creative: { label: "Creative", note: "Up to 4096 px, inventing fine detail from a prompt" },
};

export function initialUpscaleForm(): UpscaleForm {
  return { mode: "fast", prompt: "", creativity: 0.3, provider: AUTO, replace: false, seed: "" };
}

/** The form a Regenerate relaunch reopens: the settings of the spec that made the result. */
export function upscaleFormFromSpec(catalog: Catalog, json: string | undefined): UpscaleForm | null {
  const spec = specFrom(json, upscaleSpecSchema);
  if (!spec) return null;
  const form = initialUpscaleForm();
  return {
    ...form,
    mode: spec.mode,
    prompt: spec.prompt ?? "",
    creativity: spec.creativity ?? form.creativity,
    provider: catalog.upscale[spec.mode].providers.includes(spec.provider) ? spec.provider : AUTO,
    seed: String(spec.seed ?? ""),
  };
}

/**
 * The size the upscale makes: fast multiplies by 4, conservative and creative grow the long side to 4096;
 * both are capped at 4096 px a side, what Figma can hold.
 */
export function upscaleResultSize(mode: UpscaleMode, input: Size): Size {
  const long = Math.max(input.width, input.height);
  const scale = Math.max(1, Math.min(mode === "fast" ? 4 : Infinity, FIGMA_MAX_SIDE / long));
  return { width: Math.round(input.width * scale), height: Math.round(input.height * scale) };
}

/** `source` names the library asset the image came from (see sourceOf). */
export function buildUpscaleSpec(form: UpscaleForm, input?: Size, source: { sourceAssetId?: string } = {}): UpscaleSpec {
  const spec: UpscaleSpec = { operation: "upscale", mode: form.mode, provider: form.provider, ...seedOf(form.seed), ...source };
  if (form.mode === "creative") {
    if (form.prompt.trim()) spec.prompt = form.prompt.trim();
    spec.creativity = form.creativity;
  }
  if (input) spec.input = input;
  return spec;
}

export function upscaleProblem(form: UpscaleForm, selection: Selection): string | null {
  const image = imageProblem(selection, "upscale");
  if (image) return image;
  const { width, height } = selection.image!;
  const out = upscaleResultSize(form.mode, { width, height });
  if (out.width === width && out.height === height) return `The image is already ${FIGMA_MAX_SIDE} px on its long side, the most Figma can hold`;
  if (form.mode === "creative" && !form.prompt.trim()) return "Describe the image for the creative upscale";
  return seedProblem(form.seed) ?? schemaProblem(upscaleSpecSchema.safeParse(buildUpscaleSpec(form)));
}

/** What keeps a batch of upscales from being sent: the first image that cannot be upscaled, by name, or the form's own problem. */
export function upscaleBatchProblem(form: UpscaleForm, images: readonly ImageTarget[]): string | null {
  const small = batchImageProblem(images, "upscale");
  if (small) return small;
  const full = images.find((i) => {
    const out = upscaleResultSize(form.mode, i);
    return out.width === i.width && out.height === i.height;
  });
  if (full) return `“${full.name}” is already ${FIGMA_MAX_SIDE} px on its long side, the most Figma can hold: leave it out of the selection`;
  if (form.mode === "creative" && !form.prompt.trim()) return "Describe the images for the creative upscale (one prompt for all)";
  return seedProblem(form.seed) ?? schemaProblem(upscaleSpecSchema.safeParse(buildUpscaleSpec(form)));
}
