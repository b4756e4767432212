import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { renderProceduralPng } from "../procedural-image.ts";
import { upscale, upscaleSize } from "./upscale.ts";
import { opaque, svgPng } from "../../test-support/test-images.ts";

/** Mean absolute Laplacian of the lightness: higher = crisper edges. */
async function crispness(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  for (let y = 1; y < info.height - 1; y++) {
    for (let x = 1; x < info.width - 1; x++) {
      const i = y * info.width + x;
      sum += Math.abs(4 * data[i]! - data[i - 1]! - data[i + 1]! - data[i - info.width]! - data[i + info.width]!);
    }
  }
  return sum / ((info.width - 2) * (info.height - 2));
}

const shapes = (w: number, h: number) =>
  opaque(svgPng(w, h, `<rect width="${w}" height="${h}" fill="#f4f0e8"/><circle cx="${w / 2}" cy="${h / 2}" r="${h / 3}" fill="#3050a0"/><rect x="4" y="4" width="${w / 4}" height="${h / 4}" fill="#c03020"/>`));

describe("upscale sizes", () => {
  it("fast is 4x, capped at 4096 on the long side; the others reach 4096; nothing is ever shrunk", () => {
    expect(upscaleSize(256, 128, "fast")).toEqual({ width: 1024, height: 512 });
    expect(upscaleSize(1024, 1024, "fast")).toEqual({ width: 4096, height: 4096 });
    expect(upscaleSize(2000, 1000, "fast")).toEqual({ width: 4096, height: 2048 });
    expect(upscaleSize(1000, 500, "conservative")).toEqual({ width: 4096, height: 2048 });
    expect(upscaleSize(300, 1200, "creative")).toEqual({ width: 1024, height: 4096 });
    expect(upscaleSize(4096, 3000, "conservative")).toEqual({ width: 4096, height: 3000 });
    expect(upscaleSize(5000, 3000, "fast")).toEqual({ width: 5000, height: 3000 });
  });
});

describe("upscale", () => {
  it("fast makes a PNG exactly 4x the size", async () => {
    const out = await upscale(await shapes(200, 120), "fast");
    const meta = await sharp(out.bytes).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: "png", width: 800, height: 480 });
    expect(out).toMatchObject({ contentType: "image/png", width: 800, height: 480 });
  });

  it("conservative and creative reach 4096 px on the long side and are crisper than a plain resize", async () => {
    const input = await shapes(400, 300);
    const plain = await sharp(input).resize(4096, 3072, { kernel: "lanczos3" }).png().toBuffer();
    const conservative = await upscale(input, "conservative");
    const creative = await upscale(input, "creative", { creativity: 0.8 });
    for (const out of [conservative, creative]) {
      const meta = await sharp(out.bytes).metadata();
      expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: "png", width: 4096, height: 3072 });
    }
    const [p, c, k] = await Promise.all([crispness(plain), crispness(conservative.bytes), crispness(creative.bytes)]);
    expect(c).toBeGreaterThan(p * 1.1);
    expect(k).toBeGreaterThan(c);
  });

  it("keeps transparency", async () => {
    const input = await svgPng(64, 64, `<circle cx="32" cy="32" r="20" fill="#d02020"/>`);
    const out = await upscale(input, "fast");
    const { data, info } = await sharp(out.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    expect(data[3]).toBe(0);
    expect(data[(128 * 256 + 128) * 4 + 3]).toBe(255);
  });

  it("upscales 1024x1024 to 4096x4096 quickly", async () => {
    const input = await renderProceduralPng("a lighthouse at dusk", 3, 1024, 1024);
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const out = await upscale(input, "fast");
      best = Math.min(best, performance.now() - started);
      expect(out).toMatchObject({ width: 4096, height: 4096 });
    }
    console.info(`fast upscale 1024 -> 4096: best of 3 = ${Math.round(best)} ms`);
    // The target is 0.5 s on an idle 2-core machine (about 0.35 s measured); the bound here leaves room for a
    // loaded test run while still catching per-pixel JavaScript or a slow PNG level (both several times slower).
    expect(best).toBeLessThan(1000);
  });
});
