import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { rgba, svgPng, type Pixels } from "../test-support/test-images.ts";
import { cropBox, optimizeForSocial, SocialInputError, type CropMode, type SocialFormat } from "./optimize.ts";

const DEFAULTS = DEFAULT_CATALOG.social.formats;

const format = (id: string, width: number, height: number): SocialFormat => ({ id, platform: "Test", label: id, width, height });

/** An opaque JPEG of an SVG drawing, as a photo upload would be. */
async function jpeg(width: number, height: number, body: string): Promise<Buffer> {
  return sharp(await svgPng(width, height, body)).removeAlpha().jpeg({ quality: 95 }).toBuffer();
}

/** Left half red, right half blue. */
const halves = (width: number, height: number) => jpeg(width, height, `<rect width="${width / 2}" height="${height}" fill="#ff0000"/><rect x="${width / 2}" width="${width / 2}" height="${height}" fill="#0000ff"/>`);

/** Mean RGBA over a rectangle. */
function mean(p: Pixels, x0: number, y0: number, x1: number, y1: number): number[] {
  const sum = [0, 0, 0, 0];
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) for (let c = 0; c < 4; c++) sum[c]! += p.data[(y * p.width + x) * p.channels + c]!;
  return sum.map((s) => s / ((x1 - x0) * (y1 - y0)));
}

const isRed = ([r, g, b]: number[]) => r! > 200 && g! < 60 && b! < 60;
const isBlue = ([r, g, b]: number[]) => b! > 200 && r! < 60 && g! < 60;
const isWhite = ([r, g, b]: number[]) => r! > 245 && g! > 245 && b! > 245;

describe("cropBox", () => {
  it("is the largest box of the target's aspect ratio, centred on the point and clamped to the edges", () => {
    expect(cropBox(2000, 1000, 100, 100, { x: 0.5, y: 0.5 })).toEqual({ left: 500, top: 0, width: 1000, height: 1000 });
    expect(cropBox(2000, 1000, 100, 100, { x: 0, y: 0.5 })).toEqual({ left: 0, top: 0, width: 1000, height: 1000 });
    expect(cropBox(2000, 1000, 100, 100, { x: 0.9, y: 0.5 })).toEqual({ left: 1000, top: 0, width: 1000, height: 1000 });
    expect(cropBox(1000, 1000, 1500, 500, { x: 0.5, y: 0.1 })).toEqual({ left: 0, top: 0, width: 1000, height: 333 });
    expect(cropBox(1000, 1000, 1500, 500, { x: 0.5, y: 0.5 })).toEqual({ left: 0, top: 334, width: 1000, height: 333 });
    // The same aspect ratio as the source: the whole source, wherever the point is.
    expect(cropBox(1200, 600, 200, 100, { x: 0.1, y: 0.9 })).toEqual({ left: 0, top: 0, width: 1200, height: 600 });
  });
});

