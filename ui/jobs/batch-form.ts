// What the image studios share when several images are selected: the batch's images, why one of them cannot
// be used (naming it, before anything is priced or sent), where the results go, and the words of the result.
import type { ImageTarget, Selection } from "../../core/messages.ts";
import { creditsText } from "./badge.ts";
import { imagesText } from "./batch-badge.ts";
import { MIN_SIDE } from "./image-form.ts";
import type { BatchResult } from "./run-batch.ts";

/** The images a batch would act on: the selection's images when it holds several; null for one job (or none). */
export function batchImages(selection: Selection): ImageTarget[] | null {
  const images = selection.images;
  return images && images.length > 1 ? images : null;
}

/** The first image too small for the job, by name; null when every image will do. */
export function batchImageProblem(images: readonly ImageTarget[], verb: string): string | null {
  const small = images.find((i) => Math.min(i.width, i.height) < MIN_SIDE);
  return small ? `“${small.name}” is too small to ${verb}: at least ${MIN_SIDE} px a side` : null;
}

/** Why "Replace the image" cannot apply to every image of the batch; null when it can. */
export function batchReplaceBlocker(images: readonly ImageTarget[]): string | null {
  const rendered = images.find((i) => i.source === "render");
  return rendered ? `“${rendered.name}” is not an image fill: each result goes beside its image` : null;
}

export function batchWhere(images: readonly ImageTarget[], replace: boolean): string {
  return replace ? `Replaces the image in each of the ${images.length} layers` : `Each result goes beside its own image (${imagesText(images.length)})`;
}

/** "Placed 4 results beside their images · 8 credits charged · 1 failed, not charged". */
export function batchResultText(result: BatchResult, placed = "beside their images"): string {
  const { batch, failures, nodeIds } = result;
  const failed = failures.length ? ` · ${failures.length} failed, ${failures.some((f) => f.charged > 0) ? "see below" : "not charged"}` : "";
  const what = nodeIds.length ? `Placed ${nodeIds.length} ${nodeIds.length === 1 ? "result" : "results"} ${placed}` : "Nothing was placed";
  return `${what} · ${creditsText(batch.charged)} charged${failed}`;
}
