// Offline background removal for the common case a model is not needed for: a subject on a fairly plain
// background (studio shots, product photos, illustrations). The background is learnt from the border,
// and only background CONNECTED to the border is removed, so an enclosed area of the same colour inside
// the subject (the white of an eye, white lettering on a label) stays. The price of that rule: background
// seen through a hole in the subject (inside a ring) stays too. Busy photographic backgrounds need a
// segmentation model; here they are removed only where they match the border's colours.
import { fromPixels } from "../../images/decode.ts";
import type { ProviderImage } from "../types.ts";
import { decodeRgba, encodePng, smoothstep } from "./raster.ts";

export interface RemoveBackgroundOptions {
  /** CIE76 ΔE below which a pixel is background (if it connects to the border). Default 12. */
  tolerance?: number;
  /** Gaussian sigma (px) of the alpha edge. Default 0.8: a soft edge, not a halo. */
  feather?: number;
}

// sRGB → linear once per byte value, not per pixel.
const LINEAR = new Float32Array(256).map((_, v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});

const labF = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);

/** CIELAB (D65) of one sRGB pixel, written to out[0..2]. */
function toLab(r: number, g: number, b: number, out: Float32Array): void {
  const R = LINEAR[r]!, G = LINEAR[g]!, B = LINEAR[b]!;
  const fx = labF((0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047);
  const fy = labF(0.2126 * R + 0.7152 * G + 0.0722 * B);
  const fz = labF((0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883);
  out[0] = 116 * fy - 16;
  out[1] = 500 * (fx - fy);
  out[2] = 200 * (fy - fz);
}

interface Cluster {
  l: number;
  a: number;
  b: number;
  count: number;
  /** Pixels per border side: top, right, bottom, left. */
  sides: [number, number, number, number];
}

/**
 * The background colours: the border pixels grouped by colour (greedy, ΔE 10). The largest group is the
 * background; others join it when they cover a real share of the border along at least two sides (a wall
 * and a floor, a gradient, a two-tone backdrop). A colour on one side only is more likely the subject
 * cropped by the frame (a bottle standing on the bottom edge) and is kept.
 */
function borderColours(data: Buffer, width: number, height: number): Cluster[] {
  const clusters: Cluster[] = [];
  const lab = new Float32Array(3);
  let total = 0;
  const visit = (x: number, y: number, side: 0 | 1 | 2 | 3) => {
    const o = (y * width + x) * 4;
    if (data[o + 3]! < 128) return; // Already transparent: background by definition, says nothing about colour.
    toLab(data[o]!, data[o + 1]!, data[o + 2]!, lab);
    total++;
    let best: Cluster | undefined;
    let bestD = 10 * 10;
    for (const c of clusters) {
      const d = (c.l - lab[0]!) ** 2 + (c.a - lab[1]!) ** 2 + (c.b - lab[2]!) ** 2;
      if (d < bestD) {
        best = c;
        bestD = d;
      }
    }
    if (best) {
      best.sides[side]++;
      // Running mean, so a slow gradient along the border drags its group along with it.
      best.count++;
      best.l += (lab[0]! - best.l) / best.count;
      best.a += (lab[1]! - best.a) / best.count;
      best.b += (lab[2]! - best.b) / best.count;
    } else if (clusters.length < 64) {
      const sides: Cluster["sides"] = [0, 0, 0, 0];
      sides[side] = 1;
      clusters.push({ l: lab[0]!, a: lab[1]!, b: lab[2]!, count: 1, sides });
    }
  };
  for (let x = 0; x < width; x++) {
    visit(x, 0, 0);
    if (height > 1) visit(x, height - 1, 2);
  }
  for (let y = 1; y < height - 1; y++) {
    visit(width - 1, y, 1);
    if (width > 1) visit(0, y, 3);
  }
  const sideLength = [width, height, width, height];
  const sorted = clusters.sort((p, q) => q.count - p.count);
  return sorted
    .filter((c, i) => {
      if (i === 0) return true;
      const sides = c.sides.filter((n, s) => n >= Math.max(2, sideLength[s]! * 0.05)).length;
      return c.count >= Math.max(3, total * 0.04) && sides >= 2;
    })
    .slice(0, 8);
}

export async function removeBackground(bytes: Buffer, options: RemoveBackgroundOptions = {}): Promise<ProviderImage> {
  const tolerance = options.tolerance ?? 12;
  const feather = options.feather ?? 0.8;
  const raster = await decodeRgba(bytes);
  const { data, width, height } = raster;
  const n = width * height;
  const background = borderColours(data, width, height);

  // ΔE of every pixel to the nearest background colour (Infinity-like when the border gave no colour).
  const distance = new Float32Array(n);
  const lab = new Float32Array(3);
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    if (data[o + 3]! < 128) continue; // Transparent input pixels are background: distance 0.
    toLab(data[o]!, data[o + 1]!, data[o + 2]!, lab);
    let best = 1e9;
    for (const c of background) {
      const d = (c.l - lab[0]!) ** 2 + (c.a - lab[1]!) ** 2 + (c.b - lab[2]!) ** 2;
      if (d < best) best = d;
    }
    distance[i] = Math.sqrt(best);
  }

  // Flood fill from the border through background-coloured pixels (4-connected, so a one-pixel diagonal
  // gap in an outline does not let the fill into the subject).
  const isBackground = new Uint8Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  const seed = (i: number) => {
    if (!isBackground[i] && distance[i]! < tolerance) {
      isBackground[i] = 1;
      queue[tail++] = i;
    }
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  while (head < tail) {
    const i = queue[head++]!;
    const x = i % width;
    if (x > 0) seed(i - 1);
    if (x < width - 1) seed(i + 1);
    if (i >= width) seed(i - width);
    if (i < n - width) seed(i + width);
  }

  // The edge band: subject pixels within 2 px of removed background. Their colour is often a blend of subject
  // and background (anti-aliasing), so their alpha follows how far their colour is from the background.
  const nearBackground = dilate(dilate(isBackground, width, height), width, height);
  const alpha = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    if (isBackground[i]) continue;
    if (!nearBackground[i]) {
      alpha[i] = 255;
      continue;
    }
    // Fully opaque at the subject's own distance from the background (the largest nearby), capped at 4x the
    // tolerance: a pale subject on white is not made half-transparent along its whole outline.
    const solidAt = Math.max(tolerance + 1, Math.min(tolerance * 4, localMax(i, width, height, isBackground, distance, 2)));
    alpha[i] = Math.round(255 * smoothstep(tolerance, solidAt, distance[i]!));
  }

  // Feather: a slight blur of the matte, so hard stair-stepped edges become soft.
  const soft = feather > 0
    ? await fromPixels(alpha, { width, height, channels: 1 }).blur(Math.max(0.3, feather)).extractChannel(0).raw().toBuffer()
    : alpha;

  // Edge pixels keep the nearest solid subject colour instead of their background-tinted blend, so the cut-out
  // has no light fringe when placed on a dark layer.
  const out = Buffer.from(data);
  for (let i = 0; i < n; i++) {
    const a = soft[i]!;
    const o = i * 4;
    out[o + 3] = Math.round((a * data[o + 3]!) / 255);
    if (a === 0 || a === 255 || !nearBackground[i]) continue;
    const from = nearestInterior(i, width, height, nearBackground, 4);
    if (from >= 0) {
      out[o] = data[from * 4]!;
      out[o + 1] = data[from * 4 + 1]!;
      out[o + 2] = data[from * 4 + 2]!;
    }
  }
  return encodePng({ data: out, width, height, hadAlpha: true }, { alpha: true });
}

/** The set plus its 8-neighbours. */
function dilate(set: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(set.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!set[i]) continue;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < width) out[yy * width + xx] = 1;
        }
      }
    }
  }
  return out;
}

