// The Edit studio's form as plain data: the eight kinds of docs/api.md and the fields each one uses, the spec
// the form stands for, and what (if anything) stops it from being sent. Pure, so it is tested without a DOM.
import { editSpecSchema, LIGHT_DIRECTIONS, type EditSpec, type Size } from "../../core/api/specs.ts";
import type { Catalog, EditKind } from "../../core/catalog/schema.ts";
import type { ImageTarget, Selection } from "../../core/messages.ts";
import { batchImageProblem } from "../jobs/batch-form.ts";
import { imageProblem, schemaProblem, specFrom } from "../jobs/image-form.ts";
import { AUTO } from "../jobs/provider-options.ts";
import { seedOf, seedProblem } from "../jobs/reuse-check.ts";

export type LightDirection = (typeof LIGHT_DIRECTIONS)[number];
export const SIDES = ["left", "right", "up", "down"] as const;
export type Side = (typeof SIDES)[number];
/** Most a side can grow in one outpaint (the spec's limit). */
export const EXPAND_MAX = 2000;

export interface NodeRef {
  id: string;
  name: string;
}

export interface EditForm {
  kind: EditKind;
  prompt: string;
  negativePrompt: string;
  searchPrompt: string;
  selectPrompt: string;
  /** Pixels to add per side, as typed. */
  expand: Record<Side, string>;
  /** "" lets the provider choose. */
  lightDirection: "" | LightDirection;
  /** Relight: layers whose images are sent as the background and light references. */
  backgroundReference: NodeRef | null;
  lightReference: NodeRef | null;
  provider: string;
  replace: boolean;
  /** As typed; "" for a new random result each time. */
  seed: string;
}

export type EditField = "prompt" | "negativePrompt" | "searchPrompt" | "selectPrompt" | "expand" | "light" | "mask";

export interface KindInfo {
  label: string;
  /** The fields the kind shows, in order. */
  fields: EditField[];
  /** The label of its prompt, and whether the prompt is required. */
  prompt?: [string, boolean];
}

export const EDIT_KINDS_INFO: Record<EditKind, KindInfo> = {
  "remove-background": { label: "Remove background", fields: [] },
  inpaint: { label: "Inpaint", fields: ["mask", "prompt", "negativePrompt"], prompt: ["What to paint in the masked area", true] },
  outpaint: { label: "Outpaint", fields: ["expand", "prompt", "negativePrompt"], prompt: ["What to add (optional)", false] },
  "search-replace": { label: "Search & replace", fields: ["searchPrompt", "prompt", "negativePrompt"], prompt: ["Replace it with", true] },
  "search-recolor": { label: "Search & recolor", fields: ["selectPrompt", "prompt", "negativePrompt"], prompt: ["New colors", true] },
  "replace-background-relight": { label: "Replace background & relight", fields: ["prompt", "light"], prompt: ["New background", false] },
  erase: { label: "Erase", fields: ["mask"] },
  general: { label: "General edit", fields: ["prompt"], prompt: ["Instruction", true] },
};

const TEXT_FIELDS = ["prompt", "negativePrompt", "searchPrompt", "selectPrompt"] as const;

export const needsMask = (kind: EditKind) => EDIT_KINDS_INFO[kind].fields.includes("mask");

export function initialEditForm(): EditForm {
  return {
    kind: "remove-background",
    prompt: "",
    negativePrompt: "",
    searchPrompt: "",
    selectPrompt: "",
    expand: { left: "0", right: "0", up: "0", down: "0" },
    lightDirection: "",
    backgroundReference: null,
    lightReference: null,
    provider: AUTO,
    replace: false,
    seed: "",
  };
}

/** The form a Regenerate relaunch reopens: the settings of the spec that made the result. */
export function editFormFromSpec(catalog: Catalog, json: string | undefined): EditForm | null {
  const spec = specFrom(json, editSpecSchema);
  if (!spec) return null;
  const form: EditForm = {
    ...initialEditForm(),
    kind: spec.kind,
    lightDirection: spec.lightDirection ?? "",
    provider: catalog.edit[spec.kind].providers.includes(spec.provider) ? spec.provider : AUTO,
    seed: String(spec.seed ?? ""),
  };
  for (const key of TEXT_FIELDS) form[key] = spec[key] ?? "";
  for (const side of SIDES) form.expand[side] = String(spec.expand?.[side] ?? 0);
  return form;
}

