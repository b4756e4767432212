// A batch exports its images one message each: each is one of the selection's images, and its mask is the
// shape drawn over THAT image, whatever else is selected.
import { describe, expect, it } from "vitest";
import { exportForJob, type ExportImageRequest } from "./export-image.ts";
import { summarizeSelection } from "./selection.ts";
import { decodePng, pngOf, type RGBA } from "./testing/fake-figma/index.ts";
import { fakePort } from "./testing/fake-port.ts";
import { select } from "./testing/scene.ts";

const request = (imageId: string, mask = true): ExportImageRequest => ({ type: "export-image", requestId: "r1", imageId, mask, references: {} });
const WHITE: RGBA = [255, 255, 255, 255];

describe("exporting the images of a batch", () => {
  async function scene() {
    const { fake, port } = fakePort();
    // Two 100 x 50 px photos side by side; a 20 px square over the left end of one, over the right end of the other.
    const left = await fake.placeImage(pngOf(100, 50, () => [40, 120, 200, 255]), { name: "Left", x: 0, y: 0 });
    const right = await fake.placeImage(pngOf(100, 50, () => [200, 120, 40, 255]), { name: "Right", x: 300, y: 0 });
    const bare = await fake.placeImage(pngOf(80, 40, () => [9, 9, 9, 255]), { name: "Bare", x: 600, y: 0 });
    const square = (x: number, name: string) => {
      const s = fake.figma.createRectangle();
      s.name = name;
      s.resize(20, 20);
      s.x = x;
      s.y = 10;
      return s;
    };
    const overLeft = square(5, "Over left");
    const overRight = square(375, "Over right");
    select(fake, [left, overRight, right, overLeft, bare]);
    return { fake, port, left, right, bare };
  }

  it("masks each image with the shape drawn over it", async () => {
    const { port, left, right } = await scene();
    const images = (await summarizeSelection(port)).images!;
    expect(images.map((i) => [i.name, i.maskShape?.name])).toEqual([
      ["Left", "Over left"],
      ["Right", "Over right"],
      ["Bare", undefined],
    ]);
    const a = await exportForJob(port, request(left.id));
    const b = await exportForJob(port, request(right.id));
    const maskA = decodePng(a.mask!.bytes);
    const maskB = decodePng(b.mask!.bytes);
    expect([maskA.width, maskA.height, maskB.width, maskB.height]).toEqual([100, 50, 100, 50]);
    // Left's square covers x 5..25; right's covers x 75..95 of its own image.
    expect(maskA.pixel(15, 20)).toEqual(WHITE);
    expect(maskA.pixel(85, 20)).not.toEqual(WHITE);
    expect(maskB.pixel(85, 20)).toEqual(WHITE);
    expect(maskB.pixel(15, 20)).not.toEqual(WHITE);
    // The bytes are each image's own.
    expect(decodePng(a.image.bytes).pixel(50, 40)).toEqual([40, 120, 200, 255]);
    expect(decodePng(b.image.bytes).pixel(50, 40)).toEqual([200, 120, 40, 255]);
  });

  it("exports an image without a shape unmasked, and refuses its mask naming it", async () => {
    const { port, bare } = await scene();
    const out = await exportForJob(port, request(bare.id, false));
    expect([out.image.width, out.image.height, out.mask]).toEqual([80, 40, undefined]);
    await expect(exportForJob(port, request(bare.id))).rejects.toThrow("Draw a shape over “Bare” for its mask");
  });

  it("refuses an image the selection no longer holds", async () => {
    const { fake, port, left, right } = await scene();
    select(fake, [right]);
    await expect(exportForJob(port, request(left.id, false))).rejects.toThrow("The selection changed after the price was shown");
  });
});
