// Offline upscaling with sharp only: Lanczos resampling, plus sharpening for the modes that promise a
// crisper result. No detail is invented (that needs a model), so "creative" here is a stronger sharpen and
// a touch of local contrast, not generated texture.
import { decode, fromPixels, type Pipeline } from "../../images/decode.ts";
import type { UpscaleMode } from "../../../core/catalog/schema.ts";
import type { ProviderImage } from "../types.ts";
import { CANVAS_LIMIT, clamp01 } from "./raster.ts";

/** The output size for a mode: fast is 4x, the others reach the canvas limit; capped there, never smaller. */
export function upscaleSize(width: number, height: number, mode: UpscaleMode): { width: number; height: number } {
  const long = Math.max(width, height);
  const toLimit = CANVAS_LIMIT / long;
  const scale = Math.max(1, mode === "fast" ? Math.min(4, toLimit) : toLimit);
  if (scale === 1) return { width, height };
  // Round the long side to the limit exactly when capped, so a 2000x1000 image becomes 4096x2048.
  const w = Math.max(1, Math.min(CANVAS_LIMIT, Math.round(width * scale)));
  const h = Math.max(1, Math.min(CANVAS_LIMIT, Math.round(height * scale)));
  return { width: w, height: h };
}

export async function upscale(bytes: Buffer, mode: UpscaleMode, options: { creativity?: number } = {}): Promise<ProviderImage> {
  const meta = await decode(bytes).autoOrient().metadata();
  const { width: inW, height: inH } = meta.autoOrient;
  const { width, height } = upscaleSize(inW, inH, mode);
  // toColourspace("srgb") keeps the output 8-bit: a 16-bit 4K PNG would be twice the bytes for no visible gain.
  let source: Pipeline = decode(bytes).autoOrient().toColourspace("srgb");
  const creativity = clamp01(options.creativity ?? 0.35);
  if (mode === "creative") {
    // Local contrast ("clarity"): a wide, weak unsharp mask on lightness. Done at the input's size because
    // sharp always resizes before it sharpens, and a wide mask at 4K costs seconds for the same look.
    const amount = 0.2 + 0.4 * creativity;
    const { data, info } = await source.sharpen({ sigma: 6, m1: amount, m2: amount }).raw().toBuffer({ resolveWithObject: true });
    source = fromPixels(data, { width: info.width, height: info.height, channels: info.channels as 3 | 4 });
  }
  let pipeline = source.resize(width, height, { fit: "fill", kernel: "lanczos3" });
  if (mode === "conservative") {
    // Restores the edge contrast the resampling spreads out, gently on flat areas so noise is not amplified.
    pipeline = pipeline.sharpen({ sigma: 1, m1: 0.5, m2: 2.5 });
  } else if (mode === "creative") {
    pipeline = pipeline.sharpen({ sigma: 1.2, m1: 0.8 + creativity, m2: 3 + 2 * creativity });
  }
  // Level 1: PNG encoding runs alongside the resize in sharp's pipeline; higher levels make a 4K encode the
  // slowest step for ~10% smaller files.
  const { data, info } = await pipeline.png({ compressionLevel: 1, adaptiveFiltering: false }).toBuffer({ resolveWithObject: true });
  return { bytes: data, contentType: "image/png", width: info.width, height: info.height };
}