/** The largest distance to the background among subject pixels within `radius` (square window). */
function localMax(i: number, width: number, height: number, isBackground: Uint8Array, distance: Float32Array, radius: number): number {
  const x0 = i % width;
  const y0 = (i - x0) / width;
  let max = 0;
  for (let y = Math.max(0, y0 - radius); y <= Math.min(height - 1, y0 + radius); y++) {
    for (let x = Math.max(0, x0 - radius); x <= Math.min(width - 1, x0 + radius); x++) {
      const j = y * width + x;
      if (!isBackground[j] && distance[j]! > max) max = distance[j]!;
    }
  }
  return max;
}

/** The nearest subject pixel outside the edge band (square rings, up to `radius`); -1 if none. */
function nearestInterior(i: number, width: number, height: number, nearBackground: Uint8Array, radius: number): number {
  const x0 = i % width;
  const y0 = (i - x0) / width;
  for (let r = 1; r <= radius; r++) {
    let best = -1;
    let bestD = Infinity;
    for (let y = y0 - r; y <= y0 + r; y++) {
      if (y < 0 || y >= height) continue;
      for (let x = x0 - r; x <= x0 + r; x++) {
        if (x < 0 || x >= width || (Math.abs(x - x0) !== r && Math.abs(y - y0) !== r)) continue;
        const j = y * width + x;
        if (nearBackground[j]) continue;
        const d = (x - x0) ** 2 + (y - y0) ** 2;
        if (d < bestD) {
          best = j;
          bestD = d;
        }
      }
    }
    if (best >= 0) return best;
  }
  return -1;
}
