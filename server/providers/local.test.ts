import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { EDIT_KINDS, UPSCALE_MODES, type OperationKey } from "../../core/catalog/schema.ts";
import { LocalProvider } from "./local.ts";
import { rgba, svgPng } from "../test-support/test-images.ts";
import { ProviderError, type EditRequest, type InputImage, type ProviderImage, type ProviderOutcome } from "./types.ts";

const local = new LocalProvider();
const PROCEDURAL = DEFAULT_CATALOG.models.find((m) => m.provider === "local")!;
const signal = new AbortController().signal;
const aborted = (() => {
  const c = new AbortController();
  c.abort();
  return c.signal;
})();

function imagesOf(outcome: ProviderOutcome): ProviderImage[] {
  if (!("images" in outcome)) throw new Error("the local provider answers with images, never tasks");
  return outcome.images;
}

const make = async (prompt: string, seed: number, width: number, height: number, count = 1) =>
  imagesOf(await local.create({ model: PROCEDURAL, prompt, seed, width, height, count }, signal));

async function pixels(png: Buffer, w = 256, h = 256): Promise<Buffer> {
  return sharp(png).resize(w, h, { fit: "fill" }).removeAlpha().raw().toBuffer();
}

async function meanAbsDiff(a: Buffer, b: Buffer): Promise<number> {
  const [pa, pb] = await Promise.all([pixels(a), pixels(b)]);
  let sum = 0;
  for (let i = 0; i < pa.length; i++) sum += Math.abs(pa[i]! - pb[i]!);
  return sum / pa.length;
}

async function input(png: Buffer): Promise<InputImage> {
  const meta = await sharp(png).metadata();
  return { bytes: png, contentType: "image/png", width: meta.width!, height: meta.height! };
}

const redCircle = () => svgPng(128, 128, `<rect width="128" height="128" fill="#ffffff"/><circle cx="64" cy="64" r="40" fill="#d02020"/>`);
const editOf = async (kind: EditRequest["kind"], extra: Partial<EditRequest> = {}): Promise<EditRequest> => ({
  kind,
  image: await input(await redCircle()),
  seed: 1,
  ...extra,
});

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("local provider: create", () => {
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
    await local.create({ model: PROCEDURAL, prompt: "x", seed: 1, width: 64, height: 64, count: 2, onImage: (n) => seen.push(n) }, signal);
    expect(seen).toEqual([1, 2]);
    await expect(local.create({ model: PROCEDURAL, prompt: "x", seed: 1, width: 64, height: 64, count: 1 }, aborted)).rejects.toBeInstanceOf(ProviderError);
  });

});

describe("local provider: what it supports", () => {
  it("does every operation it can do honestly offline, and declares the rest unsupported", () => {
    const expected: Record<string, boolean> = {
      "edit.remove-background": true,
      "edit.inpaint": true,
      "edit.outpaint": true,
      "edit.search-replace": false,
      "edit.search-recolor": true,
      "edit.replace-background-relight": false,
      "edit.erase": true,
      "edit.general": false,
      "upscale.fast": true,
      "upscale.conservative": true,
      "upscale.creative": true,
    };
    const keys = [...EDIT_KINDS.map((k) => `edit.${k}` as const), ...UPSCALE_MODES.map((m) => `upscale.${m}` as const)];
    expect(Object.fromEntries(keys.map((key) => [key, local.supports(key)]))).toEqual(expected);
    expect(local.supports("create")).toBe(true);
    expect(local.supports("social" as OperationKey)).toBe(false);
  });
});

describe("local provider: checkInput", () => {
  const image = (width: number, height: number) => ({ width, height, bytes: 1_000_000, contentType: "image/png" as const });

  it("passes what it can do within the 4096 px canvas", () => {
    for (const operation of ["edit.remove-background", "edit.erase", "edit.inpaint", "edit.outpaint", "edit.search-recolor"] as const)
      expect(thrown(() => local.checkInput({ operation, image: image(4096, 2000) }))).toBeUndefined();
    expect(thrown(() => local.checkInput({ operation: "upscale.conservative", image: image(4000, 2000) }))).toBeUndefined();
    expect(thrown(() => local.checkInput({ operation: "upscale.fast", image: image(1024, 1024) }))).toBeUndefined();
    // Over 1024 px a fast upscale is capped at 4096 px instead of 4x (documented in local.ts), so it passes.
    expect(thrown(() => local.checkInput({ operation: "upscale.fast", image: image(2048, 1024) }))).toBeUndefined();
    expect(thrown(() => local.checkInput({ operation: "create", prompt: "a fox" }))).toBeUndefined();
  });

  it("refuses images over 4096 px on the long side, naming the limit", () => {
    const error = thrown(() => local.checkInput({ operation: "edit.remove-background", image: image(5000, 3000) }));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "unsupported_image", options: { countsAgainstProvider: false, details: { limit: { maxLongSide: 4096 } } } });
  });

  it("refuses upscaling an image already at the limit", () => {
    for (const mode of UPSCALE_MODES)
      expect(thrown(() => local.checkInput({ operation: `upscale.${mode}`, image: image(4096, 2000) }))).toMatchObject({
        code: "unsupported_image",
        options: { details: { limit: { maxLongSide: 4095 } } },
      });
  });

  it("refuses a recolour target it cannot read before anything is held", () => {
    expect(thrown(() => local.checkInput({ operation: "edit.search-recolor", prompt: "make it teal", image: image(512, 512) }))).toBeUndefined();
    const error = thrown(() => local.checkInput({ operation: "edit.search-recolor", prompt: "make it pop", image: image(512, 512) }));
    expect(error).toMatchObject({ code: "invalid_request", options: { details: { field: "prompt" } } });
    expect((error as Error).message).toContain("blue");
  });

  it("refuses operations it does not do", () => {
    for (const operation of ["edit.search-replace", "edit.general", "edit.replace-background-relight"] as const)
      expect(thrown(() => local.checkInput({ operation, prompt: "a cat" }))).toMatchObject({ code: "invalid_request" });
  });
});

