import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { removeBackground } from "./remove-background.ts";
import { rgba, svgPng } from "../../test-support/test-images.ts";

// A red ring on white: the hole in the middle is white too, but enclosed by the subject.
const ring = () =>
  svgPng(256, 256, `<rect width="256" height="256" fill="#ffffff"/><circle cx="128" cy="128" r="90" fill="#d02020"/><circle cx="128" cy="128" r="30" fill="#ffffff"/>`);

describe("remove background", () => {
  it("makes the background around the subject transparent and keeps the subject opaque", async () => {
    const out = await removeBackground(await ring());
    const meta = await sharp(out.bytes).metadata();
    expect({ format: meta.format, channels: meta.channels, hasAlpha: meta.hasAlpha, width: meta.width, height: meta.height }).toEqual({
      format: "png",
      channels: 4,
      hasAlpha: true,
      width: 256,
      height: 256,
    });
    expect(out).toMatchObject({ contentType: "image/png", width: 256, height: 256 });
    const px = await rgba(out.bytes);
    for (const [x, y] of [[0, 0], [255, 0], [0, 255], [255, 255], [128, 10], [10, 128]] as const) expect(px.at(x, y)[3]).toBe(0);
    // The red of the ring, at several places, is fully opaque and still red.
    for (const [x, y] of [[128, 60], [60, 128], [190, 150]] as const) {
      const [r, g, b, a] = px.at(x, y);
      expect(a).toBe(255);
      expect(r!).toBeGreaterThan(180);
      expect(Math.max(g!, b!)).toBeLessThan(60);
    }
  });

  it("keeps an enclosed area of the background colour inside the subject", async () => {
    const px = await rgba((await removeBackground(await ring())).bytes);
    // The white hole in the ring is not connected to the border, so it is part of the picture.
    expect(px.at(128, 128)).toEqual([255, 255, 255, 255]);
    expect(px.at(118, 128)[3]).toBe(255);
  });

  it("has soft edges: intermediate alpha along the outline, without a white fringe", async () => {
    const px = await rgba((await removeBackground(await ring())).bytes);
    let partial = 0;
    // Walk the row through the centre from the left border into the ring.
    for (let x = 0; x < 60; x++) {
      const [r, g, , a] = px.at(x, 128);
      if (a! > 0 && a! < 255) {
        partial++;
        // A soft edge pixel carries the subject's colour, not a blend with the removed white.
        expect(r! - g!).toBeGreaterThan(100);
      }
    }
    expect(partial).toBeGreaterThanOrEqual(1);
    expect(partial).toBeLessThanOrEqual(6); // Soft, not a blurry halo.
    // Alpha rises monotonically from the background into the subject.
    const alphas = Array.from({ length: 60 }, (_, x) => px.at(x, 128)[3]!);
    for (let x = 1; x < alphas.length; x++) expect(alphas[x]!).toBeGreaterThanOrEqual(alphas[x - 1]!);
  });

  it("removes a gradient background and keeps a subject that touches no border", async () => {
    const png = await svgPng(
      200,
      200,
      `<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#cfe3ff"/><stop offset="1" stop-color="#ffffff"/></linearGradient></defs>` +
        `<rect width="200" height="200" fill="url(#g)"/><rect x="60" y="60" width="80" height="80" fill="#203040"/>`,
    );
    const px = await rgba((await removeBackground(png)).bytes);
    for (const y of [2, 50, 100, 150, 197]) {
      expect(px.at(20, y)[3]).toBe(0);
      expect(px.at(180, y)[3]).toBe(0);
    }
    expect(px.at(100, 30)[3]).toBe(0);
    expect(px.at(100, 170)[3]).toBe(0);
    expect(px.at(100, 100)).toEqual([0x20, 0x30, 0x40, 255]);
  });

  it("keeps a subject cropped by the frame on one side", async () => {
    // A bottle standing on the bottom edge: its colour touches the border, but only along one side.
    const png = await svgPng(200, 200, `<rect width="200" height="200" fill="#ffffff"/><rect x="70" y="40" width="60" height="160" rx="10" fill="#1a6030"/>`);
    const px = await rgba((await removeBackground(png)).bytes);
    for (const [x, y] of [[100, 199], [100, 120], [75, 190]] as const) expect(px.at(x, y)[3]).toBe(255);
    for (const [x, y] of [[10, 199], [190, 199], [100, 10]] as const) expect(px.at(x, y)[3]).toBe(0);
  });

  it("keeps transparency the input already had", async () => {
    const png = await svgPng(128, 128, `<circle cx="64" cy="64" r="40" fill="#1060e0"/>`);
    const px = await rgba((await removeBackground(png)).bytes);
    expect(px.at(0, 0)[3]).toBe(0);
    expect(px.at(64, 64)[3]).toBe(255);
    expect(px.at(64, 64).slice(0, 3)).toEqual([0x10, 0x60, 0xe0]);
  });

  it("learns a background of several colours from the border and keeps the subject in front of it", async () => {
    // Four differently coloured quadrants, each touching the border, behind a dark disc.
    const png = await svgPng(
      160,
      160,
      `<rect width="80" height="80" fill="#e0c040"/><rect x="80" width="80" height="80" fill="#40a0e0"/>` +
        `<rect y="80" width="80" height="80" fill="#60c060"/><rect x="80" y="80" width="80" height="80" fill="#c060c0"/>` +
        `<circle cx="80" cy="80" r="30" fill="#101010"/>`,
    );
    const px = await rgba((await removeBackground(png)).bytes);
    expect(px.at(80, 80)[3]).toBe(255);
    for (const [x, y] of [[10, 10], [150, 10], [10, 150], [150, 150], [40, 79], [79, 120]] as const) expect(px.at(x, y)[3]).toBe(0);
  });
});
