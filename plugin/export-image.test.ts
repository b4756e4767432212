import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { pluginToUISchema, uiToPluginSchema } from "../core/messages.ts";
import { createDispatcher } from "./dispatch.ts";
import { exportForJob, type ExportImageRequest } from "./export-image.ts";
import { createHandlers } from "./handlers.ts";
import { FakeFigma, FakeNode, imageNode } from "./testing/fake-figma.ts";
import { solidPng } from "./testing/png-encode.ts";

const request = (imageId: string, extra: Partial<ExportImageRequest> = {}): ExportImageRequest => ({
  type: "export-image",
  requestId: "r1",
  imageId,
  mask: false,
  references: {},
  ...extra,
});

/** Decoded greyscale pixels of a PNG, and a reader by (x, y). */
async function pixels(png: Uint8Array) {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, at: (x: number, y: number) => data[y * info.width + x]!, white: data.filter((v) => v > 127).length };
}

const shape = (type: SceneNode["type"], box: Rect, transform?: Transform) =>
  new FakeNode({ name: "Mask", type, ...box, absoluteBoundingBox: box, fills: [{ type: "SOLID", color: { r: 1, g: 0, b: 0 } }], ...(transform ? { absoluteTransform: transform } : {}) });

describe("exporting the selected image", () => {
  it("sends an image fill's original bytes at their pixel size, without rendering the layer", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 640, height: 480 }, { width: 320, height: 240 });
    figma.select([photo]);
    const out = await exportForJob(figma, request(photo.id));
    expect(out.image.bytes).toEqual(figma.images.get("hash-1"));
    expect([out.image.width, out.image.height]).toEqual([640, 480]);
    expect(out.mask).toBeUndefined();
    expect(figma.exports).toEqual([]);
  });

  it("sends original JPEG bytes too (the proxy reads JPEG), with the size Figma reports", async () => {
    const figma = new FakeFigma();
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70]);
    const hash = figma.addImage(jpeg, { width: 1200, height: 800 });
    const photo = new FakeNode({ type: "RECTANGLE", fills: [{ type: "IMAGE", imageHash: hash, scaleMode: "FIT" }] });
    figma.select([photo]);
    const out = await exportForJob(figma, request(photo.id));
    expect(out.image).toEqual({ bytes: jpeg, width: 1200, height: 800 });
  });

  it("renders a frame (or a GIF fill) as PNG at 1x with exportAsync, sized from the PNG itself", async () => {
    const figma = new FakeFigma();
    const card = new FakeNode({ name: "Card", type: "FRAME", width: 300, height: 200 });
    figma.select([card]);
    const out = await exportForJob(figma, request(card.id));
    expect(figma.exports).toEqual([{ nodeId: card.id, constraint: { type: "WIDTH", value: 300 }, hidden: [] }]);
    expect([out.image.width, out.image.height]).toEqual([300, 200]);
    expect((await sharp(out.image.bytes).metadata()).format).toBe("png");

    const gif = figma.addImage(new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]), { width: 50, height: 50 });
    const animated = new FakeNode({ type: "RECTANGLE", width: 90, height: 60, fills: [{ type: "IMAGE", imageHash: gif, scaleMode: "FILL" }] });
    figma.select([animated]);
    const rendered = await exportForJob(figma, request(animated.id));
    expect([rendered.image.width, rendered.image.height]).toEqual([90, 60]);
  });

  it("hides the mask shape while rendering a frame it was drawn into, then shows it again", async () => {
    const figma = new FakeFigma();
    const card = new FakeNode({ name: "Card", type: "FRAME", width: 300, height: 200 });
    const blob = shape("ELLIPSE", { x: 10, y: 10, width: 50, height: 50 });
    figma.select([card, blob]);
    await exportForJob(figma, request(card.id));
    expect(figma.exports[0]!.hidden).toEqual([blob.id]);
    expect(blob.visible).toBe(true);
  });
});

