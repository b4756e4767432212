// The images of a job request, decoded by sharp before anything is priced or held: their real pixel size
// (what an edit or upscale is billed by), and the request's shape rules of api.md (a mask the size of its
// image). Anything undecodable or out of range is a 415 naming the part.
import sharp from "sharp";
import type { JobSpec } from "../../core/api/specs.ts";
import { ApiError, invalidRequest } from "../http/api-error.ts";
import type { InputImage } from "../providers/types.ts";
import type { ImagePart, ImageUpload } from "./parse-job-body.ts";

/** Sides a job input may have: the spec schema's input range. */
export const INPUT_MIN_SIDE = 64;
export const INPUT_MAX_SIDE = 8192;

export type DecodedInputs = Partial<Record<ImagePart, InputImage>>;

async function decode(part: ImagePart, upload: ImageUpload): Promise<InputImage> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(upload.bytes, { limitInputPixels: INPUT_MAX_SIDE * INPUT_MAX_SIDE }).metadata();
  } catch {
    throw new ApiError("unsupported_image", `The ${part} image cannot be decoded`, { part });
  }
  const { width, height } = meta;
  if (!width || !height) throw new ApiError("unsupported_image", `The ${part} image has no size`, { part });
  if (Math.min(width, height) < INPUT_MIN_SIDE || Math.max(width, height) > INPUT_MAX_SIDE)
    throw new ApiError("unsupported_image", `The ${part} image is ${width}x${height}; sides must be ${INPUT_MIN_SIDE} to ${INPUT_MAX_SIDE} px`, {
      part,
      width,
      height,
      limit: `${INPUT_MIN_SIDE}..${INPUT_MAX_SIDE} px per side`,
    });
  return { bytes: upload.bytes, contentType: upload.contentType, width, height };
}

const NEEDS_MASK = new Set(["inpaint", "erase"]);

/**
 * Whether some pixel of the image is transparent: inpaint and erase then take the alpha channel as the mask
 * (transparent = change), as Stability documents ("If you don't provide an explicit mask, one will be derived
 * from the alpha channel of the image"; platform.stability.ai/docs/api-reference#tag/Edit).
 */
async function hasTransparentPixels(image: InputImage): Promise<boolean> {
  const meta = await sharp(image.bytes).metadata();
  if (!meta.hasAlpha) return false;
  const { channels } = await sharp(image.bytes).ensureAlpha().stats();
  return (channels[channels.length - 1]?.min ?? 255) < 255;
}

/** Decodes every part and checks the parts the spec needs; returns the spec with the image's real size. */
export async function decodeInputs(spec: JobSpec, uploads: Partial<Record<ImagePart, ImageUpload>>): Promise<{ spec: JobSpec; images: DecodedInputs }> {
  const images: DecodedInputs = {};
  for (const [part, upload] of Object.entries(uploads) as [ImagePart, ImageUpload][]) images[part] = await decode(part, upload);
  if (spec.operation === "create") {
    if (Object.keys(images).length) throw invalidRequest(Object.fromEntries(Object.keys(images).map((p) => [p, "is not used by create"])));
    return { spec, images };
  }
  const image = images.image;
  if (!image) throw invalidRequest({ image: `is required for ${spec.operation}` });
  const fields: Record<string, string> = {};
  if (spec.operation === "edit") {
    if (NEEDS_MASK.has(spec.kind) && !images.mask && !(await hasTransparentPixels(image)))
      fields.mask = `is required for ${spec.kind} (white = the area to change), unless the image's transparent pixels mark that area`;
    if (images.mask && (images.mask.width !== image.width || images.mask.height !== image.height))
      fields.mask = `must be the image's size (${image.width}x${image.height}), got ${images.mask.width}x${images.mask.height}`;
    if (spec.kind === "replace-background-relight" && !spec.prompt?.trim() && !images.backgroundReference)
      fields.prompt = "relight needs a background prompt or a backgroundReference image";
  }
  if (Object.keys(fields).length) throw invalidRequest(fields);
  return { spec: { ...spec, input: { width: image.width, height: image.height } }, images };
}
