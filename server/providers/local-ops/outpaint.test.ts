import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ProviderError } from "../types.ts";
import { outpaint, outpaintSize } from "./outpaint.ts";
import { opaque, rgba, svgPng } from "../../test-support/test-images.ts";

// Red on the left, blue on the right, a green band along the top: each side should continue outward.
const picture = () =>
  opaque(svgPng(120, 90, `<rect width="60" height="90" fill="#d02020"/><rect x="60" width="60" height="90" fill="#2040d0"/><rect width="120" height="12" fill="#20a040"/>`));

describe("outpaint", () => {
  it("grows the canvas by exactly the expansion and keeps the original pixels untouched", async () => {
    const expand = { left: 40, right: 25, up: 30, down: 10 };
    const out = await outpaint(await picture(), expand);
    const meta = await sharp(out.bytes).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: "png", width: 185, height: 130 });
    expect(out).toMatchObject({ contentType: "image/png", width: 185, height: 130 });
    const original = await sharp(await picture()).ensureAlpha().raw().toBuffer();
    const region = await sharp(out.bytes).ensureAlpha().extract({ left: 40, top: 30, width: 120, height: 90 }).raw().toBuffer();
    expect(region.equals(original)).toBe(true);
  });

  it("continues the image into the new area", async () => {
    const px = await rgba((await outpaint(await picture(), { left: 50, right: 50, up: 0, down: 60 })).bytes);
    const red = (p: number[]) => p[0]! > p[2]! + 60;
    const blue = (p: number[]) => p[2]! > p[0]! + 60;
    // Left of the red half is red, right of the blue half is blue, below each half its own colour.
    for (const y of [40, 80]) {
      expect(red(px.at(5, y))).toBe(true);
      expect(blue(px.at(215, y))).toBe(true);
    }
    expect(red(px.at(70, 140))).toBe(true);
    expect(blue(px.at(150, 140))).toBe(true);
    // Right next to the seam the new pixels match the edge they continue.
    const edge = px.at(50, 60);
    const beyond = px.at(49, 60);
    for (let c = 0; c < 3; c++) expect(Math.abs(edge[c]! - beyond[c]!)).toBeLessThan(12);
  });

  it("writes an opaque image for an opaque input and keeps alpha for a transparent one", async () => {
    const opaque = await outpaint(await picture(), { left: 10, right: 0, up: 0, down: 0 });
    expect((await sharp(opaque.bytes).metadata()).hasAlpha).toBe(false);
    const transparent = await svgPng(64, 64, `<circle cx="32" cy="32" r="20" fill="#d02020"/>`);
    const out = await outpaint(transparent, { left: 0, right: 16, up: 0, down: 0 });
    const meta = await sharp(out.bytes).metadata();
    expect({ hasAlpha: meta.hasAlpha, width: meta.width }).toEqual({ hasAlpha: true, width: 80 });
    expect((await rgba(out.bytes)).at(79, 0)[3]).toBe(0);
  });

  it("refuses a result beyond the 4096 px canvas and bad expansions", async () => {
    expect(outpaintSize(4000, 3000, { left: 48, right: 48, up: 0, down: 0 })).toEqual({ width: 4096, height: 3000 });
    let error: unknown;
    try {
      outpaintSize(4000, 3000, { left: 50, right: 50, up: 0, down: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "unsupported_image", options: { details: { limit: { maxLongSide: 4096 } } } });
    await expect(outpaint(await picture(), { left: -1, right: 0, up: 0, down: 0 })).rejects.toMatchObject({ code: "invalid_request" });
  });
});
