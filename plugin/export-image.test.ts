import { describe, expect, it } from "vitest";
import { exportForJob, type ExportImageRequest } from "./export-image.ts";
import { summarizeSelection } from "./selection.ts";
import { decodePng, gifOf, jpegOf, solidPng, type FakeFigma, type RGBA } from "./testing/fake-figma/index.ts";
import { fakePort } from "./testing/fake-port.ts";
import { frame, select } from "./testing/scene.ts";

const request = (imageId: string, extra: Partial<ExportImageRequest> = {}): ExportImageRequest => ({
  type: "export-image",
  requestId: "r1",
  imageId,
  mask: false,
  references: {},
  ...extra,
});

const WHITE: RGBA = [255, 255, 255, 255];
const BLACK: RGBA = [0, 0, 0, 255];
const same = (a: RGBA, b: RGBA) => a.every((v, i) => v === b[i]);

/** A mask, read back: 255 or 0 at (x, y), and how many pixels are white. Throws on any other colour. */
function readMask(png: Uint8Array) {
  const image = decodePng(png);
  let white = 0;
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++) {
      const p = image.pixel(x, y);
      if (same(p, WHITE)) white++;
      else if (!same(p, BLACK)) throw new Error(`mask pixel (${x}, ${y}) is ${p.join()}, neither white nor black`);
    }
  return { width: image.width, height: image.height, white, at: (x: number, y: number) => image.pixel(x, y)[0] };
}

/** An image shown at `shown` (its pixel size by default) at `at`. */
async function photo(fake: FakeFigma, pixels: { width: number; height: number }, shown: Partial<Rect> = {}) {
  const node = await fake.placeImage(solidPng(pixels.width, pixels.height), { name: "Photo", x: shown.x ?? 0, y: shown.y ?? 0 });
  node.resize(shown.width ?? pixels.width, shown.height ?? pixels.height);
  return node;
}

function shape(fake: FakeFigma, kind: "rect" | "ellipse", box: Rect) {
  const node = kind === "rect" ? fake.figma.createRectangle() : fake.figma.createEllipse();
  node.name = "Mask";
  node.resize(box.width, box.height);
  node.x = box.x;
  node.y = box.y;
  node.fills = [{ type: "SOLID", color: { r: 1, g: 0, b: 0 } }];
  return node;
}

