import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { LocalProvider } from "./local.ts";
import { ProviderError } from "./types.ts";

const local = new LocalProvider();
const signal = new AbortController().signal;
const make = (prompt: string, seed: number, width: number, height: number, count = 1) =>
  local.create({ model: "procedural", prompt, seed, width, height, count }, signal);

async function pixels(png: Buffer, w = 256, h = 256): Promise<Buffer> {
  return sharp(png).resize(w, h, { fit: "fill" }).removeAlpha().raw().toBuffer();
}

async function meanAbsDiff(a: Buffer, b: Buffer): Promise<number> {
  const [pa, pb] = await Promise.all([pixels(a), pixels(b)]);
  let sum = 0;
  for (let i = 0; i < pa.length; i++) sum += Math.abs(pa[i]! - pb[i]!);
  return sum / pa.length;
}

describe("local provider", () => {
  it("makes real PNGs of exactly the requested size", async () => {
    for (const [w, h] of [[1024, 1024], [1344, 768], [640, 1536], [64, 64]] as const) {
      const [image] = await make("a lighthouse at dusk", 7, w, h);
      const meta = await sharp(image!.bytes).metadata();
      expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: "png", width: w, height: h });
      expect(image).toMatchObject({ contentType: "image/png", width: w, height: h });
    }
  });

  it("is deterministic: the same prompt, seed and size give identical bytes", async () => {
    const [a] = await make("a red fox in the snow", 42, 512, 384);
    const [b] = await make("a red fox in the snow", 42, 512, 384);
    expect(a!.bytes.equals(b!.bytes)).toBe(true);
  });

  it("makes clearly different images for different prompts", async () => {
    const [fox] = await make("a red fox in the snow", 1, 512, 512);
    const [city] = await make("city skyline at night, neon", 1, 512, 512);
    const [tea] = await make("green tea packaging mockup", 1, 512, 512);
    expect(await meanAbsDiff(fox!.bytes, city!.bytes)).toBeGreaterThan(20);
    expect(await meanAbsDiff(fox!.bytes, tea!.bytes)).toBeGreaterThan(20);
    expect(await meanAbsDiff(city!.bytes, tea!.bytes)).toBeGreaterThan(20);
  });

  it("makes variations with seed + i, each reproducible alone", async () => {
    const batch = await make("a lighthouse at dusk", 100, 256, 256, 3);
    expect(batch).toHaveLength(3);
    expect(batch[0]!.bytes.equals(batch[1]!.bytes)).toBe(false);
    const [third] = await make("a lighthouse at dusk", 102, 256, 256);
    expect(batch[2]!.bytes.equals(third!.bytes)).toBe(true);
  });

  it("reports progress and stops when aborted", async () => {
    const seen: number[] = [];
    await local.create({ model: "procedural", prompt: "x", seed: 1, width: 64, height: 64, count: 2, onImage: (n) => seen.push(n) }, signal);
    expect(seen).toEqual([1, 2]);
    const controller = new AbortController();
    controller.abort();
    await expect(local.create({ model: "procedural", prompt: "x", seed: 1, width: 64, height: 64, count: 1 }, controller.signal)).rejects.toBeInstanceOf(ProviderError);
  });
});