describe("optimizeForSocial", () => {
  it("makes every default format at its exact size, in the order asked, for every crop mode", async () => {
    const image = await halves(640, 480);
    const reversed = [...DEFAULTS].reverse();
    for (const crop of ["smart", "center", "fit"] as const) {
      const out = await optimizeForSocial({ image, formats: reversed, crop });
      expect(out.map((o) => o.formatId)).toEqual(reversed.map((f) => f.id));
      for (const [i, o] of out.entries()) {
        const meta = await sharp(o.bytes).metadata();
        expect({ crop, id: o.formatId, width: meta.width, height: meta.height, format: meta.format }).toEqual({
          crop,
          id: reversed[i]!.id,
          width: reversed[i]!.width,
          height: reversed[i]!.height,
          format: "jpeg",
        });
        expect([o.width, o.height, o.contentType]).toEqual([reversed[i]!.width, reversed[i]!.height, "image/jpeg"]);
      }
    }
  });

  it("writes JPEG for an opaque source (also an opaque one with an alpha channel) and PNG with alpha for a transparent one", async () => {
    const formats = [format("a", 120, 80), format("b", 50, 90)];
    const opaqueJpeg = await halves(200, 100);
    const opaqueRgbaPng = await svgPng(200, 100, `<rect width="200" height="100" fill="#3080c0"/>`);
    expect((await sharp(opaqueRgbaPng).metadata()).hasAlpha).toBe(true);
    const transparentPng = await svgPng(200, 100, `<circle cx="100" cy="50" r="40" fill="#3080c0"/>`);

    for (const [image, type, format_] of [
      [opaqueJpeg, "image/jpeg", "jpeg"],
      [opaqueRgbaPng, "image/jpeg", "jpeg"],
      [transparentPng, "image/png", "png"],
    ] as const) {
      for (const crop of ["smart", "center", "fit"] as const) {
        const out = await optimizeForSocial({ image, formats, crop });
        for (const o of out) {
          const meta = await sharp(o.bytes).metadata();
          expect([crop, o.contentType, meta.format]).toEqual([crop, type, format_]);
          if (type === "image/png") expect(meta.hasAlpha).toBe(true);
        }
      }
    }
  });

  it("fit letterboxes in white for an opaque source and keeps the whole source visible", async () => {
    // 2:1 source into a square: bars above and below, both halves still there edge to edge.
    const [o] = await optimizeForSocial({ image: await halves(400, 200), formats: [format("sq", 300, 300)], crop: "fit" });
    const p = await rgba(o!.bytes);
    expect(isWhite(p.at(2, 2))).toBe(true);
    expect(isWhite(p.at(297, 297))).toBe(true);
    expect(isWhite(p.at(150, 40))).toBe(true); // the bar above: the picture is 300x150, rows 75..225
    expect(isWhite(p.at(150, 260))).toBe(true);
    expect(isRed(p.at(3, 150))).toBe(true); // the source's left edge is at the output's left edge
    expect(isRed(p.at(140, 80))).toBe(true);
    expect(isBlue(p.at(296, 150))).toBe(true); // and its right edge at the right edge
    expect(isBlue(p.at(160, 220))).toBe(true);
  });

  it("fit pads with transparency for a transparent source", async () => {
    const image = await svgPng(200, 400, `<rect width="200" height="400" fill="#00ff00" fill-opacity="0.5"/>`);
    const [o] = await optimizeForSocial({ image, formats: [format("wide", 400, 200)], crop: "fit" });
    expect(o!.contentType).toBe("image/png");
    const p = await rgba(o!.bytes);
    expect(p.at(5, 100)[3]).toBe(0); // the bars left and right are fully transparent
    expect(p.at(395, 100)[3]).toBe(0);
    const inside = p.at(200, 100);
    expect(inside[1]).toBeGreaterThan(200);
    expect(inside[3]).toBeGreaterThan(100); // the source's own half-transparent green, not padding
  });

  it("center keeps a stripe in the middle of the source", async () => {
    // A wide source with a green stripe in the middle; square and tall crops keep only the middle third or less.
    const image = await jpeg(900, 300, `<rect width="900" height="300" fill="#808080"/><rect x="430" width="40" height="300" fill="#00c000"/>`);
    const out = await optimizeForSocial({ image, formats: [format("sq", 300, 300), format("tall", 150, 300)], crop: "center" });
    const sq = await rgba(out[0]!.bytes);
    expect(mean(sq, 145, 100, 155, 200)[1]).toBeGreaterThan(170);
    expect(mean(sq, 145, 100, 155, 200)[0]).toBeLessThan(60);
    expect(mean(sq, 20, 100, 40, 200)[0]).toBeGreaterThan(110); // grey either side
    const tall = await rgba(out[1]!.bytes);
    expect(mean(tall, 70, 100, 80, 200)[1]).toBeGreaterThan(170);
  });

  it("smart keeps a high-contrast object that a centred crop would cut off", async () => {
    // Flat grey except a saturated, busy object near the right edge.
    const checks = Array.from({ length: 16 }, (_, i) => `<rect x="${640 + (i % 4) * 30}" y="${140 + Math.floor(i / 4) * 30}" width="30" height="30" fill="${(i + Math.floor(i / 4)) % 2 ? "#ffe000" : "#e00000"}"/>`).join("");
    const image = await jpeg(800, 400, `<rect width="800" height="400" fill="#909090"/>${checks}`);
    const formats = [format("sq", 200, 200)];
    /** Share of the output's pixels that are clearly red or yellow (grey has r = g = b). */
    const objectShare = async (crop: CropMode) => {
      const [o] = await optimizeForSocial({ image, formats, crop });
      const p = await rgba(o!.bytes);
      let n = 0;
      for (let y = 0; y < p.height; y++)
        for (let x = 0; x < p.width; x++) {
          const [r, g, b] = p.at(x, y);
          if (r! > 180 && b! < 80) n++;
        }
      return n / (p.width * p.height);
    };
    expect(await objectShare("center")).toBe(0); // the centred square is x 200..600: none of the object
    // The whole 120x120 object is 9% of a 400x400 box; the box holds all of it only when it starts at x >= 360.
    expect(await objectShare("smart")).toBeGreaterThan(0.075); // all of it, but for JPEG-softened edges
  });

  it("a focal point moves the crop: near the left edge gives the red half, near the right the blue", async () => {
    const image = await halves(800, 400);
    const story = DEFAULTS.find((f) => f.id === "instagram-story")!; // 9:16, a quarter of the source's width
    for (const crop of ["smart", "center"] as const) {
      const [left] = await optimizeForSocial({ image, formats: [story], crop, focalPoint: { x: 0.05, y: 0.5 } });
      const [right] = await optimizeForSocial({ image, formats: [story], crop, focalPoint: { x: 0.95, y: 0.5 } });
      const l = await rgba(left!.bytes);
      const r = await rgba(right!.bytes);
      expect([l.width, l.height]).toEqual([story.width, story.height]);
      expect(isRed(mean(l, 0, 0, l.width, l.height))).toBe(true);
      expect(isBlue(mean(r, 0, 0, r.width, r.height))).toBe(true);
    }
  });

  it("ignores the focal point for fit", async () => {
    const [o] = await optimizeForSocial({ image: await halves(400, 200), formats: [format("sq", 300, 300)], crop: "fit", focalPoint: { x: 0.05, y: 0.5 } });
    const p = await rgba(o!.bytes);
    expect(isRed(p.at(40, 150))).toBe(true);
    expect(isBlue(p.at(260, 150))).toBe(true);
  });

  it("applies EXIF orientation before cropping", async () => {
    // Stored 400x200 red|blue with orientation 6 (rotate 90° clockwise): seen as 200x400, red on top.
    const image = await sharp(await halves(400, 200)).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const [o] = await optimizeForSocial({ image, formats: [format("sq", 100, 100)], crop: "fit" });
    const p = await rgba(o!.bytes);
    expect(isRed(p.at(50, 15))).toBe(true);
    expect(isBlue(p.at(50, 85))).toBe(true);
    expect(isWhite(p.at(5, 50))).toBe(true); // bars left and right of a tall picture
  });

  it("reports each format as it is done, counting up to all of them", async () => {
    const done: number[] = [];
    // Two formats of one size are made once and reported twice.
    const formats = [format("a", 100, 100), format("b", 60, 120), format("c", 100, 100), format("d", 300, 100)];
    const out = await optimizeForSocial({ image: await halves(300, 200), formats, crop: "smart", onImage: (n) => done.push(n) });
    expect(done).toEqual([1, 2, 3, 4]);
    expect(out.map((o) => o.formatId)).toEqual(["a", "b", "c", "d"]);
    expect(out[0]!.bytes.equals(out[2]!.bytes)).toBe(true);
  });

  it("rejects with the signal's reason when aborted, before starting or between formats", async () => {
    const image = await halves(600, 400);
    const reason = new Error("cancelled by the user");

    const before = new AbortController();
    before.abort(reason);
    await expect(optimizeForSocial({ image, formats: DEFAULTS, crop: "center", signal: before.signal })).rejects.toBe(reason);

    const during = new AbortController();
    const done: number[] = [];
    const run = optimizeForSocial({
      image,
      formats: DEFAULTS,
      crop: "center",
      signal: during.signal,
      onImage: (n) => {
        done.push(n);
        during.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
    // The formats already under way finished before it rejected; nothing new started, nothing more is reported.
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toEqual([1]);
  });

  it("rejects undecodable input with a clear error", async () => {
    for (const image of [Buffer.from("definitely not an image"), Buffer.alloc(0), (await halves(200, 100)).subarray(0, 40)]) {
      const run = optimizeForSocial({ image, formats: [format("a", 100, 100)], crop: "smart" });
      await expect(run).rejects.toBeInstanceOf(SocialInputError);
      await expect(run).rejects.toThrow(/cannot be decoded/);
    }
  });
});
