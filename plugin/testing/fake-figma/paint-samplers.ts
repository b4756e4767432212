// What a paint puts at a point of a node (in the node's own coordinates), as premultiplied RGBA in 0..1.
// SOLID paints; IMAGE paints placed by scaleMode (plugin-api.d.ts, ImagePaint.scaleMode "How the image is
// positioned and scaled within the layer. Same as in the properties panel") and sampled nearest-neighbour.
// Gradients, video, patterns and shaders are not drawn; image filters and ImagePaint.rotation are ignored.
import type { ImageStore } from "./images.ts";
import { IDENTITY, apply } from "./matrix.ts";

export type Premul = [number, number, number, number];
export type Sampler = (x: number, y: number) => Premul | null;

/** Maps a local point to an image pixel, or null where the paint leaves the node empty. */
type PixelMap = (x: number, y: number) => [number, number] | null;

function imagePixelMap(paint: ImagePaint, w: number, h: number, iw: number, ih: number): PixelMap {
  const pixel = (u: number, v: number, clamp: boolean): [number, number] | null => {
    if (!clamp && (u < 0 || v < 0 || u >= iw || v >= ih)) return null;
    return [Math.min(iw - 1, Math.max(0, Math.floor(u))), Math.min(ih - 1, Math.max(0, Math.floor(v)))];
  };
  switch (paint.scaleMode) {
    case "FILL":
    case "FIT": {
      // FILL covers the node (the image scaled up until both sides reach, centred, overflow cut off); FIT
      // shows the whole image (scaled until one side reaches, centred, the rest of the node empty).
      const s = (paint.scaleMode === "FILL" ? Math.max : Math.min)(w / iw, h / ih);
      const ox = (w - iw * s) / 2;
      const oy = (h - ih * s) / 2;
      return (x, y) => pixel((x - ox) / s, (y - oy) / s, paint.scaleMode === "FILL");
    }
    case "CROP": {
      // plugin-api.d.ts, ImagePaint.imageTransform "Determines how the image is positioned (thus, cropped)
      // within the layer": it maps the node's unit square (0..1 across its width and height) into the
      // image's unit square.
      const t = paint.imageTransform ?? IDENTITY;
      return (x, y) => {
        const p = apply(t, x / w, y / h);
        return pixel(p.x * iw, p.y * ih, false);
      };
    }
    case "TILE": {
      // plugin-api.d.ts, ImagePaint.scalingFactor: "Determines the scaling (thus, repetition) of the image".
      const s = paint.scalingFactor ?? 1;
      const mod = (a: number, n: number) => ((a % n) + n) % n;
      return (x, y) => pixel(mod(x, iw * s) / s, mod(y, ih * s) / s, true);
    }
  }
}

export function samplerOf(paint: Paint, w: number, h: number, images: ImageStore): Sampler | null {
  if (paint.visible === false) return null;
  const opacity = paint.opacity ?? 1;
  if (paint.type === "SOLID") {
    const c: Premul = [paint.color.r * opacity, paint.color.g * opacity, paint.color.b * opacity, opacity];
    return () => c;
  }
  if (paint.type === "IMAGE" && paint.imageHash) {
    // An unknown hash draws nothing (what Figma shows for an image it cannot load is not documented).
    const image = images.pixels(paint.imageHash);
    if (!image) return null;
    const map = imagePixelMap(paint, w, h, image.width, image.height);
    const data = image.data;
    return (x, y) => {
      const at = map(x, y);
      if (!at) return null;
      const i = (at[1] * image.width + at[0]) * 4;
      const a = (data[i + 3]! / 255) * opacity;
      return [(data[i]! / 255) * a, (data[i + 1]! / 255) * a, (data[i + 2]! / 255) * a, a];
    };
  }
  return null;
}