describe("local provider: edit and upscale", () => {
  it("removes a background into one PNG with real alpha", async () => {
    const [out] = imagesOf(await local.edit(await editOf("remove-background"), signal));
    expect(out).toMatchObject({ contentType: "image/png", width: 128, height: 128 });
    const px = await rgba(out!.bytes);
    expect(px.at(0, 0)[3]).toBe(0);
    expect(px.at(64, 64)[3]).toBe(255);
  });

  it("recolours with selectPrompt as the selection and prompt as the target", async () => {
    const [out] = imagesOf(await local.edit(await editOf("search-recolor", { selectPrompt: "red", prompt: "turn it blue" }), signal));
    const [r, , b] = (await rgba(out!.bytes)).at(64, 64);
    expect(b!).toBeGreaterThan(r! + 40);
  });

  it("erases and inpaints the masked area from its surroundings", async () => {
    const mask = await input(await svgPng(128, 128, `<rect width="128" height="128" fill="#000"/><circle cx="64" cy="64" r="46" fill="#fff"/>`));
    for (const kind of ["erase", "inpaint"] as const) {
      const [out] = imagesOf(await local.edit(await editOf(kind, { mask, prompt: "a flower" }), signal));
      const [r, g, b] = (await rgba(out!.bytes)).at(64, 64);
      expect(Math.min(r!, g!, b!)).toBeGreaterThan(200); // The red circle is gone: white like around it.
    }
    const small = await input(await svgPng(64, 64, `<rect width="64" height="64" fill="#fff"/>`));
    await expect(local.edit(await editOf("erase", { mask: small }), signal)).rejects.toMatchObject({ code: "invalid_request" });
  });

  it("without a mask, erases the image's transparent pixels: its alpha channel is the mask", async () => {
    // White with a transparent hole where the red circle was cut out.
    const holed = await input(await svgPng(128, 128, `<defs><mask id="m"><rect width="128" height="128" fill="#fff"/><circle cx="64" cy="64" r="40" fill="#000"/></mask></defs><rect width="128" height="128" fill="#ffffff" mask="url(#m)"/>`));
    expect((await rgba(holed.bytes)).at(64, 64)[3]).toBe(0);
    const [out] = imagesOf(await local.edit({ kind: "erase", image: holed, seed: 1 }, signal));
    const [r, g, b, a] = (await rgba(out!.bytes)).at(64, 64);
    expect([Math.min(r!, g!, b!) > 200, a! > 200]).toEqual([true, true]); // filled from the white around it
    // An opaque image without a mask marks nothing: it comes back as it was.
    const [same] = imagesOf(await local.edit(await editOf("erase"), signal));
    expect((await rgba(same!.bytes)).at(64, 64).slice(0, 3)).toEqual((await rgba((await editOf("erase")).image.bytes)).at(64, 64).slice(0, 3));
  });

  it("outpaints to the expanded size, refusing results over the canvas", async () => {
    const [out] = imagesOf(await local.edit(await editOf("outpaint", { expand: { left: 16, right: 16, up: 0, down: 32 } }), signal));
    expect(out).toMatchObject({ width: 160, height: 160 });
    await expect(local.edit(await editOf("outpaint"), signal)).rejects.toMatchObject({ code: "invalid_request" });
    await expect(local.edit(await editOf("outpaint", { expand: { left: 4000, right: 0, up: 0, down: 0 } }), signal)).rejects.toMatchObject({
      code: "unsupported_image",
      options: { details: { limit: { maxLongSide: 4096 } } },
    });
  });

  it("refuses the edits that need a generative model", async () => {
    for (const kind of ["search-replace", "general", "replace-background-relight"] as const)
      await expect(local.edit(await editOf(kind, { prompt: "a cat", searchPrompt: "dog" }), signal)).rejects.toMatchObject({ code: "invalid_request" });
  });

  it("upscales into one PNG of the mode's size", async () => {
    const image = await input(await redCircle());
    const [fast] = imagesOf(await local.upscale({ mode: "fast", image, seed: 1 }, signal));
    expect(fast).toMatchObject({ contentType: "image/png", width: 512, height: 512 });
    const [creative] = imagesOf(await local.upscale({ mode: "creative", image, seed: 1, creativity: 0.5 }, signal));
    expect(creative).toMatchObject({ width: 4096, height: 4096 });
  });

  it("stops before working when aborted", async () => {
    await expect(local.edit(await editOf("remove-background"), aborted)).rejects.toBeInstanceOf(ProviderError);
    await expect(local.upscale({ mode: "fast", image: await input(await redCircle()), seed: 1 }, aborted)).rejects.toBeInstanceOf(ProviderError);
  });
});

describe("LocalProvider.checkInput for outpaint", () => {
  it("refuses, before anything is held, an outpaint whose result would exceed 4096 px", () => {
    const local = new LocalProvider();
    const image = { width: 3000, height: 2000, bytes: 1000, contentType: "image/png" as const };
    expect(() => local.checkInput({ operation: "edit.outpaint", image, expand: { left: 600, right: 600, up: 0, down: 0 } })).toThrowError(/4200x2000.*4096/);
    expect(() => local.checkInput({ operation: "edit.outpaint", image, expand: { left: 500, right: 500, up: 100, down: 100 } })).not.toThrow();
  });
});
