// Just enough of the PNG and JPEG formats to tell them apart and read a PNG's size: the sandbox has no
// image decoder, and Figma's exportAsync says nothing about the size it produced.

export const isPng = (b: Uint8Array) => b.length > 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
export const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Width and height from a PNG's IHDR chunk (bytes 16..23, big-endian). */
export function pngSize(b: Uint8Array): { width: number; height: number } {
  if (!isPng(b)) throw new Error("Figma exported something that is not a PNG");
  const u32 = (i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  return { width: u32(16), height: u32(20) };
}

/** The bytes on a plain ArrayBuffer (what the message schema and structured clone carry), copied only if not. */
export const owned = (b: Uint8Array): Uint8Array<ArrayBuffer> => (b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b));
