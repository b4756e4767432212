// The offline image of the `local` provider: a composition that is a pure function of (prompt, seed, size).
// The prompt picks the palette and the layout style (so different prompts look clearly different and
// colour words are honoured); the seed places the shapes (so variations are siblings); sharp renders the
// SVG and encodes the PNG, so the bytes are identical for identical inputs.
import { createHash } from "node:crypto";
import { decode } from "../images/decode.ts";

/** mulberry32: small, fast, and deterministic across platforms. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COLOR_WORDS: Record<string, number> = {
  red: 0, crimson: 350, pink: 330, magenta: 300, purple: 275, violet: 265, indigo: 240, blue: 215, navy: 225,
  cyan: 185, teal: 175, turquoise: 170, green: 125, forest: 130, lime: 85, olive: 70, yellow: 52, gold: 45,
  orange: 28, amber: 38, brown: 25, sunset: 20, ocean: 200, sky: 205, fire: 12, snow: 210, night: 235,
};

interface Palette {
  colors: string[];
  light: boolean;
}

function palette(hash: Buffer, prompt: string): Palette {
  const word = prompt.toLowerCase().match(/[a-z]+/g)?.find((w) => w in COLOR_WORDS);
  const hue = word ? COLOR_WORDS[word]! : (hash.readUInt16BE(0) % 360);
  const scheme = [[0, 30, 60, 200, 180], [0, 180, 20, 160, 200], [0, 120, 240, 60, 300], [0, 15, 330, 345, 30]][hash[2]! % 4]!;
  const light = hash[3]! % 3 === 0;
  const colors = scheme.map((offset, i) => {
    const sat = 45 + ((hash[4 + i]! * 7) % 50);
    const lum = light ? 62 + ((hash[9 + i]! * 3) % 28) : 22 + ((hash[9 + i]! * 5) % 46);
    return `hsl(${(hue + offset) % 360}, ${sat}%, ${lum}%)`;
  });
  return { colors, light };
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function caption(prompt: string): string {
  const words = prompt.trim().split(/\s+/).slice(0, 5).join(" ");
  return words.length > 40 ? `${words.slice(0, 39)}…` : words;
}

export function proceduralSvg(prompt: string, seed: number, width: number, height: number): string {
  const hash = createHash("sha256").update(prompt, "utf8").digest();
  const { colors, light } = palette(hash, prompt);
  const rand = prng(hash.readUInt32BE(16) ^ seed);
  const pick = () => colors[Math.floor(rand() * colors.length)]!;
  const short = Math.min(width, height);
  const angle = Math.floor(rand() * 360);
  const style = hash[20]! % 4;
  const shapes: string[] = [];
  const n = 7 + Math.floor(rand() * 8);
  for (let i = 0; i < n; i++) {
    const x = rand() * width;
    const y = rand() * height;
    const size = short * (0.08 + rand() * 0.35);
    const opacity = (0.35 + rand() * 0.55).toFixed(2);
    const fill = pick();
    if (style === 0) shapes.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${size.toFixed(1)}" fill="${fill}" opacity="${opacity}"/>`);
    else if (style === 1)
      shapes.push(
        `<rect x="${(x - size).toFixed(1)}" y="${(y - size / 2).toFixed(1)}" width="${(size * 2).toFixed(1)}" height="${size.toFixed(1)}" rx="${(size / 6).toFixed(1)}" fill="${fill}" opacity="${opacity}" transform="rotate(${Math.floor(rand() * 90) - 45} ${x.toFixed(1)} ${y.toFixed(1)})"/>`,
      );
    else if (style === 2)
      shapes.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${size.toFixed(1)}" fill="none" stroke="${fill}" stroke-width="${(size / 4).toFixed(1)}" opacity="${opacity}"/>`);
    else {
      const h = height / n;
      shapes.push(`<rect x="0" y="${(i * h).toFixed(1)}" width="${width}" height="${(h * (0.4 + rand() * 0.6)).toFixed(1)}" fill="${fill}" opacity="${opacity}"/>`);
    }
  }
  const fontSize = Math.max(12, Math.round(short * 0.05));
  const text = escapeXml(caption(prompt));
  const ink = light ? "#1b1b1f" : "#f5f5f7";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs>
  <linearGradient id="bg" gradientTransform="rotate(${angle} 0.5 0.5)">
    <stop offset="0" stop-color="${colors[0]}"/><stop offset="1" stop-color="${colors[2]}"/>
  </linearGradient>
  <radialGradient id="glow" cx="${(0.2 + rand() * 0.6).toFixed(2)}" cy="${(0.2 + rand() * 0.6).toFixed(2)}" r="0.6">
    <stop offset="0" stop-color="${colors[1]}" stop-opacity="0.7"/><stop offset="1" stop-color="${colors[1]}" stop-opacity="0"/>
  </radialGradient>
</defs>
<rect width="${width}" height="${height}" fill="url(#bg)"/>
<rect width="${width}" height="${height}" fill="url(#glow)"/>
${shapes.join("\n")}
<text x="${Math.round(fontSize * 0.8)}" y="${height - Math.round(fontSize * 0.9)}" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="${fontSize}" font-weight="bold" fill="${ink}" opacity="0.85">${text}</text>
</svg>`;
}

/** A PNG of exactly width x height. */
export async function renderProceduralPng(prompt: string, seed: number, width: number, height: number): Promise<Buffer> {
  return decode(Buffer.from(proceduralSvg(prompt, seed, width, height)))
    .resize(width, height, { fit: "fill" })
    .flatten({ background: "#808080" })
    .png({ compressionLevel: 6 })
    .toBuffer();
}
