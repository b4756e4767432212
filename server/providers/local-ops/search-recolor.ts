// Offline search-and-recolour: select by colour (a colour word, a hex, or else the image's most saturated
// dominant hue), then move the selection to the target colour in HSL while keeping each pixel's lightness,
// so shading, highlights and texture survive. Selection weights ramp with hue distance and saturation, so
// anti-aliased and low-saturation boundary pixels change partly, never with a hard seam. Selecting an
// OBJECT by name ("the car") needs a model; here the object is whatever carries the selected colour.
import type { ProviderImage } from "../types.ts";
import { clamp01, decodeRgba, encodePng, inputError, smoothstep } from "./raster.ts";

export interface NamedColour {
  /** Hue in degrees (ignored when s is 0). */
  h: number;
  /** HSL saturation 0..1. */
  s: number;
  /** HSL lightness 0..1. */
  l: number;
  /** The word says how light the colour is (navy, pink, white), so a recolour moves lightness towards l. */
  setsLightness: boolean;
}

const hue = (h: number, s = 1, l = 0.5): NamedColour => ({ h, s, l, setsLightness: false });
const shade = (h: number, s: number, l: number): NamedColour => ({ h, s, l, setsLightness: true });

/** The colour words both sides understand; the message for an unknown target lists them. */
export const COLOUR_WORDS: Readonly<Record<string, NamedColour>> = {
  red: hue(0),
  orange: hue(30),
  yellow: hue(55),
  gold: shade(45, 0.9, 0.5),
  lime: hue(90),
  green: hue(120, 0.8),
  teal: shade(178, 0.7, 0.32),
  cyan: hue(185),
  turquoise: hue(174, 0.7),
  blue: hue(220),
  navy: shade(225, 0.75, 0.22),
  indigo: shade(255, 0.7, 0.35),
  purple: hue(280, 0.75),
  violet: hue(270, 0.8),
  magenta: hue(305),
  pink: shade(335, 0.9, 0.78),
  maroon: shade(350, 0.8, 0.25),
  brown: shade(25, 0.55, 0.3),
  beige: shade(40, 0.5, 0.82),
  white: shade(0, 0, 0.96),
  grey: shade(0, 0, 0.5),
  gray: shade(0, 0, 0.5),
  black: shade(0, 0, 0.06),
};

export interface RecolorOptions {
  /** What to recolour: a colour word or "#rrggbb"/"#rgb" anywhere in the text; otherwise the dominant hue. */
  select: string;
  /** The target: the first colour word or hex in the text (the edit's prompt). */
  to: string;
}

/** How a pixel is chosen: by hue (coloured) or by lightness among unsaturated pixels (white, grey, black). */
type Selection = { kind: "hue"; h: number } | { kind: "neutral"; l: number };

const HEX = /#([0-9a-f]{6}|[0-9a-f]{3})\b/i;

/** The first hex or colour word in `text`, as a colour; undefined when there is none. */
export function parseColour(text: string): NamedColour | undefined {
  const lower = text.toLowerCase();
  const hex = HEX.exec(lower);
  const word = lower.match(/[a-z]+/g)?.find((w) => w in COLOUR_WORDS);
  const wordAt = word ? lower.search(new RegExp(`\\b${word}\\b`)) : -1;
  if (hex && (wordAt < 0 || hex.index < wordAt)) {
    let digits = hex[1]!;
    if (digits.length === 3) digits = [...digits].map((c) => c + c).join("");
    const value = Number.parseInt(digits, 16);
    const [h, s, l] = rgbToHsl((value >> 16) & 255, (value >> 8) & 255, value & 255);
    return { h, s, l, setsLightness: true };
  }
  return word ? COLOUR_WORDS[word] : undefined;
}

/** The target colour of a prompt; invalid_request naming the known colours when it has none. */
export function targetColour(to: string): NamedColour {
  const target = parseColour(to);
  if (!target)
    throw inputError(
      "invalid_request",
      `The local provider recolours to a colour word or a hex like #1e90ff; found none in "${to.slice(0, 80)}". It knows: ${Object.keys(COLOUR_WORDS).join(", ")}`,
      { field: "prompt", limit: Object.keys(COLOUR_WORDS) },
    );
  return target;
}

