// exportAsync renders what the canvas shows, exactly: rotations, flips, shadows, clipping, groups, image
// scale modes, constraints, visibility.
import { describe, expect, it } from "vitest";
import { createFakeFigma, decodePng, pngOf, type DecodedImage, type RGBA } from "./index.ts";

const RED: RGBA = [255, 0, 0, 255];
const BLUE: RGBA = [0, 0, 255, 255];
const CLEAR: RGBA = [0, 0, 0, 0];
const solid = (r: number, g: number, b: number): SolidPaint => ({ type: "SOLID", color: { r, g, b } });

/** A W x H image whose every pixel is different. */
const W = 4;
const H = 3;
const pixelAt = (x: number, y: number): RGBA => [x * 60, y * 100, 7, 255];
const photo = pngOf(W, H, pixelAt);

async function imageRect(fake = createFakeFigma(), scaleMode: ImagePaint["scaleMode"] = "FILL") {
  const rect = await fake.placeImage(photo, { scaleMode });
  return { fake, rect };
}

const rows = (img: DecodedImage) => Array.from({ length: img.height }, (_, y) => Array.from({ length: img.width }, (_, x) => img.pixel(x, y)));

describe("geometry of exports", () => {
  it("exports an unrotated image node pixel for pixel", async () => {
    const { rect } = await imageRect();
    const out = decodePng(await rect.exportAsync());
    expect([out.width, out.height]).toEqual([W, H]);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(out.pixel(x, y)).toEqual(pixelAt(x, y));
  });

  it("exports a node turned 90° inside its axis-aligned box: sides swapped, pixels turned exactly", async () => {
    const { rect } = await imageRect();
    rect.rotation = 90;
    rect.x = 50.5; // the export box follows the node, wherever it is
    const out = decodePng(await rect.exportAsync());
    expect([out.width, out.height]).toEqual([H, W]);
    // +90° turns counter-clockwise on screen: the image's top row becomes the left column, read upwards.
    for (let j = 0; j < W; j++) for (let i = 0; i < H; i++) expect(out.pixel(i, j)).toEqual(pixelAt(W - 1 - j, i));
  });

  it("turns by -90° and 180° too", async () => {
    const { rect } = await imageRect();
    rect.rotation = -90;
    let out = decodePng(await rect.exportAsync());
    for (let j = 0; j < W; j++) for (let i = 0; i < H; i++) expect(out.pixel(i, j)).toEqual(pixelAt(j, H - 1 - i));
    rect.rotation = 180;
    out = decodePng(await rect.exportAsync());
    for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) expect(out.pixel(i, j)).toEqual(pixelAt(W - 1 - i, H - 1 - j));
  });

  it("mirrors a node flipped by a negative scale in relativeTransform", async () => {
    const { rect } = await imageRect();
    rect.relativeTransform = [
      [-1, 0, 100],
      [0, 1, 0],
    ];
    expect(rect.absoluteBoundingBox).toEqual({ x: 100 - W, y: 0, width: W, height: H });
    const out = decodePng(await rect.exportAsync());
    for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) expect(out.pixel(i, j)).toEqual(pixelAt(W - 1 - i, j));
  });

  it("draws children with their transforms, relative to their frame", async () => {
    const fake = createFakeFigma();
    const { rect } = await imageRect(fake);
    const frame = fake.figma.createFrame();
    frame.resize(10, 10);
    frame.x = 300;
    frame.fills = [];
    frame.appendChild(rect);
    rect.relativeTransform = [
      [0, 1, 2],
      [-1, 0, 8],
    ];
    const out = decodePng(await frame.exportAsync());
    expect([out.width, out.height]).toEqual([10, 10]);
    // The child covers x 2..5, y 4..8 of the frame.
    expect(out.pixel(1, 5)).toEqual(CLEAR);
    expect(out.pixel(2, 7)).toEqual(pixelAt(0, 0));
    expect(out.pixel(4, 4)).toEqual(pixelAt(W - 1, H - 1));
  });

  it("draws a group's children in the group's parent's space", async () => {
    const { figma } = createFakeFigma();
    const frame = figma.createFrame();
    frame.resize(20, 20);
    frame.x = 100;
    frame.fills = [solid(1, 1, 1)];
    const dot = figma.createRectangle();
    frame.appendChild(dot);
    dot.resize(2, 2);
    dot.x = 5;
    dot.y = 5;
    dot.fills = [solid(1, 0, 0)];
    figma.group([dot], frame);
    const out = decodePng(await frame.exportAsync());
    expect(out.pixel(5, 5)).toEqual(RED);
    expect(out.pixel(7, 5)).toEqual([255, 255, 255, 255]);
  });
});

