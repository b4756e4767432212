// Offline inpaint and erase: the masked area (white) is filled from its surroundings with push-pull
// interpolation: the known pixels are averaged down a pyramid (the mask as weights) until every hole is
// covered, then pushed back up with bilinear upsampling, so the fill is a smooth continuation of the
// colours around it. Pixels outside the mask are copied, byte for byte. Inpaint's prompt cannot be honoured
// without a generative model; offline, inpaint is this same fill (it removes what is masked, like erase).
import type { ProviderImage } from "../types.ts";
import { decodeGrey, decodeRgba, encodePng, inputError } from "./raster.ts";

interface Level {
  width: number;
  height: number;
  /** RGBA per pixel (colour premultiplied by alpha; not by the weight). */
  colour: Float32Array;
  /** 0..1: how much of the pixel comes from known pixels (1 = fully known). */
  weight: Float32Array;
}

export async function fillMask(imageBytes: Buffer, maskBytes: Buffer): Promise<ProviderImage> {
  const raster = await decodeRgba(imageBytes);
  const mask = await decodeGrey(maskBytes);
  const { data, width, height } = raster;
  if (mask.width !== width || mask.height !== height)
    throw inputError("invalid_request", `The mask must be the same size as the image (image ${width}x${height}, mask ${mask.width}x${mask.height})`, {
      field: "mask",
      limit: { width, height },
    });

  // The masked area's bounding box: the work is done around it only, since far pixels barely shape the fill.
  let minX = width, minY = height, maxX = -1, maxY = -1;
  let known = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask.data[y * width + x]! < 128) {
        known++;
        continue;
      }
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  const out = Buffer.from(data);
  if (maxX < 0) return encodePng({ ...raster, data: out }); // Nothing masked: nothing to change.
  if (known === 0) throw inputError("invalid_request", "The mask covers the whole image, so there is nothing around it to fill from", { field: "mask" });

  const margin = Math.max(16, maxX - minX + 1, maxY - minY + 1);
  const x0 = Math.max(0, minX - margin);
  const y0 = Math.max(0, minY - margin);
  const x1 = Math.min(width, maxX + 1 + margin);
  const y1 = Math.min(height, maxY + 1 + margin);
  // Every pixel of the region outside the masked box is known, and when the box is the whole image the mask
  // still leaves `known` pixels in it, so the pyramid always has something to pull from.
  const w = x1 - x0;
  const h = y1 - y0;
  let level = pullFromPixels(data, mask.data, width, x0, y0, w, h);
  const pyramid: Level[] = [level];
  while (level.width > 1 || level.height > 1) {
    level = pull(level);
    pyramid.push(level);
  }
  return finish(raster, mask.data, out, pyramid, x0, y0, w, h);
}

function finish(
  raster: { data: Buffer; width: number; height: number; hadAlpha: boolean },
  mask: Buffer,
  out: Buffer,
  pyramid: Level[],
  x0: number,
  y0: number,
  w: number,
  h: number,
): Promise<ProviderImage> {
  for (let k = pyramid.length - 2; k >= 0; k--) push(pyramid[k]!, pyramid[k + 1]!);
  // Level 0 is the first pull (half size); full-size pixels sample it bilinearly.
  const top = pyramid[0]!;
  const sample = new Float32Array(4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y0 + y) * raster.width + x0 + x;
      const m = mask[i]!;
      if (m < 128) continue; // Known: stays byte-identical.
      bilinear(top, (x + 0.5) / 2 - 0.5, (y + 0.5) / 2 - 0.5, sample);
      const alpha = sample[3]!;
      if (alpha > 0) for (let c = 0; c < 3; c++) sample[c] = (sample[c]! * 255) / alpha;
      const t = m / 255;
      const o = i * 4;
      for (let c = 0; c < 4; c++) out[o + c] = Math.round(raster.data[o + c]! + (sample[c]! - raster.data[o + c]!) * t);
    }
  }
  return encodePng({ ...raster, data: out });
}

