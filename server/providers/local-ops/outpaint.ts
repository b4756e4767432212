// Offline outpaint: the canvas grows by `expand`, the original is placed unchanged, and the new area is the
// image mirrored across its edges, blurred more the further it is from the original. Next to the seam it
// continues the edge's texture; far away it becomes the edge's soft colours. No new content is invented.
import { fromPixels } from "../../images/decode.ts";
import type { ProviderImage } from "../types.ts";
import { CANVAS_LIMIT, decodeRgba, encodePng, inputError, smoothstep } from "./raster.ts";

export interface Expand {
  left: number;
  right: number;
  up: number;
  down: number;
}

/** The outpainted size; unsupported_image when it passes the canvas limit (no faithful way to cap it). */
export function outpaintSize(width: number, height: number, expand: Expand): { width: number; height: number } {
  for (const side of ["left", "right", "up", "down"] as const) {
    const v = expand[side];
    if (!Number.isInteger(v) || v < 0) throw inputError("invalid_request", `expand.${side} must be a whole number of pixels, 0 or more`, { field: `expand.${side}` });
  }
  const size = { width: width + expand.left + expand.right, height: height + expand.up + expand.down };
  if (Math.max(size.width, size.height) > CANVAS_LIMIT)
    throw inputError("unsupported_image", `Outpainting would make a ${size.width}x${size.height} image; the limit is ${CANVAS_LIMIT} px on the long side`, {
      field: "expand",
      limit: { maxLongSide: CANVAS_LIMIT },
    });
  return size;
}

export async function outpaint(bytes: Buffer, expand: Expand): Promise<ProviderImage> {
  const raster = await decodeRgba(bytes);
  const { width: w, height: h } = raster;
  const { width: W, height: H } = outpaintSize(w, h, expand);
  if (W === w && H === h) return encodePng({ ...raster, data: Buffer.from(raster.data) });
  const mirrored = await fromPixels(raster.data, { width: w, height: h, channels: 4 })
    .extend({ left: expand.left, right: expand.right, top: expand.up, bottom: expand.down, extendWith: "mirror" })
    .raw()
    .toBuffer();
  // The far-field blur scales with how far the canvas grows. It is done on a reduced copy (a wide Gaussian at
  // full size costs seconds at 4K) and scaled back up, which is smooth anyway.
  const reach = Math.max(expand.left, expand.right, expand.up, expand.down);
  const sigma = Math.max(3, reach / 4);
  const factor = Math.max(1, Math.floor(sigma / 4));
  const small = { width: Math.max(1, Math.round(W / factor)), height: Math.max(1, Math.round(H / factor)) };
  const blurred = await fromPixels(mirrored, { width: W, height: H, channels: 4 })
    .resize(small.width, small.height, { fit: "fill" })
    .blur(Math.max(0.3, sigma / factor))
    .resize(W, H, { fit: "fill", kernel: "cubic" })
    .raw()
    .toBuffer();

  // The mirror dominates next to the original and the blur takes over within `ramp` px of it.
  const ramp = Math.max(8, reach / 2);
  const out = Buffer.alloc(W * H * 4);
  for (let y = 0; y < H; y++) {
    const dy = y < expand.up ? expand.up - y : y >= expand.up + h ? y - (expand.up + h - 1) : 0;
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 4;
      const dx = x < expand.left ? expand.left - x : x >= expand.left + w ? x - (expand.left + w - 1) : 0;
      if (dx === 0 && dy === 0) {
        // Inside the original: copy the whole row span at once and jump past it.
        const from = (y - expand.up) * w * 4;
        raster.data.copy(out, o, from, from + w * 4);
        x += w - 1;
        continue;
      }
      const t = smoothstep(0, ramp, Math.sqrt(dx * dx + dy * dy));
      for (let c = 0; c < 4; c++) out[o + c] = Math.round(mirrored[o + c]! + (blurred[o + c]! - mirrored[o + c]!) * t);
    }
  }
  return encodePng({ ...raster, data: out, width: W, height: H });
}