describe("bounds of exports", () => {
  async function shadowedFrame() {
    const { figma } = createFakeFigma();
    const frame = figma.createFrame();
    frame.resize(20, 10);
    frame.effects = [{ type: "DROP_SHADOW", color: { r: 0, g: 0, b: 0, a: 1 }, offset: { x: 4, y: 4 }, radius: 0, visible: true, blendMode: "NORMAL" }];
    return frame;
  }

  it("widens the export by a drop shadow's extent", async () => {
    const out = decodePng(await (await shadowedFrame()).exportAsync());
    expect([out.width, out.height]).toEqual([24, 14]);
    expect(out.pixel(0, 0)).toEqual([255, 255, 255, 255]);
    expect(out.pixel(22, 12)).toEqual([0, 0, 0, 255]);
    expect(out.pixel(22, 1)).toEqual(CLEAR);
  });

  it("covers exactly absoluteBoundingBox with useAbsoluteBounds", async () => {
    const out = decodePng(await (await shadowedFrame()).exportAsync({ format: "PNG", useAbsoluteBounds: true }));
    expect([out.width, out.height]).toEqual([20, 10]);
    expect(out.pixel(19, 9)).toEqual([255, 255, 255, 255]);
  });

  it("clips children to a frame that clips content, and widens for one that does not", async () => {
    const { figma } = createFakeFigma();
    const frame = figma.createFrame();
    frame.resize(10, 10);
    frame.fills = [];
    const bar = figma.createRectangle();
    frame.appendChild(bar);
    bar.resize(10, 2);
    bar.x = 5;
    bar.fills = [solid(1, 0, 0)];
    let out = decodePng(await frame.exportAsync());
    expect([out.width, out.height]).toEqual([10, 10]);
    expect(out.pixel(9, 0)).toEqual(RED);
    frame.clipsContent = false;
    out = decodePng(await frame.exportAsync());
    expect([out.width, out.height]).toEqual([15, 10]);
    expect(out.pixel(14, 1)).toEqual(RED);
  });

  it("widens for outside strokes and draws strokes on the edge", async () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    rect.resize(10, 10);
    rect.fills = [];
    rect.strokes = [solid(0, 0, 1)];
    rect.strokeWeight = 2;
    let out = decodePng(await rect.exportAsync());
    expect([out.width, out.height]).toEqual([10, 10]);
    expect([out.pixel(1, 5), out.pixel(2, 5)]).toEqual([BLUE, CLEAR]);
    rect.strokeAlign = "OUTSIDE";
    out = decodePng(await rect.exportAsync());
    expect([out.width, out.height]).toEqual([14, 14]);
    expect([out.pixel(1, 7), out.pixel(2, 7)]).toEqual([BLUE, CLEAR]);
  });
});

describe("constraints", () => {
  it("scales to a width, a height or by a factor, rounding sizes to whole pixels (at least 1)", async () => {
    const { figma } = createFakeFigma();
    const frame = figma.createFrame();
    frame.resize(100, 50);
    const size = async (constraint: ExportSettingsConstraints) => {
      const out = decodePng(await frame.exportAsync({ format: "PNG", constraint }));
      return [out.width, out.height];
    };
    expect(await size({ type: "WIDTH", value: 40 })).toEqual([40, 20]);
    expect(await size({ type: "HEIGHT", value: 25 })).toEqual([50, 25]);
    expect(await size({ type: "SCALE", value: 2 })).toEqual([200, 100]);
    expect(await size({ type: "SCALE", value: 0.001 })).toEqual([1, 1]);
    frame.resize(3, 3);
    expect(await size({ type: "SCALE", value: 1.5 })).toEqual([5, 5]);
  });

  it("samples images nearest-neighbour when scaled", async () => {
    const { rect } = await imageRect();
    const out = decodePng(await rect.exportAsync({ format: "PNG", constraint: { type: "SCALE", value: 2 } }));
    expect([out.width, out.height]).toEqual([W * 2, H * 2]);
    expect(out.pixel(7, 5)).toEqual(pixelAt(3, 2));
    expect(out.pixel(2, 1)).toEqual(pixelAt(1, 0));
  });
});

