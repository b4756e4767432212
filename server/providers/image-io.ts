// Image facts for adapters: what a provider returned is decoded by sharp before it is trusted, and inputs
// are fitted to a provider's limits only in ways that keep the picture faithful (downscaling, re-encoding).
import { decode, type ImageMetadata } from "../images/decode.ts";
import type { Model } from "../../core/catalog/schema.ts";
import { ProviderError, type ImageType, type ProviderImage } from "./types.ts";

const TYPES: Record<string, ImageType> = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" };

/** Decodes `bytes`; a provider_error when they are not a PNG, JPEG or WebP image. */
export async function describeImage(bytes: Buffer, from = "The provider"): Promise<ProviderImage> {
  let meta: ImageMetadata;
  try {
    meta = await decode(bytes).metadata();
  } catch (cause) {
    throw new ProviderError("provider_error", `${from} returned an image that cannot be decoded`, { cause });
  }
  const contentType = meta.format ? TYPES[meta.format] : undefined;
  if (!contentType || !meta.width || !meta.height)
    throw new ProviderError("provider_error", `${from} returned an unsupported image (${meta.format ?? "unknown format"})`);
  return { bytes, contentType, width: meta.width, height: meta.height };
}

/** Downscales (never upscales) so the image has at most `maxPixels` pixels and `maxSide` per side. */
export async function fitWithin(image: ProviderImage, limits: { maxPixels?: number; maxSide?: number }): Promise<ProviderImage> {
  let scale = 1;
  if (limits.maxPixels && image.width * image.height > limits.maxPixels) scale = Math.sqrt(limits.maxPixels / (image.width * image.height));
  if (limits.maxSide) scale = Math.min(scale, limits.maxSide / Math.max(image.width, image.height));
  if (scale >= 1) return image;
  const width = Math.max(1, Math.floor(image.width * scale));
  const height = Math.max(1, Math.floor(image.height * scale));
  const bytes = await decode(image.bytes).resize(width, height, { fit: "fill", kernel: "lanczos3" }).png().toBuffer();
  return { bytes, contentType: "image/png", width, height };
}

/** What the canvas takes: PNG or JPEG, long side at most 4096 px (Figma's largest image). */
export const CANVAS_MAX_SIDE = 4096;

/** Converts a provider's output for the canvas: WebP becomes PNG, anything over 4096 px is scaled down. */
export async function forCanvas(image: ProviderImage): Promise<ProviderImage & { contentType: "image/png" | "image/jpeg" }> {
  const tooBig = Math.max(image.width, image.height) > CANVAS_MAX_SIDE;
  if (!tooBig && (image.contentType === "image/png" || image.contentType === "image/jpeg"))
    return image as ProviderImage & { contentType: "image/png" | "image/jpeg" };
  let pipeline = decode(image.bytes);
  if (tooBig) pipeline = pipeline.resize(CANVAS_MAX_SIDE, CANVAS_MAX_SIDE, { fit: "inside", kernel: "lanczos3" });
  const jpeg = image.contentType === "image/jpeg";
  const { data, info } = await (jpeg ? pipeline.jpeg({ quality: 92 }) : pipeline.png()).toBuffer({ resolveWithObject: true });
  return { bytes: data, contentType: jpeg ? "image/jpeg" : "image/png", width: info.width, height: info.height };
}

/** The allowed ratio ("16:9") nearest to width:height, compared on a log scale so 2:1 and 1:2 are equally
 * far from 1:1. Providers that take a ratio instead of pixels pick with this. */
export function nearestAspectRatio<R extends string>(width: number, height: number, ratios: readonly R[]): R {
  const target = Math.log(width / height);
  const distance = (r: string) => {
    const [w, h] = r.split(":").map(Number) as [number, number];
    return Math.abs(Math.log(w / h) - target);
  };
  return ratios.reduce((best, r) => (distance(r) < distance(best) ? r : best));
}

/**
 * The requested size scaled (aspect kept) into a pixel-sized model's bounds (catalog limits minSide, maxSide),
 * each side rounded to its `multiple`; a ratio too extreme for both bounds is clamped per side. Models resize
 * other sizes silently, so the proportions are kept here instead.
 */
export function pixelSize(width: number, height: number, model: Pick<Model, "limits">): { width: number; height: number } {
  const { multiple = 1, minSide = 1, maxSide = Number.POSITIVE_INFINITY } = model.limits;
  let scale = 1;
  if (Math.max(width, height) > maxSide) scale = maxSide / Math.max(width, height);
  else if (Math.min(width, height) < minSide) scale = minSide / Math.min(width, height);
  const side = (n: number) => Math.min(maxSide, Math.max(minSide, Math.round((n * scale) / multiple) * multiple));
  return { width: side(width), height: side(height) };
}