describe("exporting the selected image", () => {
  it("sends an image fill's original bytes at their pixel size, without rendering the layer", async () => {
    const { fake, port } = fakePort();
    const bytes = solidPng(640, 480, [10, 20, 30, 255]);
    const node = await fake.placeImage(bytes);
    node.resize(320, 240);
    select(fake, [node]);
    const out = await exportForJob(port, request(node.id));
    expect(out.image.bytes).toEqual(bytes);
    expect([out.image.width, out.image.height]).toEqual([640, 480]);
    expect(out.mask).toBeUndefined();
    expect(fake.exports).toEqual([]);
  });

  it("sends original JPEG bytes too (the proxy reads JPEG), with the size Figma reports", async () => {
    const { fake, port } = fakePort();
    const jpeg = jpegOf(1200, 800);
    const node = fake.figma.createRectangle();
    node.fills = [{ type: "IMAGE", imageHash: fake.figma.createImage(jpeg).hash, scaleMode: "FIT" }];
    select(fake, [node]);
    expect((await exportForJob(port, request(node.id))).image).toEqual({ bytes: jpeg, width: 1200, height: 800 });
  });

  it("renders a frame (or a GIF fill) as PNG at 1x, exactly its bounds, sized from the PNG itself", async () => {
    const { fake, port } = fakePort();
    const card = frame(fake, "Card", { x: 0, y: 0, width: 300, height: 200 });
    select(fake, [card]);
    const out = await exportForJob(port, request(card.id));
    expect(fake.exports).toEqual([
      { nodeId: card.id, settings: { format: "PNG", useAbsoluteBounds: true, constraint: { type: "WIDTH", value: 300 } }, width: 300, height: 200, hiddenIds: [] },
    ]);
    expect([out.image.width, out.image.height]).toEqual([300, 200]);
    expect(decodePng(out.image.bytes).pixel(150, 100)).toEqual(WHITE);

    const animated = fake.figma.createRectangle();
    animated.resize(90, 60);
    animated.fills = [{ type: "IMAGE", imageHash: fake.figma.createImage(gifOf(50, 50)).hash, scaleMode: "FILL" }];
    select(fake, [animated]);
    const rendered = await exportForJob(port, request(animated.id));
    expect([rendered.image.width, rendered.image.height]).toEqual([90, 60]);
  });

  it("keeps the mask shape out of a rendered frame's picture, and leaves it showing", async () => {
    const { fake, port } = fakePort();
    const card = frame(fake, "Card", { x: 0, y: 0, width: 300, height: 200 });
    const blob = shape(fake, "ellipse", { x: 10, y: 10, width: 50, height: 50 });
    select(fake, [card, blob]);
    const out = await exportForJob(port, request(card.id));
    expect(decodePng(out.image.bytes).pixel(35, 35)).toEqual(WHITE);
    expect(blob.visible).toBe(true);
  });

  it("prices a rendered frame at the size it exports: a shadow does not widen it, a turn gives its bounds", async () => {
    const { fake, port } = fakePort();
    const card = frame(fake, "Card", { x: 0, y: 0, width: 300, height: 200 });
    card.effects = [{ type: "DROP_SHADOW", color: { r: 0, g: 0, b: 0, a: 0.5 }, offset: { x: 10, y: 10 }, radius: 5, visible: true, blendMode: "NORMAL" }];
    // Exported as Figma does by default, the shadow would add 15 px each way.
    expect(decodePng(await card.exportAsync()).width).toBe(315);
    select(fake, [card]);
    const priced = (await summarizeSelection(port)).image!;
    const out = await exportForJob(port, request(card.id));
    expect([priced.width, priced.height, priced.source]).toEqual([300, 200, "render"]);
    expect([out.image.width, out.image.height]).toEqual([300, 200]);

    card.rotation = 30;
    const turned = (await summarizeSelection(port)).image!;
    const again = await exportForJob(port, request(card.id));
    expect([again.image.width, again.image.height]).toEqual([turned.width, turned.height]);
    expect([turned.width, turned.height]).toEqual([Math.round(300 * Math.cos(Math.PI / 6) + 100), Math.round(150 + 200 * Math.cos(Math.PI / 6))]);
  });
});

