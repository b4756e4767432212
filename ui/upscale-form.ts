// The Upscale studio's form as plain data: mode, the creative mode's prompt and creativity, the spec it
// stands for, the size it will make, and what (if anything) stops it from being sent.
import { upscaleSpecSchema, type Size, type UpscaleSpec } from "../core/api/specs.ts";
import type { UpscaleMode } from "../core/catalog/schema.ts";
import type { Selection } from "../core/messages.ts";
import { AUTO } from "./create-form.ts";
import { imageProblem, schemaProblem } from "./image-form.ts";

/** The long side Figma can hold (createImage refuses more), and so the most an upscale can make. */
export const FIGMA_MAX_SIDE = 4096;

export interface UpscaleForm {
  mode: UpscaleMode;
  prompt: string;
  /** 0..1: how much detail the creative mode may invent. */
  creativity: number;
  provider: string;
  replace: boolean;
}

export const UPSCALE_MODES_INFO: Record<UpscaleMode, { label: string; note: string }> = {
  fast: { label: "Fast", note: "4× the pixels, sharpened" },
  conservative: { label: "Conservative", note: "Up to 4096 px, keeping every detail as it is" },
  creative: { label: "Creative", note: "Up to 4096 px, inventing fine detail from a prompt" },
};

export function initialUpscaleForm(): UpscaleForm {
  return { mode: "fast", prompt: "", creativity: 0.3, provider: AUTO, replace: false };
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

export function buildUpscaleSpec(form: UpscaleForm, input?: Size): UpscaleSpec {
  const spec: UpscaleSpec = { operation: "upscale", mode: form.mode, provider: form.provider };
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
  return schemaProblem(upscaleSpecSchema.safeParse(buildUpscaleSpec(form)));
}
