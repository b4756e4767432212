import { describe, expect, it } from "vitest";
import type { PlacedFormat } from "../core/messages.ts";
import type { FigmaPort } from "./figma-port.ts";
import { GAP } from "./placement-target.ts";
import { placeImages, type PlaceRequest } from "./placement.ts";
import { summarizeSelection } from "./selection.ts";
import { SAFE_ZONE_NAME } from "./social-frame.ts";
import { decodePng, type FakeFrame, type FakeRectangle } from "./testing/fake-figma/index.ts";
import { fakePort, pluginData } from "./testing/fake-port.ts";
import { box, frame, ids, photo, placedFrame, png, select, type Size } from "./testing/scene.ts";

describe("placeImages for social results", () => {
  const STORY: PlacedFormat = { id: "instagram-story", name: "Instagram · Story 1080×1920", safeZone: { top: 250, right: 0, bottom: 340, left: 0 } };
  const SQUARE: PlacedFormat = { id: "instagram-square", name: "Instagram · Square 1080×1080" };
  const TIKTOK: PlacedFormat = { id: "tiktok-cover", name: "TikTok · Cover 1080×1920", safeZone: { top: 150, right: 120, bottom: 400, left: 60 } };
  const LINKEDIN: PlacedFormat = { id: "linkedin-feed", name: "LinkedIn · Feed 1200×627" };
  const sizes: Record<string, Size> = {
    "instagram-story": { width: 1080, height: 1920 },
    "instagram-square": { width: 1080, height: 1080 },
    "tiktok-cover": { width: 1080, height: 1920 },
    "linkedin-feed": { width: 1200, height: 627 },
  };
  const spec = JSON.stringify({ operation: "social", formats: ["instagram-story", "instagram-square"], crop: "smart" });
  const social = (port: FigmaPort, formats: PlacedFormat[], sourceId?: string): PlaceRequest => ({
    name: "Photo · Social",
    images: formats.map((format, i) => ({ hash: port.createImage(png(sizes[format.id]!, [Math.min(i, 3), 0, 0, 255])).hash, ...sizes[format.id]!, assetId: `ast-${i}`, format })),
    provenance: { jobId: "job-s", operation: "social", spec },
    ...(sourceId ? { source: { nodeId: sourceId, replace: false } } : {}),
  });
  const named = (n: { name: string; x: number; y: number; width: number; height: number }) => ({ name: n.name, ...box(n) });

  it("makes one frame per format, named for it and sized to its image, beside the source in its parent", async () => {
    const { fake, port } = fakePort();
    const board = frame(fake, "Board", { x: 0, y: 0, width: 5000, height: 3000 });
    const source = await photo(fake, { x: 10, y: 20, width: 800, height: 600 }, board);
    const req = social(port, [STORY, SQUARE], source.id);
    const { nodeIds } = await placeImages(port, req);
    expect(ids(board.children)).toEqual([source.id, ...nodeIds]);
    const frames = nodeIds.map((id) => placedFrame(fake, id));
    expect(frames.map(named)).toEqual([
      { name: "Instagram · Story 1080×1920", x: 10 + 800 + GAP, y: 20, width: 1080, height: 1920 },
      { name: "Instagram · Square 1080×1080", x: 10 + 800 + GAP + 1080 + GAP, y: 20, width: 1080, height: 1080 },
    ]);
    for (const f of frames) {
      expect(f.fills).toEqual([]);
      expect(f.clipsContent).toBe(true);
      expect(f.visible).toBe(true);
    }
    // The image fills its frame: a rectangle at 0,0 with the job's image.
    const [story, square] = frames;
    const image = story!.children[0] as FakeRectangle;
    expect(named(image)).toEqual({ name: "Image", x: 0, y: 0, width: 1080, height: 1920 });
    expect(image.fills).toEqual([{ type: "IMAGE", imageHash: req.images[0]!.hash, scaleMode: "FILL" }]);
    expect((square!.children[0] as FakeRectangle).fills).toEqual([{ type: "IMAGE", imageHash: req.images[1]!.hash, scaleMode: "FILL" }]);
    expect(square!.children).toHaveLength(1); // no safe zone for the square
  });

  it("adds the safe zone as a hidden layer of translucent rectangles over the unsafe insets, never in the image", async () => {
    const { fake, port } = fakePort();
    const { nodeIds } = await placeImages(port, social(port, [STORY, TIKTOK]));
    const [story, tiktok] = nodeIds.map((id) => placedFrame(fake, id));
    const layer = story!.children[1] as FakeFrame;
    expect(named(layer)).toEqual({ name: SAFE_ZONE_NAME, x: 0, y: 0, width: 1080, height: 1920 });
    expect(layer.visible).toBe(false);
    expect(layer.fills).toEqual([]);
    expect(layer.children.map(named)).toEqual([
      { name: "Unsafe top", x: 0, y: 0, width: 1080, height: 250 },
      { name: "Unsafe bottom", x: 0, y: 1920 - 340, width: 1080, height: 340 },
    ]);
    const paint = (layer.children[0] as FakeRectangle).fills as readonly SolidPaint[];
    expect(paint[0]!.type).toBe("SOLID");
    expect(paint[0]!.opacity).toBeLessThan(1);
    expect((tiktok!.children[1] as FakeFrame).children.map(named)).toEqual([
      { name: "Unsafe top", x: 0, y: 0, width: 1080, height: 150 },
      { name: "Unsafe bottom", x: 0, y: 1520, width: 1080, height: 400 },
      { name: "Unsafe left", x: 0, y: 150, width: 60, height: 1370 },
      { name: "Unsafe right", x: 1080 - 120, y: 150, width: 120, height: 1370 },
    ]);
    // The image itself is untouched: one IMAGE fill, the job's bytes.
    expect((story!.children[0] as FakeRectangle).fills).toHaveLength(1);
    // Hidden, the zone draws nothing: the frame exports as the image alone.
    const shown = decodePng(await story!.exportAsync({ format: "PNG", constraint: { type: "SCALE", value: 0.05 } }));
    expect(shown.pixel(10, 2)).toEqual([0, 0, 0, 255]);
  });

  it("tags each frame and its image with the provenance, the format and the placed fill's hash", async () => {
    const { fake, port } = fakePort();
    const req = social(port, [STORY, SQUARE]);
    const { nodeIds } = await placeImages(port, req);
    const [story, square] = nodeIds.map((id) => placedFrame(fake, id));
    // No prompt: Figma drops a key set to "".
    expect(pluginData(story!)).toEqual({ jobId: "job-s", assetId: "ast-0", operation: "social", spec, format: "instagram-story" });
    expect(story!.getRelaunchData()).toEqual({ regenerate: "social" });
    expect(square!.getPluginData("assetId")).toBe("ast-1");
    expect(pluginData(story!.children[0]!)).toEqual({ jobId: "job-s", assetId: "ast-0", operation: "social", spec, imageHash: req.images[0]!.hash });
  });

  it("selects the frames, scrolls to them and commits the whole job as one undo step", async () => {
    const { fake, port } = fakePort();
    const { nodeIds } = await placeImages(port, social(port, [STORY, SQUARE, TIKTOK, LINKEDIN]));
    expect(nodeIds).toHaveLength(4);
    expect(ids(fake.currentPage.selection)).toEqual(nodeIds);
    expect(fake.scrolledTo).toEqual([nodeIds]);
    expect(fake.undo.steps).toHaveLength(1);
    expect(fake.undo.pending().created).toEqual([]);
  });

  it("lays many formats out in a grid rather than one long row", async () => {
    const { fake, port } = fakePort();
    const { nodeIds } = await placeImages(port, social(port, [STORY, SQUARE, TIKTOK, LINKEDIN]));
    const frames = nodeIds.map((id) => placedFrame(fake, id));
    // Two columns: story and square on the first row, tiktok and linkedin on the second, under the tallest.
    const left = frames[0]!.x;
    const top = frames[0]!.y;
    expect(frames.map((f) => [f.x - left, f.y - top])).toEqual([
      [0, 0],
      [1080 + GAP, 0],
      [0, 1920 + GAP],
      [1080 + GAP, 1920 + GAP],
    ]);
    // Centred on the viewport as one block.
    const width = 1080 + GAP + 1200;
    const height = 1920 + GAP + 1920;
    expect([left, top]).toEqual([-width / 2, -height / 2]);
  });

  it("places more than ten formats in one placement", async () => {
    const { fake, port } = fakePort();
    const many = Array.from({ length: 15 }, (_, i) => ({ ...SQUARE, name: `Format ${i}` }));
    expect((await placeImages(port, social(port, many))).nodeIds).toHaveLength(15);
    expect(fake.undo.steps).toHaveLength(1);
  });

  it("removes every frame, image and safe zone it made when Figma refuses the last format", async () => {
    const { fake, port } = fakePort();
    const req = social(port, [STORY, TIKTOK]);
    req.images = [req.images[0]!, { ...req.images[1]!, hash: "not-a-sha1" }];
    await expect(placeImages(port, req)).rejects.toThrow("Invalid SHA1 hash");
    expect(fake.currentPage.children).toHaveLength(0);
    expect(fake.undo.pending().created.every((id) => fake.node(id)!.removed)).toBe(true);
    expect(fake.undo.commits).toBe(0);
  });

  it("names the asset when its image is selected again, until the fill changes", async () => {
    const { fake, port } = fakePort();
    const { nodeIds } = await placeImages(port, social(port, [SQUARE]));
    const image = placedFrame(fake, nodeIds[0]!).children[0] as FakeRectangle;
    select(fake, [image]);
    expect((await summarizeSelection(port)).image?.assetId).toBe("ast-0");
    image.fills = [{ type: "IMAGE", imageHash: port.createImage(png({ width: 8, height: 8 })).hash, scaleMode: "FILL" }];
    expect((await summarizeSelection(port)).image).not.toHaveProperty("assetId");
  });
});
