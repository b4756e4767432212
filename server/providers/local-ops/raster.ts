// Shared pixel plumbing for the local provider's operations: every input is decoded by sharp into one
// shape (8-bit sRGB RGBA, EXIF orientation applied) so the per-pixel code never branches on formats, and
// every result is encoded by sharp as PNG (lossless, keeps alpha).
import { decode, fromPixels } from "../../images/decode.ts";
import { ProviderError, type ProviderImage } from "../types.ts";

/** The canvas limit: no local result may be longer than this on its long side. */
export const CANVAS_LIMIT = 4096;

export interface Raster {
  /** width * height * 4 bytes, RGBA. */
  data: Buffer;
  width: number;
  height: number;
  /** Whether the input had an alpha channel; results of opaque inputs are written without one. */
  hadAlpha: boolean;
}

export async function decodeRgba(bytes: Buffer): Promise<Raster> {
  const meta = await decode(bytes).metadata();
  // toColourspace("srgb") also turns 16-bit and greyscale inputs into 8-bit RGB, so there are always 4 bands.
  const { data, info } = await decode(bytes).autoOrient().toColourspace("srgb").ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`expected 4 channels after decoding, got ${info.channels}`);
  return { data, width: info.width, height: info.height, hadAlpha: meta.hasAlpha === true };
}

/** A single-band 8-bit plane (masks): transparent areas count as black, colour is reduced to luminance. */
export async function decodeGrey(bytes: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await decode(bytes)
    .autoOrient()
    .flatten({ background: "#000000" })
    .toColourspace("b-w")
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`expected 1 channel after decoding a mask, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/**
 * PNG from RGBA pixels. Level 3 and no adaptive filtering: a 4K result encodes in a fraction of a second,
 * at a size close to level 6 for photographic content.
 */
export async function encodePng(raster: Raster, options: { alpha?: boolean; compressionLevel?: number } = {}): Promise<ProviderImage> {
  let pipeline = fromPixels(raster.data, { width: raster.width, height: raster.height, channels: 4 });
  if (!(options.alpha ?? raster.hadAlpha)) pipeline = pipeline.removeAlpha();
  const bytes = await pipeline.png({ compressionLevel: options.compressionLevel ?? 3, adaptiveFiltering: false }).toBuffer();
  return { bytes, contentType: "image/png", width: raster.width, height: raster.height };
}

/** Input errors say nothing about the provider's health, so they never count against it. */
export function inputError(code: "invalid_request" | "unsupported_image", message: string, details?: Record<string, unknown>): ProviderError {
  return new ProviderError(code, message, { countsAgainstProvider: false, ...(details ? { details } : {}) });
}

export const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/** 0 below `lo`, 1 above `hi`, a smooth ramp between. */
export function smoothstep(lo: number, hi: number, x: number): number {
  const t = clamp01((x - lo) / (hi - lo));
  return t * t * (3 - 2 * t);
}

/** A mask (white = change) from an image's alpha channel: transparent pixels are the area to change. */
export async function maskFromAlpha(bytes: Buffer): Promise<Buffer> {
  const { data, info } = await decode(bytes).autoOrient().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const mask = Buffer.alloc(info.width * info.height);
  for (let i = 0; i < mask.length; i++) mask[i] = 255 - data[i * info.channels + info.channels - 1]!;
  return fromPixels(mask, { width: info.width, height: info.height, channels: 1 }).png().toBuffer();
}
