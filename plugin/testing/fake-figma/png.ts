// PNG files through fast-png (pure JS, so the fake runs in Node, Chromium and behind a QuickJS bridge
// alike). Everything is normalized to 8-bit RGBA.
import { convertIndexedToRgb, decode, encode } from "fast-png";

export type RGBA = [number, number, number, number];

/** Pixels row by row, four bytes each (R, G, B, A). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function encodePng(image: RgbaImage): Uint8Array {
  return encode({ width: image.width, height: image.height, data: image.data, channels: 4, depth: 8 });
}

export function decodePngToRgba(bytes: Uint8Array): RgbaImage {
  const png = decode(bytes);
  const { width, height } = png;
  let channels = png.channels;
  let samples: ArrayLike<number> = png.data;
  let max = png.depth === 16 ? 65535 : 255;
  if (png.palette) {
    samples = convertIndexedToRgb(png);
    channels = samples.length / (width * height);
    max = 255;
  } else if (png.depth < 8) {
    // Grey at 1, 2 or 4 bits: unpack rows (each row starts on a byte boundary).
    const bits = png.depth;
    const unpacked = new Uint8Array(width * height * channels);
    const rowBytes = Math.ceil((width * channels * bits) / 8);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width * channels; x++) {
        const bit = x * bits;
        const byte = png.data[y * rowBytes + (bit >> 3)]!;
        unpacked[y * width * channels + x] = (byte >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
      }
    samples = unpacked;
    max = (1 << bits) - 1;
  }
  const data = new Uint8Array(width * height * 4);
  const to8 = (v: number) => Math.round((v * 255) / max);
  for (let i = 0; i < width * height; i++) {
    const s = (k: number) => to8(samples[i * channels + k]!);
    const [r, g, b, a] = channels === 1 ? [s(0), s(0), s(0), 255] : channels === 2 ? [s(0), s(0), s(0), s(1)] : channels === 3 ? [s(0), s(1), s(2), 255] : [s(0), s(1), s(2), s(3)];
    data.set([r, g, b, a], i * 4);
  }
  return { width, height, data };
}
