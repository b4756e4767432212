// Test helpers for images: make PNG (and header-only JPEG/GIF/WebP) files and read PNG pixels back. Not part
// of the `figma` API.
import { decodePngToRgba, encodePng, type RGBA } from "./png.ts";

export type { RGBA };

/** A PNG of `width` x `height` whose pixel (x, y) is `paint(x, y)` (RGBA, 0..255). */
export function pngOf(width: number, height: number, paint: (x: number, y: number) => RGBA): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(paint(x, y), (y * width + x) * 4);
  return encodePng({ width, height, data });
}

/**
 * A photo-like test picture: a flat light backdrop with a red disc in the middle (what the old browser
 * fake drew with OffscreenCanvas), so edits and masks have a subject.
 */
export function photoPng(width: number, height: number): Uint8Array {
  const [cx, cy, rx, ry] = [width / 2, height / 2, width / 4, height / 4];
  return pngOf(width, height, (x, y) => {
    const dx = (x + 0.5 - cx) / rx;
    const dy = (y + 0.5 - cy) / ry;
    return dx * dx + dy * dy <= 1 ? [0xd2, 0x45, 0x2d, 255] : [0xdf, 0xe9, 0xf2, 255];
  });
}

export const solidPng = (width: number, height: number, color: RGBA = [128, 128, 128, 255]) => pngOf(width, height, () => color);

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA bytes, row by row. */
  data: Uint8Array;
  /** The pixel at (x, y) as [r, g, b, a], 0..255; throws outside the image. */
  pixel(x: number, y: number): RGBA;
}

export function decodePng(bytes: Uint8Array): DecodedImage {
  const { width, height, data } = decodePngToRgba(bytes);
  return {
    width,
    height,
    data,
    pixel(x, y) {
      if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= width || y >= height)
        throw new Error(`pixel (${x}, ${y}) is outside the ${width}x${height} image`);
      const i = (y * width + x) * 4;
      return [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
    },
  };
}

/**
 * The smallest JPEG header figma.createImage accepts: SOI, a baseline SOF0 segment with the size, EOI. It
 * is not a decodable picture (the fake paints JPEG fills flat, see images.ts).
 */
export function jpegOf(width: number, height: number): Uint8Array {
  // prettier-ignore
  return new Uint8Array([
    0xff, 0xd8, // SOI
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, // APP0 JFIF
    0xff, 0xc0, 0x00, 0x0b, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x01, 0x01, 0x11, 0x00, // SOF0, 1 component
    0xff, 0xd9, // EOI
  ]);
}

/** A GIF header (GIF89a, logical screen size, no colour table) and trailer. */
export function gifOf(width: number, height: number): Uint8Array {
  return new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, width & 0xff, width >> 8, height & 0xff, height >> 8, 0x00, 0x00, 0x00, 0x3b]);
}

/** A WebP header (RIFF....WEBPVP8 ): a format figma.createImage refuses. */
export function webpOf(): Uint8Array {
  return new Uint8Array([0x52, 0x49, 0x46, 0x46, 0x1a, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x20, 0x0e, 0, 0, 0, 0x30, 0x01, 0, 0x9d, 0x01, 0x2a, 1, 0, 1, 0]);
}
