import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decode, MAX_IMAGE_PIXELS } from "./decode.ts";
import { UndecodableImageError, verifyImage } from "./verify-image.ts";

const noise = (width: number, height: number, channels: 3 | 4 = 3) => sharp(randomBytes(width * height * channels), { raw: { width, height, channels } });

describe("verifyImage", () => {
  it("decodes every pixel: a PNG or JPEG cut anywhere after its header is refused, though its header reads fine", async () => {
    for (const bytes of [await noise(300, 200).png().toBuffer(), await noise(300, 200).jpeg().toBuffer()]) {
      await expect(verifyImage(bytes)).resolves.toMatchObject({ width: 300, height: 200 });
      for (const share of [0.95, 0.6, 0.2]) {
        const cut = bytes.subarray(0, Math.floor(bytes.length * share));
        expect((await sharp(cut).metadata()).width).toBe(300); // all the proxy used to check
        await expect(verifyImage(cut)).rejects.toBeInstanceOf(UndecodableImageError);
      }
    }
    const webp = await noise(300, 200).webp().toBuffer();
    await expect(verifyImage(webp)).resolves.toMatchObject({ format: "webp" });
    await expect(verifyImage(webp.subarray(0, Math.floor(webp.length * 0.6)))).rejects.toBeInstanceOf(UndecodableImageError);
  });

  it("reads from a file as well as from bytes", async () => {
    const { mkdtemp, writeFile, rm } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(join(tmpdir(), "verify-"));
    const path = join(dir, "a.png");
    await writeFile(path, await noise(120, 80).png().toBuffer());
    await expect(verifyImage(path)).resolves.toMatchObject({ format: "png", width: 120, height: 80, transparent: false });
    await rm(dir, { recursive: true, force: true });
  });

  it("tells whether some pixel is transparent (an alpha channel that is all opaque does not count)", async () => {
    const pixels = Buffer.alloc(90 * 90 * 4, 0xff);
    const opaque = await sharp(pixels, { raw: { width: 90, height: 90, channels: 4 } }).png().toBuffer();
    pixels[(89 * 90 + 89) * 4 + 3] = 254; // the very last pixel, barely see-through
    const hole = await sharp(pixels, { raw: { width: 90, height: 90, channels: 4 } }).png().toBuffer();
    expect((await verifyImage(opaque)).transparent).toBe(false);
    expect((await verifyImage(hole)).transparent).toBe(true);
    expect((await verifyImage(await noise(50, 50).png().toBuffer())).transparent).toBe(false);
  });

  it("refuses what is not an image, and images over the pixel limit before decoding them", async () => {
    await expect(verifyImage(randomBytes(1000))).rejects.toBeInstanceOf(UndecodableImageError);
    // 8193 x 8192 claims one row more than the limit: a header alone (no pixels needed to refuse it).
    const header = await sharp({ create: { width: 8193, height: 8192, channels: 3, background: "#000" }, limitInputPixels: false }).png({ compressionLevel: 9 }).toBuffer();
    await expect(verifyImage(header)).rejects.toThrow(/pixel limit/);
    await expect(decode(header).metadata()).rejects.toThrow(/pixel limit/); // every pipeline of the proxy refuses it
    expect(MAX_IMAGE_PIXELS).toBe(8192 * 8192);
  });
});