export async function recolor(bytes: Buffer, options: RecolorOptions): Promise<ProviderImage> {
  const target = targetColour(options.to);
  const raster = await decodeRgba(bytes);
  const { data, width, height } = raster;
  const n = width * height;

  const named = parseColour(options.select);
  let selection: Selection;
  if (named) selection = named.s < 0.15 ? { kind: "neutral", l: named.l } : { kind: "hue", h: named.h };
  else {
    const h = dominantHue(data, n);
    if (h === undefined)
      throw inputError("invalid_request", `The image has no clearly coloured area to recolour; name its colour (e.g. "red") in the selection`, { field: "selectPrompt" });
    selection = { kind: "hue", h };
  }

  // Pass 1: the weight of every pixel, and the selection's mean lightness (for targets that set lightness).
  const weight = new Float32Array(n);
  let sumW = 0;
  let sumL = 0;
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    if (data[o + 3] === 0) continue;
    const w = selectionWeight(data[o]!, data[o + 1]!, data[o + 2]!, selection);
    if (w <= 0) continue;
    weight[i] = w;
    sumW += w;
    sumL += w * lightness(data[o]!, data[o + 1]!, data[o + 2]!);
  }
  const out = Buffer.from(data);
  if (sumW === 0) return encodePng({ ...raster, data: out });

  // A neutral selection has no saturation to carry over, so it takes the target's, and must move lightness
  // (white → red has to get darker to be red at all).
  const fromNeutral = selection.kind === "neutral";
  const moveLightness = target.setsLightness || fromNeutral;
  const meanL = sumL / sumW;
  // l^gamma maps the selection's mean lightness to the target's and keeps every pixel's lightness order.
  const gamma = moveLightness && meanL > 0.02 && meanL < 0.98 && target.l > 0 && target.l < 1
    ? Math.min(5, Math.max(0.2, Math.log(target.l) / Math.log(meanL)))
    : 1;

  const rgb = [0, 0, 0] as [number, number, number];
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    const w = weight[i]!;
    if (w <= 0) continue;
    const r = data[o]!, g = data[o + 1]!, b = data[o + 2]!;
    const [, s, l] = rgbToHsl(r, g, b);
    // Saturation scales, so a muted red becomes a muted blue, not a vivid one.
    const s2 = fromNeutral ? target.s : clamp01(s * target.s);
    const l2 = gamma === 1 ? l : l ** gamma;
    hslToRgb(target.h, s2, l2, rgb);
    out[o] = Math.round(r + (rgb[0] - r) * w);
    out[o + 1] = Math.round(g + (rgb[1] - g) * w);
    out[o + 2] = Math.round(b + (rgb[2] - b) * w);
  }
  return encodePng({ ...raster, data: out });
}

/** 0..1: how much a pixel belongs to the selection. */
function selectionWeight(r: number, g: number, b: number, selection: Selection): number {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  // Chroma (max - min) rather than HSL saturation: HSL calls a near-white pixel with a faint tint "saturated".
  const chroma = (max - min) / 255;
  if (selection.kind === "neutral") {
    const l = (max + min) / 510;
    return (1 - smoothstep(0.05, 0.14, chroma)) * (1 - smoothstep(0.12, 0.22, Math.abs(l - selection.l)));
  }
  if (chroma < 0.06) return 0;
  const h = rgbHue(r, g, b, max, min);
  const dh = Math.abs(((h - selection.h + 540) % 360) - 180);
  // Full weight within 15° of the hue, none past 30°: red and orange (30° apart) stay apart, while the small
  // hue drift of shading within one colour stays selected.
  return (1 - smoothstep(15, 30, dh)) * smoothstep(0.06, 0.16, chroma);
}

/** The hue (degrees) holding the most saturated colour in the image; undefined for a near-grey image. */
function dominantHue(data: Buffer, n: number): number | undefined {
  const bins = new Float64Array(36);
  const step = Math.max(1, Math.floor(n / 250_000)); // A sample is plenty for a histogram.
  for (let i = 0; i < n; i += step) {
    const o = i * 4;
    if (data[o + 3]! < 128) continue;
    const r = data[o]!, g = data[o + 1]!, b = data[o + 2]!;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const chroma = (max - min) / 255;
    if (chroma < 0.2) continue;
    // Chroma squared: a small vivid area outweighs a large dull one, as "the coloured thing" usually is.
    bins[Math.floor(rgbHue(r, g, b, max, min) / 10) % 36]! += chroma * chroma;
  }
  let best = -1;
  let bestWeight = 0;
  for (let k = 0; k < 36; k++) {
    const w = bins[(k + 35) % 36]! + bins[k]! + bins[(k + 1) % 36]!;
    if (w > bestWeight) {
      best = k;
      bestWeight = w;
    }
  }
  if (best < 0 || bestWeight < n / step / 1000) return undefined;
  // The circular mean of the three bins around the peak.
  let x = 0;
  let y = 0;
  for (const k of [best - 1, best, best + 1]) {
    const w = bins[(k + 36) % 36]!;
    const angle = ((k * 10 + 5) * Math.PI) / 180;
    x += w * Math.cos(angle);
    y += w * Math.sin(angle);
  }
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

function rgbHue(r: number, g: number, b: number, max: number, min: number): number {
  const d = max - min;
  if (d === 0) return 0;
  let h: number;
  if (max === r) h = ((g - b) / d) % 6;
  else if (max === g) h = (b - r) / d + 2;
  else h = (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

const lightness = (r: number, g: number, b: number) => (Math.max(r, g, b) + Math.min(r, g, b)) / 510;

export function rgbToHsl(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 510;
  const d = (max - min) / 255;
  const s = d === 0 ? 0 : d / (1 - Math.abs(2 * l - 1));
  return [rgbHue(r, g, b, max, min), clamp01(s), l];
}

function hslToRgb(h: number, s: number, l: number, out: [number, number, number]): void {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const hp = (((h % 360) + 360) % 360) / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const m = l - c / 2;
  let r = 0, g = 0, b = 0;
  if (hp < 1) [r, g] = [c, x];
  else if (hp < 2) [r, g] = [x, c];
  else if (hp < 3) [g, b] = [c, x];
  else if (hp < 4) [g, b] = [x, c];
  else if (hp < 5) [r, b] = [x, c];
  else [r, b] = [c, x];
  out[0] = (r + m) * 255;
  out[1] = (g + m) * 255;
  out[2] = (b + m) * 255;
}