/** A side's pixels, or null if not a whole number from 0 to EXPAND_MAX. */
export function parseSide(raw: string): number | null {
  if (!/^\s*\d+\s*$/.test(raw)) return null;
  const n = Number(raw);
  return n <= EXPAND_MAX ? n : null;
}

/**
 * The spec the form stands for; with `input` (the image's pixel size) it is the one the badge prices. `source`
 * names the library asset the image came from (see sourceOf).
 */
export function buildEditSpec(form: EditForm, input?: Size, source: { sourceAssetId?: string } = {}): EditSpec {
  const fields = EDIT_KINDS_INFO[form.kind].fields;
  const spec: EditSpec = { operation: "edit", kind: form.kind, provider: form.provider, ...seedOf(form.seed), ...source };
  for (const key of TEXT_FIELDS) {
    const text = form[key].trim();
    if (fields.includes(key) && text) spec[key] = text;
  }
  if (fields.includes("expand")) {
    const [left, right, up, down] = SIDES.map((s) => parseSide(form.expand[s]) ?? 0) as [number, number, number, number];
    spec.expand = { left, right, up, down };
  }
  if (fields.includes("light") && form.lightDirection) spec.lightDirection = form.lightDirection;
  if (input) spec.input = input;
  return spec;
}

/** What keeps the form from being sent, in words for the user; null when it can go. */
export function editProblem(form: EditForm, selection: Selection): string | null {
  const image = imageProblem(selection, "edit");
  if (image) return image;
  if (needsMask(form.kind) && !selection.image?.maskShape)
    return "Draw a shape over the area to change, then select the image and the shape together";
  return formProblem(form);
}

/**
 * What keeps a batch of edits from being sent: an image too small, or (for inpaint and erase) an image with
 * no shape drawn over it to be its mask, by name, before anything is priced; then the form's own problem
 * (one prompt serves every image).
 */
export function editBatchProblem(form: EditForm, images: readonly ImageTarget[]): string | null {
  const small = batchImageProblem(images, "edit");
  if (small) return small;
  const bare = needsMask(form.kind) ? images.find((i) => !i.maskShape) : undefined;
  if (bare) return `“${bare.name}” has no shape drawn over it: draw one over each image to ${EDIT_KINDS_INFO[form.kind].label.toLowerCase()}, or leave it out of the selection`;
  return formProblem(form);
}

/** The form's own problem, whatever the image. */
function formProblem(form: EditForm): string | null {
  const info = EDIT_KINDS_INFO[form.kind];
  const fields = info.fields;
  const blank = (key: "prompt" | "searchPrompt" | "selectPrompt") => fields.includes(key) && !form[key].trim();
  if (blank("searchPrompt")) return "Say what to replace";
  if (blank("selectPrompt")) return "Say what to recolor";
  if (info.prompt?.[1] && blank("prompt")) return `Fill in “${info.prompt[0]}”`;
  if (fields.includes("light") && !form.prompt.trim() && !form.backgroundReference) return "Describe the new background, or pick a background reference";
  if (fields.includes("expand")) {
    if (SIDES.some((s) => parseSide(form.expand[s]) === null)) return `Expand each side by 0 to ${EXPAND_MAX} px`;
    if (SIDES.every((s) => parseSide(form.expand[s]) === 0)) return "Expand at least one side";
  }
  return seedProblem(form.seed) ?? schemaProblem(editSpecSchema.safeParse(buildEditSpec(form)));
}

/** The size an outpaint makes: the image plus what each side grows (the badge prices the input). */
export function outpaintSize(form: EditForm, input: Size): Size {
  const side = (s: Side) => parseSide(form.expand[s]) ?? 0;
  return { width: input.width + side("left") + side("right"), height: input.height + side("up") + side("down") };
}
