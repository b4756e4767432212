// Synthetic images for the local-ops tests: drawn as SVG and rendered by sharp, read back as raw RGBA, so
// tests describe pictures ("a red circle on white") instead of pixel dumps.
import sharp from "sharp";

export async function svgPng(width: number, height: number, body: string): Promise<Buffer> {
  return sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${body}</svg>`)).png().toBuffer();
}

export interface Pixels {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
  at(x: number, y: number): number[];
}

/** RGBA pixels of a PNG (alpha added when it has none). */
export async function rgba(png: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    data,
    width: info.width,
    height: info.height,
    channels: info.channels,
    at: (x, y) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x + 1) * info.channels)],
  };
}

/** Relative luminance (0..255) of an RGB triple: what "lighter" means to a viewer. */
export const luminance = ([r, g, b]: number[]) => 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;

/** The same picture without an alpha channel (SVG renders always carry one), as a photo would be. */
export async function opaque(png: Buffer | Promise<Buffer>): Promise<Buffer> {
  return sharp(await png).removeAlpha().png().toBuffer();
}
