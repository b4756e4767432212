// The one place the proxy hands pixels to sharp. Every pipeline starts here, so every decode has the same
// bounds (server/images/one-decoder.test.ts keeps it that way):
// - a pixel limit: nothing larger than 8192x8192 (the largest input a job takes) is decoded, whatever the
//   file's size; a 250 KB PNG can claim 67 million pixels, and its raw pixels would be 256 MiB;
// - failOn "error": truncated or corrupt pixel data fails the pipeline, while the warnings that libpng and
//   libjpeg give for pictures every browser shows (an "incorrect sRGB profile", extra bytes after the image)
//   do not, as they would with sharp's default "warning";
// - sharp's own settings for a long-running server (configureSharp, called once at start).
import sharp from "sharp";

/** The largest image (in pixels) any pipeline of the proxy decodes: a job input's largest size. */
export const MAX_IMAGE_PIXELS = 8192 * 8192;

/** Encoded image bytes, or the path of a file holding them (an upload streamed to disk). */
export type ImageInput = Buffer | string;

export type Pipeline = sharp.Sharp;
export type RawInfo = sharp.OutputInfo;
export type ImageMetadata = sharp.Metadata;

const BOUNDS = { limitInputPixels: MAX_IMAGE_PIXELS, failOn: "error" } as const;

/**
 * An encoded image (PNG, JPEG, WebP; an SVG the proxy drew itself) as a pipeline. Sequential read (sharp's
 * default) streams it: a pipeline that shrinks a large image never holds all of its pixels.
 */
export function decode(input: ImageInput): Pipeline {
  return sharp(input, BOUNDS);
}

/** Raw pixels (8-bit, `channels` per pixel) as a pipeline, under the same pixel limit. */
export function fromPixels(data: Buffer, raw: { width: number; height: number; channels: 1 | 2 | 3 | 4 }): Pipeline {
  return sharp(data, { ...BOUNDS, raw });
}

/** A blank canvas (a mask, a background) of `width` x `height`. */
export function blank(width: number, height: number, channels: 3 | 4, background: sharp.Color): Pipeline {
  return sharp({ create: { width, height, channels, background }, limitInputPixels: MAX_IMAGE_PIXELS });
}

export const attention = sharp.strategy.attention;

/**
 * sharp for a server that decodes untrusted images all day:
 * - no operation cache: libvips would keep recent images (and the buffers they were read from) to answer a
 *   repeat of the same operation, which a proxy never asks, while the memory stays taken;
 * - `threads` libvips threads per pipeline. Pipelines run at once on libuv's pool (4 threads) as well, so the
 *   process runs at most about 4 x threads image threads; the image queue (image-work.ts) bounds how many
 *   large images are in flight, which is what bounds memory.
 */
export function configureSharp(threads: number): void {
  sharp.cache(false);
  sharp.concurrency(threads);
}
