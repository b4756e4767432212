// The social optimizer: one source picture to every requested platform format at its exact pixel size.
//
// - The source is decoded once (EXIF orientation applied, 8-bit sRGB) into a raw buffer; every format is
//   a new sharp pipeline over that buffer, so nothing is decoded twice (sharp's clone() would re-decode
//   the PNG per format, about twice the total time). It is decoded at the smallest scale from which every
//   format asked for is made without enlarging (never above its own size), shrinking as it streams in: an
//   8192x8192 source for all default formats is held as 2560x2560 (25 MiB of pixels, not 256 MiB).
// - "center", "smart" and a focal point all take the same path: the largest box of the format's aspect
//   ratio that fits in the source, centred on a point and clamped to the edges, is extracted and resized
//   to the format (enlarging when the format is bigger than the box). That is what sharp's
//   `fit: "cover"` does for `position: "centre"`, with the centre movable.
// - "smart" finds its point with sharp's attention strategy on a copy at most 256 px long, once per
//   distinct box. libvips shrinks to 32x32 before it looks for attention anyway, so the small copy gives
//   practically the same crops, while attention on the full image roughly doubles the whole run's time.
// - "fit" letterboxes (`fit: "contain"`): transparent bars for a source with transparency, white bars
//   otherwise.
// - Output: JPEG (quality 88) when the source has no transparency, PNG (level 3) when it has. An alpha
//   channel in which every pixel is opaque (common in PNG exports) counts as none: a PNG would be several
//   times the bytes and the encode time for the same picture.
// - Formats of the same pixel size (the 1080x1920 stories) give the same picture, so it is made once.
//   The work runs three pipelines at a time, largest first so a big one does not finish last alone.
import { availableParallelism } from "node:os";
import type { Catalog } from "../../core/catalog/schema.ts";
import { attention as attentionStrategy, decode as decodeImage, fromPixels, type ImageInput, type Pipeline, type RawInfo } from "../images/decode.ts";

export type SocialFormat = Catalog["social"]["formats"][number];
export type CropMode = "smart" | "center" | "fit";

export interface SocialRequest {
  /** Encoded bytes, or the path of a file holding them. */
  image: ImageInput;
  formats: readonly SocialFormat[];
  crop: CropMode;
  /** 0..1 of the (oriented) source; for "smart" and "center" it replaces the crop's own centre. */
  focalPoint?: { x: number; y: number };
  signal?: AbortSignal;
  /** Called after each format with how many are done so far. */
  onImage?(done: number): void;
}

export interface SocialImage {
  formatId: string;
  bytes: Buffer;
  contentType: "image/png" | "image/jpeg";
  width: number;
  height: number;
}

/** The source cannot be used: not an image sharp can decode, or over the pixel limit. */
export class SocialInputError extends Error {
  override name = "SocialInputError";
}

/** Long side of the copy that smart crops look for attention in. */
const ATTENTION_SIDE = 256;
const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };
const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 };
/**
 * Pipelines at once: 3 beat 2 on a 2-core machine (each pipeline has single-threaded stretches: setup, the
 * encoders). libuv runs only 4 sharp jobs at a time for the whole process, so 3 leaves one for other jobs;
 * more cores are used anyway, as sharp.concurrency (set in start-server.ts) threads each pipeline.
 */
const PARALLEL = Math.min(3, availableParallelism() + 1);

