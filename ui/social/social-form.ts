// The Social studio's form as plain data: the formats picked (grouped by platform as the catalog lists
// them), the crop mode and focal point, the spec they stand for, what stops it from being sent, and the
// frame name and safe zone each result is placed with.
import type { Job } from "../../core/api/responses.ts";
import { socialSpecSchema, type SocialSpec } from "../../core/api/specs.ts";
import type { Catalog } from "../../core/catalog/schema.ts";
import type { ImageTarget, PlacedFormat, SafeZone, Selection } from "../../core/messages.ts";
import type { PlaceInput } from "../connection/plugin-bridge.ts";
import { batchImageProblem } from "../jobs/batch-form.ts";
import { imageProblem, inputOf, schemaProblem, specFrom } from "../jobs/image-form.ts";

export type Crop = SocialSpec["crop"];
export type SocialFormat = Catalog["social"]["formats"][number];
export interface Point {
  x: number;
  y: number;
}

export interface SocialForm {
  /** Format ids, in the catalog's order (the order the job's assets come back in). */
  formats: string[];
  crop: Crop;
  /** 0..1 of the image; null: the crop's own centre (attention for smart, the middle for centre). */
  focal: Point | null;
}

export const CROPS: [Crop, string][] = [
  ["smart", "Smart (what draws the eye)"],
  ["center", "Centre"],
  ["fit", "Fit (whole image, padded)"],
];

/** "Regenerate" on a social result: the formats (those the catalog still has), crop and focal point it was made with. */
export function socialFormFromSpec(catalog: Catalog, json: string | undefined): SocialForm | null {
  const spec = specFrom(json, socialSpecSchema);
  return spec && { formats: toggleFormats(catalog, [], spec.formats, true), crop: spec.crop, focal: spec.focalPoint ?? null };
}

/** The formats by platform, platforms and formats in the catalog's order. */
export function platforms(catalog: Catalog): [platform: string, formats: SocialFormat[]][] {
  const groups = new Map<string, SocialFormat[]>();
  for (const f of catalog.social.formats) groups.set(f.platform, [...(groups.get(f.platform) ?? []), f]);
  return [...groups];
}

/** The selection with `ids` switched on or off, kept in the catalog's order. */
export function toggleFormats(catalog: Catalog, selected: readonly string[], ids: readonly string[], on: boolean): string[] {
  return catalog.social.formats.map((f) => f.id).filter((id) => (ids.includes(id) ? on : selected.includes(id)));
}

/** How a result of format `id` is placed: a frame named "Instagram · Story 1080×1920", with the safe zone (the asset's own, else the catalog's). */
export function placedFormat(catalog: Catalog, id: string, safeZone?: SafeZone): PlacedFormat {
  const f = catalog.social.formats.find((x) => x.id === id);
  const zone = safeZone ?? f?.safeZone;
  return { id, name: f ? `${f.platform} · ${f.label} ${f.width}×${f.height}` : id, ...(zone ? { safeZone: zone } : {}) };
}

/** The spec the form stands for; `priced` adds the image's pixel size, as the badge's estimate wants. */
export function buildSocialSpec(form: SocialForm, image?: ImageTarget, priced = false): SocialSpec {
  const input = priced && inputOf(image);
  const assetId = image?.assetId;
  return {
    operation: "social",
    formats: form.formats,
    crop: form.crop,
    ...(form.focal && form.crop !== "fit" ? { focalPoint: form.focal } : {}),
    // Only an id the proxy would take: a node tagged by some other build must not block the job.
    ...(assetId && socialSpecSchema.shape.sourceAssetId.safeParse(assetId).success ? { sourceAssetId: assetId } : {}),
    ...(input ? { input } : {}),
  };
}

/** What keeps the form from being sent; no image and no format read differently. */
export function socialProblem(form: SocialForm, selection: Selection): string | null {
  return (
    imageProblem(selection, "make social formats") ??
    (form.formats.length ? schemaProblem(socialSpecSchema.safeParse(buildSocialSpec(form, selection.image))) : "Pick at least one format")
  );
}

/** What keeps a batch (the same formats of every selected image) from being sent. */
export function socialBatchProblem(form: SocialForm, images: readonly ImageTarget[]): string | null {
  return batchImageProblem(images, "make social formats") ?? (form.formats.length ? schemaProblem(socialSpecSchema.safeParse(buildSocialSpec(form))) : "Pick at least one format");
}

/** 0..1, to the hundredth. */
export const unit = (n: number) => Math.round(Math.min(1, Math.max(0, n)) * 100) / 100;

/** The focal point moved 5% by an arrow key; null for other keys. */
export function nudge(p: Point | null, key: string): Point | null {
  const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[key];
  const { x, y } = p ?? { x: 0.5, y: 0.5 };
  return d ? { x: unit(x + d[0]! / 20), y: unit(y + d[1]! / 20) } : null;
}

/** The job's images, each with the format its asset was made for, so each lands in its own frame. */
export function withFormats(input: PlaceInput, job: Pick<Job, "assets">, catalog: Catalog): PlaceInput {
  return {
    ...input,
    images: input.images.map((image) => {
      const id = job.assets.find((a) => a.id === image.assetId)?.format;
      return id ? { ...image, format: placedFormat(catalog, id) } : image;
    }),
  };
}