/** The first pyramid level (half size) straight from the 8-bit pixels, counting only unmasked ones. */
function pullFromPixels(data: Buffer, mask: Buffer, stride: number, x0: number, y0: number, w: number, h: number): Level {
  const width = Math.ceil(w / 2);
  const height = Math.ceil(h / 2);
  const colour = new Float32Array(width * height * 4);
  const weight = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let count = 0, r = 0, g = 0, b = 0, a = 0;
      for (let dy = 0; dy < 2; dy++) {
        const yy = 2 * y + dy;
        if (yy >= h) continue;
        for (let dx = 0; dx < 2; dx++) {
          const xx = 2 * x + dx;
          if (xx >= w) continue;
          const i = (y0 + yy) * stride + x0 + xx;
          if (mask[i]! >= 128) continue;
          const o = i * 4;
          const alpha = data[o + 3]!;
          // Premultiplied, so the hidden colour of transparent pixels does not darken the fill.
          r += (data[o]! * alpha) / 255;
          g += (data[o + 1]! * alpha) / 255;
          b += (data[o + 2]! * alpha) / 255;
          a += alpha;
          count++;
        }
      }
      const j = y * width + x;
      if (count > 0) {
        colour[j * 4] = r / count;
        colour[j * 4 + 1] = g / count;
        colour[j * 4 + 2] = b / count;
        colour[j * 4 + 3] = a / count;
        weight[j] = 1;
      }
    }
  }
  return { width, height, colour, weight };
}

/** Halves a level: weighted mean colour; a coarse pixel is fully known as soon as its children hold one pixel's worth. */
function pull(fine: Level): Level {
  const width = Math.ceil(fine.width / 2);
  const height = Math.ceil(fine.height / 2);
  const colour = new Float32Array(width * height * 4);
  const weight = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sw = 0, r = 0, g = 0, b = 0, a = 0;
      for (let dy = 0; dy < 2; dy++) {
        const yy = 2 * y + dy;
        if (yy >= fine.height) continue;
        for (let dx = 0; dx < 2; dx++) {
          const xx = 2 * x + dx;
          if (xx >= fine.width) continue;
          const i = yy * fine.width + xx;
          const w = fine.weight[i]!;
          if (w === 0) continue;
          r += fine.colour[i * 4]! * w;
          g += fine.colour[i * 4 + 1]! * w;
          b += fine.colour[i * 4 + 2]! * w;
          a += fine.colour[i * 4 + 3]! * w;
          sw += w;
        }
      }
      const j = y * width + x;
      if (sw > 0) {
        colour[j * 4] = r / sw;
        colour[j * 4 + 1] = g / sw;
        colour[j * 4 + 2] = b / sw;
        colour[j * 4 + 3] = a / sw;
        weight[j] = Math.min(1, sw);
      }
    }
  }
  return { width, height, colour, weight };
}

/** Fills what `fine` does not know from the (already complete) coarser level, blending by the weight. */
function push(fine: Level, coarse: Level): void {
  const sample = new Float32Array(4);
  for (let y = 0; y < fine.height; y++) {
    for (let x = 0; x < fine.width; x++) {
      const i = y * fine.width + x;
      const w = fine.weight[i]!;
      if (w >= 1) continue;
      bilinear(coarse, (x + 0.5) / 2 - 0.5, (y + 0.5) / 2 - 0.5, sample);
      for (let c = 0; c < 4; c++) fine.colour[i * 4 + c] = w * fine.colour[i * 4 + c]! + (1 - w) * sample[c]!;
      fine.weight[i] = 1;
    }
  }
}

function bilinear(level: Level, u: number, v: number, out: Float32Array): void {
  const cu = Math.min(Math.max(u, 0), level.width - 1);
  const cv = Math.min(Math.max(v, 0), level.height - 1);
  const xa = Math.floor(cu), ya = Math.floor(cv);
  const xb = Math.min(xa + 1, level.width - 1), yb = Math.min(ya + 1, level.height - 1);
  const fx = cu - xa, fy = cv - ya;
  const p = level.colour;
  const i00 = (ya * level.width + xa) * 4, i10 = (ya * level.width + xb) * 4;
  const i01 = (yb * level.width + xa) * 4, i11 = (yb * level.width + xb) * 4;
  for (let c = 0; c < 4; c++) {
    const top = p[i00 + c]! + (p[i10 + c]! - p[i00 + c]!) * fx;
    const bottom = p[i01 + c]! + (p[i11 + c]! - p[i01 + c]!) * fx;
    out[c] = top + (bottom - top) * fy;
  }
}