describe("building the mask", () => {
  it("is a PNG of the image's pixel size, white where the shape covers it and black elsewhere", async () => {
    const { fake, port } = fakePort();
    const node = await photo(fake, { width: 400, height: 300 });
    const box = shape(fake, "rect", { x: 100, y: 50, width: 100, height: 80 });
    select(fake, [node, box]);
    const out = await exportForJob(port, request(node.id, { mask: true }));
    const mask = readMask(out.mask!.bytes);
    expect([mask.width, mask.height, out.mask!.width, out.mask!.height]).toEqual([400, 300, 400, 300]);
    expect([mask.at(100, 50), mask.at(199, 129), mask.at(150, 90)]).toEqual([255, 255, 255]);
    expect([mask.at(99, 50), mask.at(200, 90), mask.at(150, 130), mask.at(0, 0)]).toEqual([0, 0, 0, 0]);
    expect(mask.white).toBe(100 * 80);
  });

  it("maps the shape from canvas units to image pixels when the layer shows the image smaller", async () => {
    const { fake, port } = fakePort();
    const node = await photo(fake, { width: 800, height: 600 }, { x: 1000, y: 500, width: 400, height: 300 });
    const oval = shape(fake, "ellipse", { x: 1100, y: 550, width: 100, height: 100 });
    select(fake, [oval, node]);
    const mask = readMask((await exportForJob(port, request(node.id, { mask: true }))).mask!.bytes);
    expect([mask.width, mask.height]).toEqual([800, 600]);
    expect(mask.at(300, 200)).toBe(255); // the centre of the oval, in image pixels
    expect([mask.at(202, 102), mask.at(210, 200)]).toEqual([0, 255]); // the corner of its box is outside an ellipse
    expect(mask.white).toBeGreaterThan(Math.PI * 100 * 100 * 0.97);
    expect(mask.white).toBeLessThan(Math.PI * 100 * 100 * 1.03);
  });

  it("lines up with the image, not the layer, when a FILL fill is cropped", async () => {
    const { fake, port } = fakePort();
    // 1000 x 500 px shown in a 500 x 500 layer: the image is 1000 wide on the canvas, 250 cut off each side.
    const node = await photo(fake, { width: 1000, height: 500 }, { width: 500, height: 500 });
    const left = shape(fake, "rect", { x: 0, y: 0, width: 250, height: 500 });
    select(fake, [node, left]);
    const mask = readMask((await exportForJob(port, request(node.id, { mask: true }))).mask!.bytes);
    expect([mask.width, mask.height]).toEqual([1000, 500]);
    expect([mask.at(249, 250), mask.at(250, 250), mask.at(499, 250), mask.at(500, 250)]).toEqual([0, 255, 255, 0]);
  });

  it("follows a rotated shape", async () => {
    const { fake, port } = fakePort();
    const node = await photo(fake, { width: 200, height: 200 });
    // 100 x 20 turned a quarter: covers x 130..150, y 50..150 on the canvas.
    const bar = shape(fake, "rect", { x: 0, y: 0, width: 100, height: 20 });
    bar.relativeTransform = [
      [0, -1, 150],
      [1, 0, 50],
    ];
    select(fake, [node, bar]);
    const mask = readMask((await exportForJob(port, request(node.id, { mask: true }))).mask!.bytes);
    expect([mask.at(140, 100), mask.at(129, 100), mask.at(150, 100), mask.at(140, 49)]).toEqual([255, 0, 0, 0]);
    expect(mask.white).toBe(20 * 100);
  });

  it("leaves nothing behind: the temporary frame is gone and the shape is unchanged", async () => {
    const { fake, port } = fakePort();
    const node = await photo(fake, { width: 100, height: 100 });
    const box = shape(fake, "rect", { x: 10, y: 10, width: 20, height: 20 });
    box.opacity = 0.5;
    const fills = box.fills;
    select(fake, [node, box]);
    fake.clearRecords();
    await exportForJob(port, request(node.id, { mask: true }));
    expect(fake.currentPage.children.map((n) => n.id)).toEqual([node.id, box.id]);
    expect(fake.named("Image Studio mask")).toBeUndefined();
    expect(fake.undo.pending().created.every((id) => fake.node(id)!.removed)).toBe(true);
    expect([box.fills, box.opacity, box.visible]).toEqual([fills, 0.5, true]);
    expect(fake.currentPage.selection.map((n) => n.id)).toEqual([node.id, box.id]);
    expect(fake.undo.commits).toBe(0);
  });
});

describe("export refusals and references", () => {
  it("asks for a shape when the mask needs one", async () => {
    const { fake, port } = fakePort();
    const node = await photo(fake, { width: 100, height: 100 });
    select(fake, [node]);
    await expect(exportForJob(port, request(node.id, { mask: true }))).rejects.toThrow("Select the image and one shape drawn over it");
  });

  it("refuses when the selection is no longer the image that was priced", async () => {
    const { fake, port } = fakePort();
    select(fake, [await photo(fake, { width: 100, height: 100 })]);
    await expect(exportForJob(port, request("someone-else"))).rejects.toThrow(/selection changed/);
    select(fake, []);
    await expect(exportForJob(port, request("x"))).rejects.toThrow(/Select an image/);
  });

  it("exports relight references by node id, and says when one was deleted", async () => {
    const { fake, port } = fakePort();
    const subject = await photo(fake, { width: 300, height: 300 });
    const skyBytes = solidPng(512, 256, [90, 160, 230, 255]);
    const sky = await fake.placeImage(skyBytes, { x: 400 });
    const lamp = frame(fake, "Lamp", { x: 0, y: 400, width: 64, height: 64 });
    select(fake, [subject]);
    const out = await exportForJob(port, request(subject.id, { references: { backgroundReference: sky.id, lightReference: lamp.id } }));
    expect(out.backgroundReference).toEqual({ bytes: skyBytes, width: 512, height: 256 });
    expect(out.lightReference).toMatchObject({ width: 64, height: 64 });
    lamp.remove();
    await expect(exportForJob(port, request(subject.id, { references: { lightReference: lamp.id } }))).rejects.toThrow("The light reference layer was deleted");
  });
});
