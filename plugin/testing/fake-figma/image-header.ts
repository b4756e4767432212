// Reading an image file's type and pixel size from its header, as figma.createImage must before it accepts
// the bytes (PNG: IHDR; JPEG: the SOF marker; GIF: the logical screen descriptor).

export type ImageKind = "PNG" | "JPEG" | "GIF";

export interface ImageHeader {
  kind: ImageKind;
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const be16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const be32 = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const le16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);

function pngHeader(b: Uint8Array): ImageHeader | null {
  if (b.length < 24 || !PNG_SIGNATURE.every((v, i) => b[i] === v)) return null;
  // The first chunk must be IHDR ("IHDR" at 12..15), with width and height at 16 and 20.
  if (String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== "IHDR") return null;
  return { kind: "PNG", width: be32(b, 16), height: be32(b, 20) };
}

/** Start-of-frame markers C0..CF, except C4 (DHT), C8 (JPG) and CC (DAC), carry the frame size. */
const isStartOfFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegHeader(b: Uint8Array): ImageHeader | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    // Markers without a length: TEM, RSTn, SOI, EOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      if (marker === 0xd9) return null;
      i += 2;
      continue;
    }
    const length = be16(b, i + 2);
    // Segment: FF marker, length (2), precision (1), height (2), width (2).
    if (isStartOfFrame(marker)) return i + 8 < b.length ? { kind: "JPEG", height: be16(b, i + 5), width: be16(b, i + 7) } : null;
    i += 2 + length;
  }
  return null;
}

function gifHeader(b: Uint8Array): ImageHeader | null {
  if (b.length < 10) return null;
  const magic = String.fromCharCode(...b.subarray(0, 6));
  if (magic !== "GIF87a" && magic !== "GIF89a") return null;
  return { kind: "GIF", width: le16(b, 6), height: le16(b, 8) };
}

/** The type and size of a PNG, JPEG or GIF file; null for anything else (WebP, SVG, garbage, truncated). */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  return pngHeader(bytes) ?? jpegHeader(bytes) ?? gifHeader(bytes);
}
