// The images of a job request, decoded in full before anything is priced or held: their real pixel size
// (what an edit or upscale is billed by), whether they decode to their last pixel (a truncated PNG or JPEG
// passes a header check and would fail only in the job), and the request's shape rules of docs/api.md (a mask
// the size of its image). Anything undecodable or out of range is an InputImageError naming the part, a
// broken rule an InvalidJobRequestError naming the field. Each check is image work: it waits for an image
// slot, so many uploads at once decode a few at a time.
import type { JobSpec } from "../../core/api/specs.ts";
import { UndecodableImageError, verifyImage } from "../images/verify-image.ts";
import type { Slots } from "../slots.ts";
import { InputImageError, InvalidJobRequestError } from "./errors.ts";
import type { ImagePart, ImageUpload } from "./types.ts";

/** Sides a job input may have: the spec schema's input range. */
const INPUT_MIN_SIDE = 64;
const INPUT_MAX_SIDE = 8192;

export interface DecodedInput extends ImageUpload {
  width: number;
  height: number;
  /** Some pixel is not fully opaque. */
  transparent: boolean;
}

export type DecodedInputs = Partial<Record<ImagePart, DecodedInput>>;

async function decode(part: ImagePart, upload: ImageUpload, imageWork: Slots): Promise<DecodedInput> {
  let image;
  try {
    image = await imageWork.run(() => verifyImage(upload.path));
  } catch (error) {
    if (!(error instanceof UndecodableImageError)) throw error;
    throw new InputImageError(part, `The ${part} image cannot be decoded (${error.message})`);
  }
  const { width, height } = image;
  if (Math.min(width, height) < INPUT_MIN_SIDE || Math.max(width, height) > INPUT_MAX_SIDE)
    throw new InputImageError(part, `The ${part} image is ${width}x${height}; sides must be ${INPUT_MIN_SIDE} to ${INPUT_MAX_SIDE} px`, {
      width,
      height,
      limit: `${INPUT_MIN_SIDE}..${INPUT_MAX_SIDE} px per side`,
    });
  return { ...upload, width, height, transparent: image.transparent };
}

/**
 * Inpaint and erase without a mask take the image's transparent pixels as the mask (transparent = change),
 * as Stability documents ("If you don't provide an explicit mask, one will be derived from the alpha channel
 * of the image"; platform.stability.ai/docs/api-reference#tag/Edit).
 */
const NEEDS_MASK = new Set(["inpaint", "erase"]);

/** Decodes every part and checks the parts the spec needs; returns the spec with the image's real size. */
export async function decodeInputs(
  spec: JobSpec,
  uploads: Partial<Record<ImagePart, ImageUpload>>,
  imageWork: Slots,
): Promise<{ spec: JobSpec; images: DecodedInputs }> {
  const images: DecodedInputs = {};
  for (const [part, upload] of Object.entries(uploads) as [ImagePart, ImageUpload][]) images[part] = await decode(part, upload, imageWork);
  if (spec.operation === "create") {
    if (Object.keys(images).length) throw new InvalidJobRequestError(Object.fromEntries(Object.keys(images).map((p) => [p, "is not used by create"])));
    return { spec, images };
  }
  const image = images.image;
  if (!image) throw new InvalidJobRequestError({ image: `is required for ${spec.operation}` });
  const fields: Record<string, string> = {};
  if (spec.operation === "edit") {
    if (NEEDS_MASK.has(spec.kind) && !images.mask && !image.transparent)
      fields.mask = `is required for ${spec.kind} (white = the area to change), unless the image's transparent pixels mark that area`;
    if (images.mask && (images.mask.width !== image.width || images.mask.height !== image.height))
      fields.mask = `must be the image's size (${image.width}x${image.height}), got ${images.mask.width}x${images.mask.height}`;
    if (spec.kind === "replace-background-relight" && !spec.prompt?.trim() && !images.backgroundReference)
      fields.prompt = "relight needs a background prompt or a backgroundReference image";
  }
  if (Object.keys(fields).length) throw new InvalidJobRequestError(fields);
  return { spec: { ...spec, input: { width: image.width, height: image.height } }, images };
}
