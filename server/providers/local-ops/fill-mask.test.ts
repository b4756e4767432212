import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ProviderError } from "../types.ts";
import { fillMask } from "./fill-mask.ts";
import { rgba, svgPng } from "../../test-support/test-images.ts";

// A soft sky-to-sand gradient with a black blemish; the mask covers the blemish and a little more.
const photo = () =>
  svgPng(
    200,
    160,
    `<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7fb2e6"/><stop offset="1" stop-color="#e6d2a0"/></linearGradient></defs>` +
      `<rect width="200" height="160" fill="url(#g)"/><rect x="90" y="60" width="30" height="30" fill="#000000"/>`,
  );
const blemishMask = () => svgPng(200, 160, `<rect width="200" height="160" fill="#000"/><rect x="85" y="55" width="40" height="40" fill="#fff"/>`);

describe("inpaint / erase fill", () => {
  it("leaves every unmasked pixel byte-identical", async () => {
    const before = await rgba(await photo());
    const mask = await sharp(await blemishMask()).greyscale().raw().toBuffer();
    const after = await rgba((await fillMask(await photo(), await blemishMask())).bytes);
    let changedOutside = 0;
    let changedInside = 0;
    for (let i = 0; i < mask.length; i++) {
      const same = before.data.compare(after.data, i * 4, i * 4 + 4, i * 4, i * 4 + 4) === 0;
      if (mask[i] === 0 && !same) changedOutside++;
      if (mask[i] === 255 && !same) changedInside++;
    }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(900); // The 30x30 blemish at least.
  });

  it("fills the masked area with the colours around it, continuing the gradient", async () => {
    const before = await rgba(await photo());
    const out = await fillMask(await photo(), await blemishMask());
    expect(out).toMatchObject({ contentType: "image/png", width: 200, height: 160 });
    const after = await rgba(out.bytes);
    // No trace of the black blemish, and each filled pixel is close to the unmasked pixels of its row just
    // beside the mask (the gradient runs top to bottom, so a row's neighbours are the right reference).
    for (let y = 60; y < 90; y += 3) {
      const left = before.at(80, y);
      const right = before.at(130, y);
      for (let x = 90; x < 120; x += 3) {
        const px = after.at(x, y);
        expect(Math.min(...px.slice(0, 3))).toBeGreaterThan(90);
        for (let c = 0; c < 3; c++) expect(Math.abs(px[c]! - (left[c]! + right[c]!) / 2)).toBeLessThan(16);
      }
    }
    // Top of the hole is bluer than its bottom, as the sky-to-sand gradient is.
    expect(after.at(105, 58)[2]! - after.at(105, 58)[0]!).toBeGreaterThan(after.at(105, 92)[2]! - after.at(105, 92)[0]!);
  });

  it("continues each side of an edge into the hole", async () => {
    const png = await svgPng(120, 80, `<rect width="60" height="80" fill="#d02020"/><rect x="60" width="60" height="80" fill="#2040d0"/>`);
    const mask = await svgPng(120, 80, `<rect width="120" height="80" fill="#000"/><rect x="30" y="25" width="60" height="30" fill="#fff"/>`);
    const px = await rgba((await fillMask(png, mask)).bytes);
    const [r1, , b1] = px.at(34, 40);
    const [r2, , b2] = px.at(86, 40);
    expect(r1!).toBeGreaterThan(b1! + 80); // Left of the hole stays red...
    expect(b2!).toBeGreaterThan(r2! + 80); // ...and right of it blue.
  });

  it("reads a mask drawn as white on transparent", async () => {
    const mask = await svgPng(200, 160, `<rect x="85" y="55" width="40" height="40" fill="#fff"/>`);
    const px = await rgba((await fillMask(await photo(), mask)).bytes);
    expect(Math.min(...px.at(105, 75).slice(0, 3))).toBeGreaterThan(90);
    expect(px.at(10, 10)).toEqual((await rgba(await photo())).at(10, 10));
  });

  it("returns the image unchanged for an empty mask", async () => {
    const empty = await svgPng(200, 160, `<rect width="200" height="160" fill="#000"/>`);
    const before = await rgba(await photo());
    const after = await rgba((await fillMask(await photo(), empty)).bytes);
    expect(after.data.equals(before.data)).toBe(true);
  });

  it("keeps the alpha channel of a transparent image", async () => {
    const png = await svgPng(100, 100, `<circle cx="50" cy="50" r="40" fill="#208020"/><rect x="45" y="45" width="10" height="10" fill="#ff00ff"/>`);
    const mask = await svgPng(100, 100, `<rect width="100" height="100" fill="#000"/><rect x="42" y="42" width="16" height="16" fill="#fff"/>`);
    const out = await fillMask(png, mask);
    expect((await sharp(out.bytes).metadata()).hasAlpha).toBe(true);
    const px = await rgba(out.bytes);
    expect(px.at(0, 0)[3]).toBe(0);
    const [r, g, b, a] = px.at(50, 50);
    expect(a).toBe(255);
    expect(g!).toBeGreaterThan(r! + 50);
    expect(g!).toBeGreaterThan(b! + 50);
    // A hole on the circle's rim: the colour inside comes from the green, not from the (black) colour
    // hidden under the transparent pixels next to it.
    const rim = await svgPng(100, 100, `<rect width="100" height="100" fill="#000"/><rect x="80" y="40" width="16" height="20" fill="#fff"/>`);
    const filled = await rgba((await fillMask(png, rim)).bytes);
    const [r2, g2, b2, a2] = filled.at(83, 50);
    expect(a2!).toBeGreaterThan(100);
    expect(g2!).toBeGreaterThan(110);
    expect(Math.max(r2!, b2!)).toBeLessThan(50);
  });

  it("refuses a mask of another size, and a mask that leaves nothing to fill from", async () => {
    const small = await svgPng(100, 80, `<rect width="100" height="80" fill="#fff"/>`);
    const error = await fillMask(await photo(), small).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "invalid_request", options: { details: { limit: { width: 200, height: 160 } } } });
    const full = await svgPng(200, 160, `<rect width="200" height="160" fill="#fff"/>`);
    await expect(fillMask(await photo(), full)).rejects.toMatchObject({ code: "invalid_request" });
  });
});