interface Source {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
  /** Some pixel is not fully opaque; only then is there an alpha channel (channels 4). */
  transparent: boolean;
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

interface Point {
  x: number;
  y: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * The largest box of `width`:`height` that fits in a `srcWidth` x `srcHeight` source, centred on `focal`
 * (0..1 of the source) as far as the edges allow.
 */
export function cropBox(srcWidth: number, srcHeight: number, width: number, height: number, focal: Point): Box {
  const aspect = width / height;
  let w = srcWidth;
  let h = srcHeight;
  if (srcWidth / srcHeight > aspect) w = clamp(Math.round(srcHeight * aspect), 1, srcWidth);
  else h = clamp(Math.round(srcWidth / aspect), 1, srcHeight);
  const left = clamp(Math.round(clamp(focal.x, 0, 1) * srcWidth - w / 2), 0, srcWidth - w);
  const top = clamp(Math.round(clamp(focal.y, 0, 1) * srcHeight - h / 2), 0, srcHeight - h);
  return { left, top, width: w, height: h };
}

/**
 * The scale (at most 1) at which the source holds every format without enlarging: the largest crop box of a
 * format, or its letterboxed picture for "fit", at the format's own size.
 */
export function workingScale(width: number, height: number, formats: readonly Pick<SocialFormat, "width" | "height">[], crop: CropMode): number {
  let scale = 0;
  for (const f of formats) {
    if (crop === "fit") scale = Math.max(scale, Math.min(f.width / width, f.height / height));
    else {
      const box = cropBox(width, height, f.width, f.height, { x: 0.5, y: 0.5 });
      scale = Math.max(scale, f.width / box.width, f.height / box.height);
    }
  }
  return Math.min(1, scale);
}

function undecodable(cause: unknown): SocialInputError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SocialInputError(`The image for the social optimizer cannot be decoded (${reason})`, { cause });
}

async function decode(image: ImageInput, formats: readonly SocialFormat[], crop: CropMode): Promise<Source> {
  let decoded: { data: Buffer; info: RawInfo };
  try {
    const { width, height } = (await decodeImage(image).metadata()).autoOrient;
    const scale = workingScale(width, height, formats, crop);
    // toColourspace("srgb") also makes 16-bit, greyscale and CMYK inputs 8-bit RGB(A): 3 or 4 bands.
    let p = decodeImage(image).autoOrient().toColourspace("srgb");
    if (scale < 1) p = p.resize(Math.max(1, Math.ceil(width * scale)), Math.max(1, Math.ceil(height * scale)), { fit: "fill" });
    decoded = await p.raw().toBuffer({ resolveWithObject: true });
  } catch (cause) {
    throw undecodable(cause);
  }
  const { data, info } = decoded;
  if (info.channels !== 3 && info.channels !== 4) throw new SocialInputError(`The image decodes to ${info.channels} channels; expected RGB or RGBA`);
  const source: Source = { data, width: info.width, height: info.height, channels: info.channels, transparent: false };
  if (info.channels === 4) {
    for (let i = 3; i < data.length; i += 4)
      if (data[i] !== 255) {
        source.transparent = true;
        break;
      }
  }
  return source;
}

/** A pipeline over the decoded pixels, without the alpha channel when it carries nothing. */
function pipeline(source: Source): Pipeline {
  const p = fromPixels(source.data, { width: source.width, height: source.height, channels: source.channels });
  return source.channels === 4 && !source.transparent ? p.removeAlpha() : p;
}

/** Where attention is, as 0..1 of the source, for crops of `box`'s size; one small copy serves every box. */
function attentionFinder(source: Source): (box: Box) => Promise<Point> {
  let small: Promise<{ data: Buffer; info: RawInfo }> | undefined;
  const points = new Map<string, Promise<Point>>();
  const find = async (box: Box): Promise<Point> => {
    if (box.width === source.width && box.height === source.height) return { x: 0.5, y: 0.5 };
    // Transparent areas are judged as they would look on white, not by whatever colour hides under alpha 0.
    small ??= pipeline(source)
      .resize(ATTENTION_SIDE, ATTENTION_SIDE, { fit: "inside", withoutEnlargement: true })
      .flatten({ background: WHITE })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { data, info } = await small;
    // The box at the copy's scale, with its full side kept exact, so sharp's cover resize is a no-op and
    // the attention point comes back in the copy's own pixels.
    const bw = box.width === source.width ? info.width : clamp(Math.round((box.width * info.width) / source.width), 1, info.width);
    const bh = box.height === source.height ? info.height : clamp(Math.round((box.height * info.height) / source.height), 1, info.height);
    const { info: out } = await fromPixels(data, { width: info.width, height: info.height, channels: info.channels as 3 | 4 })
      .resize(bw, bh, { fit: "cover", position: attentionStrategy })
      .raw()
      .toBuffer({ resolveWithObject: true });
    // No attention point means nothing was cropped at the copy's scale: any centre gives the same picture.
    if (out.attentionX === undefined || out.attentionY === undefined) return { x: 0.5, y: 0.5 };
    return { x: out.attentionX / info.width, y: out.attentionY / info.height };
  };
  return (box) => {
    const key = `${box.width}x${box.height}`;
    let point = points.get(key);
    if (!point) points.set(key, (point = find(box)));
    return point;
  };
}

async function render(
  source: Source,
  width: number,
  height: number,
  crop: CropMode,
  focal: Point | undefined,
  attention: (box: Box) => Promise<Point>,
): Promise<Omit<SocialImage, "formatId">> {
  let p = pipeline(source);
  if (crop === "fit") {
    p = p.resize(width, height, { fit: "contain", background: source.transparent ? TRANSPARENT : WHITE });
  } else {
    const centred = cropBox(source.width, source.height, width, height, { x: 0.5, y: 0.5 });
    const centre = focal ?? (crop === "smart" ? await attention(centred) : { x: 0.5, y: 0.5 });
    const box = cropBox(source.width, source.height, width, height, centre);
    if (box.width !== source.width || box.height !== source.height) p = p.extract(box);
    // The box has the format's aspect ratio to within a pixel; "fill" absorbs that pixel instead of cropping it.
    p = p.resize(width, height, { fit: "fill" });
  }
  const png = source.transparent;
  const encoded = png ? p.png({ compressionLevel: 3, adaptiveFiltering: false }) : p.jpeg({ quality: 88, mozjpeg: false });
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return { bytes: data, contentType: png ? "image/png" : "image/jpeg", width: info.width, height: info.height };
}

/**
 * Every format of `req.formats`, in that order, each exactly its width x height. Rejects with a
 * SocialInputError when the image cannot be decoded, and with `signal.reason` when aborted (checked before
 * the decode and before each format starts; the formats under way finish first, unreported).
 */
export async function optimizeForSocial(req: SocialRequest): Promise<SocialImage[]> {
  req.signal?.throwIfAborted();
  const source = await decode(req.image, req.formats, req.crop);
  req.signal?.throwIfAborted();

  const focal = req.focalPoint && req.crop !== "fit" ? req.focalPoint : undefined;
  const attention = attentionFinder(source);
  // One render per pixel size; the formats that share it share its bytes.
  const sizes = new Map<string, { width: number; height: number; indexes: number[] }>();
  req.formats.forEach((f, i) => {
    const key = `${f.width}x${f.height}`;
    const size = sizes.get(key) ?? { width: f.width, height: f.height, indexes: [] };
    size.indexes.push(i);
    sizes.set(key, size);
  });
  const queue = [...sizes.values()].sort((a, b) => b.width * b.height - a.width * a.height);

  const results: SocialImage[] = new Array(req.formats.length);
  let done = 0;
  let stop = false;
  const worker = async () => {
    try {
      while (!stop && queue.length) {
        req.signal?.throwIfAborted();
        const size = queue.shift()!;
        const image = await render(source, size.width, size.height, req.crop, focal, attention);
        for (const i of size.indexes) {
          results[i] = { formatId: req.formats[i]!.id, ...image };
          if (!stop && !req.signal?.aborted) req.onImage?.(++done);
        }
      }
    } catch (error) {
      stop = true; // the other workers finish the format they are on and take no more
      throw error;
    }
  };
  // Settled, not Promise.all: when this rejects no render is still running, so the caller's job is over
  // when it says so (an abort waits for at most the formats under way).
  const settled = await Promise.allSettled(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) throw failure.reason;
  req.signal?.throwIfAborted(); // aborted while the last formats were under way
  return results;
}
