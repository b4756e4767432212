// dist/plugin.js in QuickJS: what an edit sends (the image, and the mask drawn from the shape over it) for
// images the canvas shows turned, flipped or with a shadow. The mask must cover, pixel for pixel, the part
// of the image the designer sees under the shape; before, a turned image's mask came out the wrong size.
import { describe, expect, it } from "vitest";
import { decodePng, pngOf, type DecodedImage, type FakeFigma, type FakeFrame, type FakeRectangle } from "../testing/fake-figma/index.ts";
import { useBundles, type RunningBundle } from "../testing/run-bundle.ts";

const runBundle = useBundles();

const GREEN: [number, number, number, number] = [0, 200, 0, 255];
const GREY: [number, number, number, number] = [120, 120, 120, 255];
/** The subject: a green square at image pixels x 10..29, y 5..24 of an 80×40 picture. */
const inSubject = (x: number, y: number) => x >= 10 && x < 30 && y >= 5 && y < 25;
const photo = () => pngOf(80, 40, (x, y) => (inSubject(x, y) ? GREEN : GREY));

const isGreen = (img: DecodedImage, x: number, y: number) => {
  const [r, g, b] = img.pixel(x, y);
  return r < 40 && g > 160 && b < 40;
};
const isWhite = (img: DecodedImage, x: number, y: number) => img.pixel(x, y)[0] > 127;

/** Sends export-image for the selected image with a mask; returns the decoded image and mask. */
async function exportWithMask(plugin: RunningBundle, imageId: string) {
  await plugin.send({ type: "export-image", requestId: "r1", imageId, mask: true });
  const answer = plugin.posted().find((m) => m.type === "exported" || m.type === "export-failed")!;
  if (answer.type !== "exported") throw new Error(`export failed: ${answer.type === "export-failed" ? answer.message : ""}`);
  return { image: decodePng(answer.image.bytes), mask: decodePng(answer.mask!.bytes), answer };
}

/** Every pixel: white in the mask exactly where the image shows the green subject. */
function expectMaskOnSubject(image: DecodedImage, mask: DecodedImage) {
  expect([mask.width, mask.height]).toEqual([image.width, image.height]);
  const wrong: string[] = [];
  let subject = 0;
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++) {
      if (isGreen(image, x, y)) subject++;
      if (isGreen(image, x, y) !== isWhite(mask, x, y)) wrong.push(`${x},${y}`);
    }
  expect(subject).toBe(400);
  expect(wrong).toEqual([]);
}

/** A shape drawn over the canvas box where the subject shows (absolute coordinates). */
function shapeOver(fake: FakeFigma, box: { x: number; y: number; width: number; height: number }): FakeRectangle {
  const shape = fake.figma.createRectangle();
  shape.name = "Mask";
  shape.x = box.x;
  shape.y = box.y;
  shape.resize(box.width, box.height);
  shape.fills = [{ type: "SOLID", color: { r: 1, g: 0, b: 1 } }];
  return shape;
}

async function withImage(transform: Transform, subjectOnCanvas: { x: number; y: number; width: number; height: number }) {
  let node!: FakeRectangle;
  const running = await runBundle({
    scene: async (fake) => {
      node = await fake.placeImage(photo(), { name: "Photo" });
      node.relativeTransform = transform;
      fake.figma.currentPage.selection = [node, shapeOver(fake, subjectOnCanvas)];
    },
  });
  return { plugin: running, node };
}

describe("masks in the sandbox match the image pixel for pixel", () => {
  it("for an image turned 90°: the fill's own pixels, and the mask in their coordinates", async () => {
    // Local (u, v) lands on the canvas at (200 - v, 100 + u): the subject shows at x 175..195, y 110..130.
    const { plugin, node } = await withImage([[0, -1, 200], [1, 0, 100]], { x: 175, y: 110, width: 20, height: 20 });
    const { image, mask, answer } = await exportWithMask(plugin, node.id);
    expect([answer.image.width, answer.image.height]).toEqual([80, 40]);
    expectMaskOnSubject(image, mask);
    // The temporary mask frame is gone, and it was never an undo step of its own.
    expect(plugin.fake.figma.currentPage.children.map((n) => n.name)).toEqual(["Photo", "Mask"]);
  });

  it("for an image flipped horizontally", async () => {
    // Local (u, v) lands at (300 - u, 50 + v): the subject shows at x 270..290, y 55..75.
    const { plugin, node } = await withImage([[-1, 0, 300], [0, 1, 50]], { x: 270, y: 55, width: 20, height: 20 });
    const { image, mask } = await exportWithMask(plugin, node.id);
    expectMaskOnSubject(image, mask);
  });

  it("for a frame rendered with its shadow and turned: the export and its mask cover the same box, shadow left out", async () => {
    let frame!: FakeFrame;
    const running = await runBundle({
      scene: (fake) => {
        frame = fake.figma.createFrame();
        frame.name = "Card";
        frame.resize(80, 40);
        frame.fills = [{ type: "SOLID", color: { r: 120 / 255, g: 120 / 255, b: 120 / 255 } }];
        frame.effects = [{ type: "DROP_SHADOW", color: { r: 0, g: 0, b: 0, a: 1 }, offset: { x: 6, y: 6 }, radius: 4, visible: true, blendMode: "NORMAL" }];
        const subject = fake.figma.createRectangle();
        subject.resize(20, 20);
        subject.fills = [{ type: "SOLID", color: { r: 0, g: 200 / 255, b: 0 } }];
        frame.appendChild(subject);
        subject.x = 10;
        subject.y = 5;
        // Turned 90°: local (u, v) lands at (400 - v, 300 + u), so the subject shows at x 375..395, y 310..330.
        frame.relativeTransform = [[0, -1, 400], [1, 0, 300]];
        fake.figma.currentPage.selection = [frame, shapeOver(fake, { x: 375, y: 310, width: 20, height: 20 })];
      },
    });
    await running.send({ type: "ready" });
    const priced = running.last("init").selection.image!;
    const { image, mask, answer } = await exportWithMask(running, frame.id);
    // Upright in its 40×80 bounds, not widened by the shadow, and the size the badge priced.
    expect([answer.image.width, answer.image.height]).toEqual([40, 80]);
    expect([priced.width, priced.height, priced.source]).toEqual([40, 80, "render"]);
    expectMaskOnSubject(image, mask);
  });
});