describe("image scale modes", () => {
  // 2 x 1: red, blue.
  const pair = pngOf(2, 1, (x) => (x === 0 ? RED : BLUE));

  async function filled(paint: Omit<ImagePaint, "type" | "imageHash">, width = 4, height = 4) {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    rect.resize(width, height);
    rect.fills = [{ type: "IMAGE", imageHash: figma.createImage(pair).hash, ...paint }];
    return rows(decodePng(await rect.exportAsync()));
  }

  it("FILL covers the node, centred, cutting the overflow", async () => {
    expect(await filled({ scaleMode: "FILL" })).toEqual(Array(4).fill([RED, RED, BLUE, BLUE]));
  });

  it("FIT shows the whole image, centred, leaving the rest empty", async () => {
    expect(await filled({ scaleMode: "FIT" })).toEqual([
      [CLEAR, CLEAR, CLEAR, CLEAR],
      [RED, RED, BLUE, BLUE],
      [RED, RED, BLUE, BLUE],
      [CLEAR, CLEAR, CLEAR, CLEAR],
    ]);
  });

  it("CROP maps the node through imageTransform", async () => {
    const leftHalf: Transform = [
      [0.5, 0, 0],
      [0, 1, 0],
    ];
    const rightHalf: Transform = [
      [0.5, 0, 0.5],
      [0, 1, 0],
    ];
    expect(await filled({ scaleMode: "CROP", imageTransform: leftHalf }, 2, 2)).toEqual(Array(2).fill([RED, RED]));
    expect(await filled({ scaleMode: "CROP", imageTransform: rightHalf }, 2, 2)).toEqual(Array(2).fill([BLUE, BLUE]));
  });

  it("TILE repeats the image at its scaling factor", async () => {
    expect(await filled({ scaleMode: "TILE" }, 4, 2)).toEqual(Array(2).fill([RED, BLUE, RED, BLUE]));
    expect(await filled({ scaleMode: "TILE", scalingFactor: 2 }, 4, 1)).toEqual([[RED, RED, BLUE, BLUE]]);
  });
});

describe("what is drawn", () => {
  it("draws ellipses by their equation", async () => {
    const { figma } = createFakeFigma();
    const ellipse = figma.createEllipse();
    ellipse.resize(10, 10);
    ellipse.fills = [solid(1, 0, 0)];
    const out = decodePng(await ellipse.exportAsync());
    expect([out.pixel(0, 0), out.pixel(5, 5), out.pixel(0, 5)]).toEqual([CLEAR, RED, RED]);
    // (1.5, 0.5) lies outside the circle, (1.5, 1.5) inside.
    expect([out.pixel(1, 0), out.pixel(1, 1)]).toEqual([CLEAR, RED]);
  });

  it("applies opacity and paint opacity", async () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    rect.resize(2, 2);
    rect.fills = [{ ...solid(1, 0, 0), opacity: 0.5 }];
    rect.opacity = 0.5;
    expect(decodePng(await rect.exportAsync()).pixel(0, 0)).toEqual([255, 0, 0, 64]);
  });

  it("does not draw hidden children, and records them", async () => {
    const fake = createFakeFigma();
    const frame = fake.figma.createFrame();
    frame.resize(4, 4);
    const child = fake.figma.createRectangle();
    frame.appendChild(child);
    child.fills = [solid(1, 0, 0)];
    child.visible = false;
    const out = decodePng(await frame.exportAsync());
    expect(out.pixel(1, 1)).toEqual([255, 255, 255, 255]);
    expect(fake.exports[fake.exports.length - 1]).toMatchObject({ nodeId: frame.id, width: 4, height: 4, hiddenIds: [child.id] });
  });

  it("draws a node that is itself hidden, as if visible (the fake's choice; see export.ts)", async () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    rect.resize(2, 2);
    rect.fills = [solid(1, 0, 0)];
    rect.visible = false;
    expect(decodePng(await rect.exportAsync()).pixel(0, 0)).toEqual(RED);
  });

  it("exports PNG only", async () => {
    const { figma } = createFakeFigma();
    await expect(figma.createFrame().exportAsync({ format: "JPG" })).rejects.toThrow('format "JPG" is not modelled');
  });
});
