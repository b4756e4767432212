// Masks are built in the coordinates of the image sent: the fill's own pixels (however the layer is turned
// or flipped), or the rendered node's upright bounds. Each case paints a red region in the picture and
// draws the mask shape exactly over it on the canvas; the mask must be white exactly where the red is.
import { describe, expect, it } from "vitest";
import { exportForJob, type ExportImageRequest } from "./export-image.ts";
import type { FigmaPort } from "./figma-port.ts";
import { multiply, translate } from "./geometry.ts";
import { summarizeSelection } from "./selection.ts";
import { decodePng, pngOf, type DecodedImage, type FakeFigma, type FakeFrame, type FakeRectangle, type FakeSceneNode, type RGBA } from "./testing/fake-figma/index.ts";
import { fakePort } from "./testing/fake-port.ts";
import { frame, select } from "./testing/scene.ts";

const request = (imageId: string): ExportImageRequest => ({ type: "export-image", requestId: "r1", imageId, mask: true, references: {} });
const WHITE: RGBA = [255, 255, 255, 255];
const BLACK: RGBA = [0, 0, 0, 255];
const same = (a: RGBA, b: RGBA) => a.every((v, i) => v === b[i]);

describe("masks of turned, flipped and shadowed images", () => {
  const W = 60;
  const H = 40;
  const REGION = { x: 10, y: 5, width: 20, height: 15 };
  const RED: RGBA = [255, 0, 0, 255];
  const picture = pngOf(W, H, (x, y) =>
    x >= REGION.x && x < REGION.x + REGION.width && y >= REGION.y && y < REGION.y + REGION.height ? RED : [40, 120, 200, 255],
  );
  const POSES = {
    "turned 90°": (n: FakeRectangle | FakeFrame) => (n.rotation = 90),
    "turned 30°": (n: FakeRectangle | FakeFrame) => (n.rotation = 30),
    "flipped horizontally": (n: FakeRectangle | FakeFrame) =>
      (n.relativeTransform = [
        [-1, 0, n.x + W],
        [0, 1, n.y],
      ]),
    "with a drop shadow": (n: FakeRectangle | FakeFrame) =>
      (n.effects = [{ type: "DROP_SHADOW", color: { r: 0, g: 0, b: 0, a: 0.8 }, offset: { x: 8, y: 8 }, radius: 4, visible: true, blendMode: "NORMAL" }]),
  };
  type Pose = keyof typeof POSES;

  /** The image as a fill (its bytes are sent) or inside a frame that is sent rendered; the frame takes the pose. */
  async function scene(source: "fill" | "render", pose: Pose) {
    const { fake, port } = fakePort();
    const image = await fake.placeImage(picture, { name: "Photo", x: 200, y: 100 });
    let posed: FakeRectangle | FakeFrame = image;
    if (source === "render") {
      posed = frame(fake, "Card", { x: 200, y: 100, width: W, height: H });
      posed.fills = [];
      posed.appendChild(image);
      image.x = 0;
      image.y = 0;
    }
    POSES[pose](posed);
    const cover = fake.figma.createRectangle();
    cover.resize(REGION.width, REGION.height);
    cover.relativeTransform = multiply(image.absoluteTransform, translate(REGION.x, REGION.y));
    cover.fills = [{ type: "SOLID", color: { r: 1, g: 0.8, b: 0 }, opacity: 0.5 }];
    cover.opacity = 0.6;
    select(fake, [posed, cover]);
    fake.clearRecords();
    return { fake, port, posed, cover };
  }

  /** Indices (y * width + x) of the pixels that pass `test`. */
  function where(image: DecodedImage, test: (p: RGBA) => boolean): Set<number> {
    const out = new Set<number>();
    for (let y = 0; y < image.height; y++) for (let x = 0; x < image.width; x++) if (test(image.pixel(x, y))) out.add(y * image.width + x);
    return out;
  }

  /** Pixels in one set and not the other, as [x, y]. */
  function mismatches(a: Set<number>, b: Set<number>, width: number): [number, number][] {
    return [...a, ...b].filter((i) => a.has(i) !== b.has(i)).map((i) => [i % width, Math.floor(i / width)]);
  }

  /** Whether (x, y) borders a pixel on the other side of the region's edge. */
  function onEdge(region: Set<number>, image: DecodedImage, x: number, y: number): boolean {
    const inside = region.has(y * image.width + x);
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const [nx, ny] = [x + dx, y + dy];
        if (nx >= 0 && ny >= 0 && nx < image.width && ny < image.height && region.has(ny * image.width + nx) !== inside) return true;
      }
    return false;
  }

  async function check(port: FigmaPort, fake: FakeFigma, posed: FakeSceneNode, exact: boolean) {
    const priced = (await summarizeSelection(port)).image!;
    const before = fake.currentPage.children.map((n) => n.id);
    const out = await exportForJob(port, request(posed.id));
    const sent = decodePng(out.image.bytes);
    const mask = decodePng(out.mask!.bytes);
    expect([mask.width, mask.height, out.mask!.width, out.mask!.height]).toEqual([sent.width, sent.height, sent.width, sent.height]);
    expect([out.image.width, out.image.height]).toEqual([sent.width, sent.height]);
    expect([priced.width, priced.height]).toEqual([sent.width, sent.height]);
    expect(where(mask, (p) => !same(p, WHITE) && !same(p, BLACK)).size).toBe(0);
    const red = where(sent, (p) => same(p, RED));
    const white = where(mask, (p) => same(p, WHITE));
    expect(red.size).toBeGreaterThan(0.9 * REGION.width * REGION.height);
    const wrong = mismatches(red, white, sent.width);
    if (exact) expect(wrong).toEqual([]);
    else {
      expect(wrong.filter(([x, y]) => !onEdge(red, sent, x, y))).toEqual([]);
      expect(wrong.length).toBeLessThan(2 * (REGION.width + REGION.height));
    }
    expect(fake.currentPage.children.map((n) => n.id)).toEqual(before);
    expect(fake.named("Image Studio mask")).toBeUndefined();
    return { sent, out };
  }

  describe.each(Object.keys(POSES) as Pose[])("an image %s", (pose) => {
    it("sent as its fill's bytes: the mask is in the image's own pixels", async () => {
      const { fake, port, posed } = await scene("fill", pose);
      const { sent, out } = await check(port, fake, posed, true);
      expect(out.image.bytes).toEqual(picture);
      expect([sent.width, sent.height]).toEqual([W, H]);
    });

    it("sent as a frame rendered: the mask covers the render's pixels", async () => {
      const { fake, port, posed } = await scene("render", pose);
      // Turned 30°, the region's edges cross pixels: the render samples the image through the frame's
      // transform and the mask samples the shape through its own, so a pixel whose centre lies on an edge
      // may fall either way. Elsewhere the two must agree exactly.
      const { sent } = await check(port, fake, posed, pose !== "turned 30°");
      const bounds = posed.absoluteBoundingBox!;
      expect([sent.width, sent.height]).toEqual([Math.round(bounds.width), Math.round(bounds.height)]);
      if (pose === "with a drop shadow") expect([sent.width, sent.height]).toEqual([W, H]);
      if (pose === "turned 90°") expect([sent.width, sent.height]).toEqual([H, W]);
    });
  });
});