describe("building the mask", () => {
  it("is a PNG of the image's pixel size, white where the shape covers it and black elsewhere", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 400, height: 300 });
    const box = shape("RECTANGLE", { x: 100, y: 50, width: 100, height: 80 });
    figma.select([photo, box]);
    const out = await exportForJob(figma, request(photo.id, { mask: true }));
    const mask = await pixels(out.mask!.bytes);
    expect([mask.width, mask.height, out.mask!.width, out.mask!.height]).toEqual([400, 300, 400, 300]);
    expect([mask.at(100, 50), mask.at(199, 129), mask.at(150, 90)]).toEqual([255, 255, 255]);
    expect([mask.at(99, 50), mask.at(200, 90), mask.at(150, 130), mask.at(0, 0)]).toEqual([0, 0, 0, 0]);
    expect(mask.white).toBe(100 * 80);
  });

  it("maps the shape from canvas units to image pixels when the layer shows the image smaller", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 800, height: 600 }, { x: 1000, y: 500, width: 400, height: 300 });
    const oval = shape("ELLIPSE", { x: 1100, y: 550, width: 100, height: 100 });
    figma.select([oval, photo]);
    const out = await exportForJob(figma, request(photo.id, { mask: true }));
    const mask = await pixels(out.mask!.bytes);
    expect([mask.width, mask.height]).toEqual([800, 600]);
    expect(mask.at(300, 200)).toBe(255); // the centre of the oval, in image pixels
    expect([mask.at(202, 102), mask.at(210, 200)]).toEqual([0, 255]); // the corner of its box is outside an ellipse
    expect(mask.white).toBeGreaterThan(Math.PI * 100 * 100 * 0.97);
    expect(mask.white).toBeLessThan(Math.PI * 100 * 100 * 1.03);
  });

  it("lines up with the image, not the layer, when a FILL fill is cropped", async () => {
    const figma = new FakeFigma();
    // 1000 x 500 px shown in a 500 x 500 layer: the image is 1000 wide on the canvas, 250 cut off each side.
    const photo = imageNode(figma, { width: 1000, height: 500 }, { width: 500, height: 500 });
    const left = shape("RECTANGLE", { x: 0, y: 0, width: 250, height: 500 });
    figma.select([photo, left]);
    const mask = await pixels((await exportForJob(figma, request(photo.id, { mask: true }))).mask!.bytes);
    expect([mask.width, mask.height]).toEqual([1000, 500]);
    expect([mask.at(249, 250), mask.at(250, 250), mask.at(499, 250), mask.at(500, 250)]).toEqual([0, 255, 255, 0]);
  });

  it("follows a rotated shape", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 200, height: 200 });
    // 100 x 20 turned 90°: covers x 130..150, y 50..150 on the canvas.
    const bar = shape("RECTANGLE", { x: 130, y: 50, width: 20, height: 100 }, [[0, -1, 150], [1, 0, 50]]);
    Object.assign(bar, { width: 100, height: 20 });
    figma.select([photo, bar]);
    const mask = await pixels((await exportForJob(figma, request(photo.id, { mask: true }))).mask!.bytes);
    expect([mask.at(140, 100), mask.at(129, 100), mask.at(151, 100), mask.at(140, 49)]).toEqual([255, 0, 0, 0]);
    expect(mask.white).toBe(20 * 100);
  });

  it("leaves nothing behind: the temporary frame is removed and the shape is unchanged", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 100, height: 100 });
    const box = shape("RECTANGLE", { x: 10, y: 10, width: 20, height: 20 });
    const fills = box.fills;
    figma.select([photo, box]);
    await exportForJob(figma, request(photo.id, { mask: true }));
    expect(figma.frames).toHaveLength(1);
    expect(figma.frames[0]!.removed).toBe(true);
    expect(figma.frames[0]!.children.every((c) => c.removed)).toBe(true);
    expect(box.fills).toBe(fills);
    expect(figma.undoCommits).toBe(0);
  });
});

describe("export refusals and references", () => {
  it("asks for a shape when the mask needs one", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 100, height: 100 });
    figma.select([photo]);
    await expect(exportForJob(figma, request(photo.id, { mask: true }))).rejects.toThrow("Select the image and one shape drawn over it");
  });

  it("refuses when the selection is no longer the image that was priced", async () => {
    const figma = new FakeFigma();
    figma.select([imageNode(figma, { width: 100, height: 100 })]);
    await expect(exportForJob(figma, request("someone-else"))).rejects.toThrow(/selection changed/);
    figma.select([]);
    await expect(exportForJob(figma, request("x"))).rejects.toThrow(/Select an image/);
  });

  it("exports relight references by node id, and says when one was deleted", async () => {
    const figma = new FakeFigma();
    const subject = imageNode(figma, { width: 300, height: 300 });
    const sky = imageNode(figma, { width: 512, height: 256 });
    const lamp = new FakeNode({ type: "FRAME", width: 64, height: 64 });
    figma.select([subject]);
    const out = await exportForJob(figma, request(subject.id, { references: { backgroundReference: sky.id, lightReference: lamp.id } }));
    expect(out.backgroundReference).toEqual({ bytes: figma.images.get("hash-2"), width: 512, height: 256 });
    expect(out.lightReference).toMatchObject({ width: 64, height: 64 });
    lamp.removed = true;
    await expect(exportForJob(figma, request(subject.id, { references: { lightReference: lamp.id } }))).rejects.toThrow("The light reference layer was deleted");
  });
});

describe("the export-image handler", () => {
  it("answers exported with bytes the panel's schema accepts, or export-failed with the reason", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 256, height: 128 });
    const box = shape("RECTANGLE", { x: 0, y: 0, width: 10, height: 10 });
    figma.select([photo, box]);
    const dispatch = createDispatcher(figma, createHandlers(figma));
    await dispatch(uiToPluginSchema.parse({ type: "export-image", requestId: "e1", imageId: photo.id, mask: true }));
    const answer = pluginToUISchema.parse(figma.posted[0]);
    expect(answer).toMatchObject({ type: "exported", requestId: "e1", image: { width: 256, height: 128 }, mask: { width: 256, height: 128 } });
    await dispatch({ type: "export-image", requestId: "e2", imageId: "gone" });
    expect(figma.posted[1]).toEqual({ type: "export-failed", requestId: "e2", message: "The selection changed after the price was shown: check it and try again" });
  });

  it("keeps solid test PNGs honest", async () => {
    expect(await sharp(solidPng(3, 2)).metadata()).toMatchObject({ width: 3, height: 2, format: "png" });
  });
});
