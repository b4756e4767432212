import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ProviderError } from "../types.ts";
import { COLOUR_WORDS, parseColour, recolor, rgbToHsl } from "./search-recolor.ts";
import { luminance, rgba, svgPng } from "../../test-support/test-images.ts";

// A shaded red ball (light centre, dark rim), a grey square, an orange square, on white.
const scene = () =>
  svgPng(
    256,
    256,
    `<defs><radialGradient id="g"><stop offset="0" stop-color="#ff8080"/><stop offset="1" stop-color="#700000"/></radialGradient></defs>` +
      `<rect width="256" height="256" fill="#ffffff"/><rect x="8" y="8" width="50" height="50" fill="#888888"/>` +
      `<rect x="198" y="8" width="50" height="50" fill="#ff8c00"/><circle cx="140" cy="150" r="90" fill="url(#g)"/>`,
  );

const hueOf = (px: number[]) => rgbToHsl(px[0]!, px[1]!, px[2]!)[0];

describe("search and recolour", () => {
  it("turns the red ball blue and leaves the grey, the orange and the white background alone", async () => {
    const before = await rgba(await scene());
    const out = await recolor(await scene(), { select: "red", to: "make it blue" });
    expect((await sharp(out.bytes).metadata()).format).toBe("png");
    const after = await rgba(out.bytes);
    for (const [x, y] of [[140, 150], [100, 150], [140, 90], [190, 190]] as const) {
      const [r, g, b] = after.at(x, y);
      expect(b!).toBeGreaterThan(r! + 40);
      expect(hueOf(after.at(x, y))).toBeGreaterThan(200);
      expect(hueOf(after.at(x, y))).toBeLessThan(240);
    }
    for (const [x, y] of [[30, 30], [220, 30], [2, 250], [250, 250], [5, 120]] as const) expect(after.at(x, y)).toEqual(before.at(x, y));
  });

  it("keeps the shading: lighter parts of the ball stay lighter", async () => {
    const before = await rgba(await scene());
    const after = await rgba((await recolor(await scene(), { select: "red", to: "blue" })).bytes);
    // From the centre to the rim the ball darkens; the blue ball must darken the same way.
    const xs = [140, 160, 180, 200, 220];
    const lb = xs.map((x) => luminance(before.at(x, 150)));
    const la = xs.map((x) => luminance(after.at(x, 150)));
    for (let i = 1; i < xs.length; i++) {
      expect(lb[i]!).toBeLessThan(lb[i - 1]!);
      expect(la[i]!).toBeLessThan(la[i - 1]!);
    }
    // HSL lightness is kept per pixel, so the light centre does not turn dark or the rim light.
    for (const x of xs) {
      const l0 = rgbToHsl(...(before.at(x, 150).slice(0, 3) as [number, number, number]))[2];
      const l1 = rgbToHsl(...(after.at(x, 150).slice(0, 3) as [number, number, number]))[2];
      expect(Math.abs(l1 - l0)).toBeLessThan(0.02);
    }
  });

  it("changes the boundary softly: the anti-aliased rim is blended, not a hard cut", async () => {
    const png = await svgPng(64, 64, `<rect width="64" height="64" fill="#ffffff"/><circle cx="32" cy="32" r="20.5" fill="#e01010"/>`);
    const after = await rgba((await recolor(png, { select: "red", to: "green" })).bytes);
    // Pixels on the rim are partly white and partly the new green: no red left anywhere.
    for (let x = 0; x < 64; x++) {
      const [r, g] = after.at(x, 32);
      expect(r!).toBeLessThanOrEqual(g!);
    }
  });

  it("accepts hex colours on both sides", async () => {
    const after = await rgba((await recolor(await scene(), { select: "#c03030", to: "#20a020 please" })).bytes);
    const [r, g, b] = after.at(140, 150);
    expect(g!).toBeGreaterThan(r! + 40);
    expect(g!).toBeGreaterThan(b! + 40);
  });

  it("samples the dominant colour when the selection names no colour", async () => {
    const byName = await recolor(await scene(), { select: "red", to: "purple" });
    const sampled = await recolor(await scene(), { select: "the ball", to: "purple" });
    const a = await rgba(byName.bytes);
    const b = await rgba(sampled.bytes);
    // The sampled hue sits inside the red ball's hue range, so the same ball turns purple.
    const h = hueOf(b.at(140, 150));
    expect(h).toBeGreaterThan(260);
    expect(h).toBeLessThan(300);
    expect(b.at(30, 30)).toEqual(a.at(30, 30));
  });

  it("moves lightness for colours that name it (navy), keeping the order", async () => {
    const before = await rgba(await scene());
    const after = await rgba((await recolor(await scene(), { select: "red", to: "navy" })).bytes);
    expect(luminance(after.at(140, 150))).toBeLessThan(luminance(before.at(140, 150)));
    expect(luminance(after.at(140, 150))).toBeGreaterThan(luminance(after.at(210, 150)));
  });

  it("refuses a target it cannot read, naming the colours it knows", async () => {
    const error = await recolor(await scene(), { select: "red", to: "make it fancier" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "invalid_request", options: { countsAgainstProvider: false } });
    for (const word of ["red", "blue", "green", "navy"]) expect((error as Error).message).toContain(word);
  });

  it("refuses to sample a colour from an image without one", async () => {
    const grey = await svgPng(64, 64, `<rect width="64" height="64" fill="#777"/><circle cx="32" cy="32" r="10" fill="#222"/>`);
    await expect(recolor(grey, { select: "the thing", to: "red" })).rejects.toMatchObject({ code: "invalid_request" });
  });

  it("reads the first colour word or hex of a prompt", () => {
    expect(parseColour("a deep blue, not red")).toBe(COLOUR_WORDS.blue);
    expect(parseColour("#0f0 rather than red")).toMatchObject({ h: 120, s: 1 });
    expect(parseColour("red then #00f")).toBe(COLOUR_WORDS.red);
    expect(parseColour("something nice")).toBeUndefined();
  });
});
