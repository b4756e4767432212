// What Edit and Upscale share: the selected image as the job's input (its pixel size prices the badge),
// why the selection cannot be used, where the result will go, and the parts a job sends.
import type { z } from "zod";
import { upscaleSpecSchema, type Size } from "../../core/api/specs.ts";
import type { ImageTarget, Selection } from "../../core/messages.ts";
import type { ImageParts } from "../connection/api-client.ts";
import type { Exported } from "../connection/plugin-bridge.ts";
import { chargedText } from "./reuse-check.ts";
import type { JobResult } from "./run-job.ts";

/** The smallest side a job's input may have (the spec's limit). */
export const MIN_SIDE = 64;

/** Why the selection cannot be the job's image, in the user's words; null when it can. */
export function imageProblem(selection: Selection, verb: string): string | null {
  const image = selection.image;
  if (!image) return selection.problem ?? `Select an image to ${verb}`;
  if (Math.min(image.width, image.height) < MIN_SIDE) return `The image is too small to ${verb}: at least ${MIN_SIDE} px a side`;
  return null;
}

/** The selected image's pixel size: the `input` of the spec the badge prices. */
export const inputOf = (image: ImageTarget | undefined): Size | undefined => (image ? { width: image.width, height: image.height } : undefined);

/** `{ sourceAssetId }` when the image is an unchanged result of this plugin: the library records the parent,
 * and the server can tell that a seeded job on it is identical to an earlier one. */
export function sourceOf(image: ImageTarget | undefined): { sourceAssetId?: string } {
  const id = image?.assetId;
  return id && upscaleSpecSchema.shape.sourceAssetId.safeParse(id).success ? { sourceAssetId: id } : {};
}

/** A Regenerate relaunch's spec (JSON) parsed with core's schema; null when it does not parse. */
export function specFrom<S extends z.ZodType>(json: string | undefined, schema: S): z.output<S> | null {
  if (!json) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Why "Replace the image" cannot apply to this image; null when it can. */
export function replaceBlocker(image: ImageTarget | undefined): string | null {
  return image?.source === "render" ? "Only an image fill can be replaced: the result goes beside the layer" : null;
}

export function resultWhere(image: ImageTarget | undefined, replace: boolean): string {
  if (!image) return "Select an image on the canvas";
  return replace ? `Replaces the image in “${image.name}”` : `The result goes beside “${image.name}”`;
}

export function resultText(result: JobResult, image: ImageTarget): string {
  const charged = chargedText(result.job);
  return result.nodeIds[0] === image.id ? `Replaced the image · ${charged}` : `Placed beside “${image.name}” · ${charged}`;
}

/** The plugin's export as the job's multipart image parts. */
export function partsOf(exported: Exported): ImageParts {
  const parts: ImageParts = { image: exported.image.bytes };
  if (exported.mask) parts.mask = exported.mask.bytes;
  if (exported.backgroundReference) parts.backgroundReference = exported.backgroundReference.bytes;
  if (exported.lightReference) parts.lightReference = exported.lightReference.bytes;
  return parts;
}

/** The first schema issue of a spec, as a sentence; null when it parses. */
export function schemaProblem(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } | undefined }): string | null {
  if (result.success) return null;
  const issue = result.error?.issues[0];
  return issue ? `${issue.path.join(".") || "Request"} ${issue.message}` : "The request is not valid";
}
