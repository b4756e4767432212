// A full check of an uploaded image before anything is held for it. The header alone (sharp's metadata)
// says nothing about the pixels: a PNG or JPEG cut short passes it, and would fail only in the job, after
// the credits were held. So every pixel is decoded here, streamed (one band out, a strip at a time, never the
// whole image in memory), and the alpha band is read on the way for what edits need to know (whether some
// pixel is transparent).
import { decode, type ImageInput, type ImageMetadata } from "./decode.ts";

export interface VerifiedImage {
  format: ImageMetadata["format"];
  /** As stored (EXIF orientation not applied), as the job's input size has always been read. */
  width: number;
  height: number;
  /** Some pixel is not fully opaque. */
  transparent: boolean;
}

/** The image does not decode: not an image, over the pixel limit, truncated or corrupt. */
export class UndecodableImageError extends Error {
  override name = "UndecodableImageError";
}

/** 0xff bytes to compare alpha strips with (a strip longer than this is compared in pieces). */
const OPAQUE = Buffer.alloc(64 * 1024, 0xff);

function allOpaque(chunk: Buffer): boolean {
  for (let at = 0; at < chunk.length; at += OPAQUE.length) {
    const piece = chunk.subarray(at, at + OPAQUE.length);
    if (!piece.equals(OPAQUE.subarray(0, piece.length))) return false;
  }
  return true;
}

/** Decodes every pixel of `input`; rejects with UndecodableImageError naming libvips' reason. */
export async function verifyImage(input: ImageInput): Promise<VerifiedImage> {
  try {
    const meta = await decode(input).metadata();
    if (!meta.width || !meta.height) throw new UndecodableImageError("the image has no size");
    // The alpha band when there is one (16-bit alpha is opaque when both its bytes are 0xff); else any band.
    const band = (meta.hasAlpha ? meta.channels - 1 : 0) as 0 | 1 | 2 | 3;
    let transparent = false;
    for await (const chunk of decode(input).extractChannel(band).raw() as AsyncIterable<Buffer>)
      if (meta.hasAlpha && !transparent && !allOpaque(chunk)) transparent = true;
    return { format: meta.format, width: meta.width, height: meta.height, transparent };
  } catch (cause) {
    if (cause instanceof UndecodableImageError) throw cause;
    throw new UndecodableImageError(cause instanceof Error ? cause.message.split("\n")[0]! : String(cause), { cause });
  }
}
