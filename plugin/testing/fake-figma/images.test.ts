// figma.createImage and getImageByHash: formats, sizes from headers, Figma's errors, hashes.
import { describe, expect, it } from "vitest";
import { createFakeFigma, decodePng, gifOf, jpegOf, pngOf, solidPng, webpOf } from "./index.ts";
import { readImageHeader } from "./image-header.ts";
import { sha1Hex } from "./sha1.ts";

describe("createImage", () => {
  it("accepts PNG, JPEG and GIF and reads their size from the header", async () => {
    const { figma } = createFakeFigma();
    expect(await figma.createImage(solidPng(30, 20)).getSizeAsync()).toEqual({ width: 30, height: 20 });
    expect(await figma.createImage(jpegOf(640, 480)).getSizeAsync()).toEqual({ width: 640, height: 480 });
    expect(await figma.createImage(gifOf(7, 9)).getSizeAsync()).toEqual({ width: 7, height: 9 });
  });

  it("refuses other formats with Figma's error", () => {
    const { figma } = createFakeFigma();
    expect(() => figma.createImage(webpOf())).toThrow("Image type is unsupported");
    expect(() => figma.createImage(new Uint8Array([1, 2, 3]))).toThrow("Image type is unsupported");
  });

  it("refuses images over 4096 px on a side, and empty ones", () => {
    const { figma } = createFakeFigma();
    expect(() => figma.createImage(jpegOf(4097, 10))).toThrow("Image is too large");
    expect(() => figma.createImage(jpegOf(10, 4097))).toThrow("Image is too large");
    expect(() => figma.createImage(jpegOf(4096, 4096))).not.toThrow();
    expect(() => figma.createImage(jpegOf(0, 10))).toThrow("Image is too small");
  });

  it("hashes the bytes with SHA-1: the same bytes give the same image", () => {
    const { figma } = createFakeFigma();
    const a = figma.createImage(solidPng(2, 2));
    expect(a.hash).toMatch(/^[0-9a-f]{40}$/);
    expect(figma.createImage(solidPng(2, 2))).toBe(a);
    expect(figma.createImage(solidPng(3, 2)).hash).not.toBe(a.hash);
    expect(sha1Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(sha1Hex(new Uint8Array(0))).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
  });

  it("gives back copies of the original bytes, and null for unknown hashes", async () => {
    const { figma } = createFakeFigma();
    const bytes = pngOf(2, 1, (x) => [x * 255, 0, 0, 255]);
    const image = figma.createImage(bytes);
    bytes[0] = 0;
    const back = await figma.getImageByHash(image.hash)!.getBytesAsync();
    expect(decodePng(back).pixel(1, 0)).toEqual([255, 0, 0, 255]);
    back[0] = 1;
    expect((await image.getBytesAsync())[0]).toBe(0x89);
    expect(figma.getImageByHash("0".repeat(40))).toBeNull();
  });

  it("reads a JPEG's size from the SOF marker after other segments", () => {
    const withExtraSegment = new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x04, 0x00, 0x00, ...jpegOf(33, 44).subarray(2)]);
    expect(readImageHeader(withExtraSegment)).toEqual({ kind: "JPEG", width: 33, height: 44 });
  });
});
