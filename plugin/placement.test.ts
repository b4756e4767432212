import { describe, expect, it } from "vitest";
import type { PlacedFormat } from "../core/messages.ts";
import { FakeFigma, FakeFrame, FakeNode, FakeParent, FakeRectangle, fakePng, imageNode } from "./testing/fake-figma.ts";
import { GAP, gridLayout, placeImages, SAFE_ZONE_NAME, type PlaceImagesRequest } from "./placement.ts";
import { summarizeSelection } from "./selection.ts";

function request(sizes: { width: number; height: number }[], prompt = "a red fox"): PlaceImagesRequest {
  return {
    type: "place-images",
    requestId: "req-1",
    name: prompt,
    images: sizes.map((s, i) => ({ bytes: fakePng(), width: s.width, height: s.height, assetId: `asset-${i}` })),
    provenance: { jobId: "job-1", operation: "create", prompt, spec: JSON.stringify({ operation: "create", prompt }) },
  };
}

const rect = (node: unknown) => {
  if (!(node instanceof FakeRectangle)) throw new Error("expected a rectangle");
  return node;
};

describe("placeImages", () => {
  it("places the image beside the selected node, in the same parent", async () => {
    const figma = new FakeFigma();
    const frame = new FakeParent("FRAME", "NONE");
    figma.select([new FakeNode({ parent: frame, x: 100, y: 50, width: 200, height: 120 })]);

    const [id] = await placeImages(figma, request([{ width: 1024, height: 768 }]));

    const node = rect(figma.created[0]);
    expect(node.id).toBe(id);
    expect(node.parent).toBe(frame);
    expect(frame.children).toEqual([node]);
    expect({ x: node.x, y: node.y, width: node.width, height: node.height }).toEqual({ x: 100 + 200 + GAP, y: 50, width: 1024, height: 768 });
    expect(node.fills).toEqual([{ type: "IMAGE", imageHash: "hash-1", scaleMode: "FILL" }]);
  });

  it("goes right of the rightmost selected sibling, level with the topmost", async () => {
    const figma = new FakeFigma();
    const page = figma.page;
    figma.select([
      new FakeNode({ parent: page, x: 0, y: 30, width: 100, height: 100 }),
      new FakeNode({ parent: page, x: 500, y: 10, width: 50, height: 50 }),
    ]);
    await placeImages(figma, request([{ width: 64, height: 64 }]));
    const node = rect(figma.created[0]);
    expect([node.x, node.y]).toEqual([550 + GAP, 10]);
    expect(node.parent).toBe(page);
  });

  it("centres the row on the viewport when nothing is selected", async () => {
    const figma = new FakeFigma("", { x: 1000, y: 500 });
    await placeImages(figma, request([{ width: 200, height: 100 }]));
    const node = rect(figma.created[0]);
    expect(node.parent).toBe(figma.page);
    expect([node.x, node.y]).toEqual([900, 450]);
  });

  it("lays variations out in a row with a gap, named by number", async () => {
    const figma = new FakeFigma("", { x: 0, y: 0 });
    await placeImages(figma, request([{ width: 100, height: 100 }, { width: 100, height: 100 }, { width: 100, height: 100 }]));
    const nodes = figma.created.map(rect);
    const rowWidth = 300 + 2 * GAP;
    expect(nodes.map((n) => n.x)).toEqual([-rowWidth / 2, -rowWidth / 2 + 100 + GAP, -rowWidth / 2 + 200 + 2 * GAP]);
    expect(new Set(nodes.map((n) => n.y))).toEqual(new Set([-50]));
    expect(nodes.map((n) => n.name)).toEqual(["a red fox 1", "a red fox 2", "a red fox 3"]);
  });

  it("keeps provenance as plugin data and sets the Regenerate relaunch data", async () => {
    const figma = new FakeFigma();
    await placeImages(figma, request([{ width: 100, height: 100 }, { width: 100, height: 100 }]));
    const [first, second] = figma.created.map(rect);
    expect(Object.fromEntries(first!.pluginData)).toEqual({
      jobId: "job-1",
      assetId: "asset-0",
      prompt: "a red fox",
      operation: "create",
      spec: JSON.stringify({ operation: "create", prompt: "a red fox" }),
      imageHash: "hash-1",
    });
    expect(second!.getPluginData("assetId")).toBe("asset-1");
    expect(first!.relaunchData).toEqual({ regenerate: "a red fox" });
  });

  it("shortens a long prompt in the relaunch description but keeps it whole in plugin data", async () => {
    const figma = new FakeFigma();
    const prompt = "x".repeat(300);
    await placeImages(figma, request([{ width: 100, height: 100 }], prompt));
    const node = rect(figma.created[0]);
    expect(node.relaunchData.regenerate).toHaveLength(100);
    expect(node.getPluginData("prompt")).toBe(prompt);
  });

  it("selects the new nodes, scrolls to them and commits one undo step per job", async () => {
    const figma = new FakeFigma();
    figma.select([new FakeNode({ parent: figma.page })]);
    const ids = await placeImages(figma, request([{ width: 100, height: 100 }, { width: 100, height: 100 }]));
    expect(figma.selectionNow.map((n) => n.id)).toEqual(ids);
    expect(figma.scrolledTo.map((n) => n.id)).toEqual(ids);
    expect(figma.undoCommits).toBe(1);
  });

  it("places beside an auto-layout child on the page instead of reflowing the frame", async () => {
    const figma = new FakeFigma();
    const autoLayout = new FakeParent("FRAME", "HORIZONTAL");
    figma.select([
      new FakeNode({ parent: autoLayout, x: 10, y: 10, width: 100, height: 100, absoluteBoundingBox: { x: 510, y: 210, width: 100, height: 100 } }),
    ]);
    await placeImages(figma, request([{ width: 64, height: 64 }]));
    const node = rect(figma.created[0]);
    expect(node.parent).toBe(figma.page);
    expect(autoLayout.children).toEqual([]);
    expect([node.x, node.y]).toEqual([610 + GAP, 210]);
  });

  it("creates nothing when Figma rejects one of the images", async () => {
    const figma = new FakeFigma();
    const req = request([{ width: 100, height: 100 }, { width: 100, height: 100 }]);
    req.images[1]!.bytes = new Uint8Array([1, 2, 3]);
    await expect(placeImages(figma, req)).rejects.toThrow(/unsupported/);
    expect(figma.created).toEqual([]);
    expect(figma.undoCommits).toBe(0);
  });
});

describe("placeImages for edit and upscale results", () => {
  const edit = (source: { nodeId: string; replace?: boolean }, n = 1): PlaceImagesRequest => ({
    ...request(Array.from({ length: n }, () => ({ width: 2048, height: 1536 })), "a red fox"),
    name: "Photo · Upscale",
    provenance: { jobId: "job-7", operation: "upscale", prompt: "a red fox", spec: '{"operation":"upscale","mode":"fast"}' },
    source: { replace: false, ...source },
  });

  it("goes beside the source node, in its parent, even when the selection has moved on", async () => {
    const figma = new FakeFigma();
    const frame = new FakeParent("FRAME", "NONE");
    const photo = imageNode(figma, { width: 512, height: 384 }, { parent: frame, x: 10, y: 20 });
    figma.select([new FakeNode({ parent: figma.page, x: 5000, y: 5000 })]);
    const [id] = await placeImages(figma, edit({ nodeId: photo.id }));
    const node = rect(figma.created[0]);
    expect(node.id).toBe(id);
    expect(node.parent).toBe(frame);
    expect([node.x, node.y, node.width, node.height]).toEqual([10 + 512 + GAP, 20, 2048, 1536]);
    expect(node.name).toBe("Photo · Upscale");
    expect(photo.fills).toHaveLength(1); // the source is left as it was
    expect(figma.undoCommits).toBe(1);
  });

  it("replaces the source's image fill, keeping its scale mode and crop, as one undo step", async () => {
    const figma = new FakeFigma();
    const crop: Transform = [[0.5, 0, 0.25], [0, 0.5, 0.25]];
    const photo = imageNode(figma, { width: 512, height: 384 }, { scaleMode: "CROP", imageTransform: crop });
    const under: SolidPaint = { type: "SOLID", color: { r: 1, g: 0, b: 0 } };
    photo.fills = [under, ...(photo.fills as Paint[])];
    const [id] = await placeImages(figma, edit({ nodeId: photo.id, replace: true }));
    expect(id).toBe(photo.id);
    expect(figma.created).toEqual([]);
    const fills = photo.fills as Paint[];
    expect(fills[0]).toEqual(under);
    expect(fills[1]).toEqual({ type: "IMAGE", imageHash: "hash-2", scaleMode: "CROP", imageTransform: crop });
    expect(figma.images.get("hash-2")).toEqual(fakePng());
    expect(Object.fromEntries(photo.pluginData)).toEqual({
      jobId: "job-7",
      assetId: "asset-0",
      prompt: "a red fox",
      operation: "upscale",
      spec: '{"operation":"upscale","mode":"fast"}',
      imageHash: "hash-2",
    });
    expect(figma.selectionNow).toEqual([photo]);
    expect(figma.undoCommits).toBe(1);
  });

  it("places beside the source when it no longer has an image fill to replace", async () => {
    const figma = new FakeFigma();
    const frame = new FakeNode({ parent: figma.page, x: 0, y: 0, width: 300, height: 200 });
    const [id] = await placeImages(figma, edit({ nodeId: frame.id, replace: true }));
    expect(id).toBe(figma.created[0]!.id);
    expect([figma.created[0]!.x, figma.created[0]!.y]).toEqual([300 + GAP, 0]);
    expect(figma.undoCommits).toBe(1);
  });

  it("falls back to the selection when the source was deleted", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 100, height: 100 });
    photo.removed = true;
    figma.select([new FakeNode({ parent: figma.page, x: 1000, y: 0, width: 10, height: 10 })]);
    await placeImages(figma, edit({ nodeId: photo.id, replace: true }));
    expect(figma.created[0]!.x).toBe(1010 + GAP);
  });

  it("refuses to replace a fill with several images, changing nothing", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 100, height: 100 });
    const before = photo.fills;
    await expect(placeImages(figma, edit({ nodeId: photo.id, replace: true }, 2))).rejects.toThrow(/single image/);
    expect(photo.fills).toBe(before);
    expect(figma.undoCommits).toBe(0);
  });
});

describe("placeImages for social results", () => {
  const STORY: PlacedFormat = { id: "instagram-story", name: "Instagram · Story 1080×1920", safeZone: { top: 250, right: 0, bottom: 340, left: 0 } };
  const SQUARE: PlacedFormat = { id: "instagram-square", name: "Instagram · Square 1080×1080" };
  const TIKTOK: PlacedFormat = { id: "tiktok-cover", name: "TikTok · Cover 1080×1920", safeZone: { top: 150, right: 120, bottom: 400, left: 60 } };
  const LINKEDIN: PlacedFormat = { id: "linkedin-feed", name: "LinkedIn · Feed 1200×627" };
  const sizes: Record<string, { width: number; height: number }> = {
    "instagram-story": { width: 1080, height: 1920 },
    "instagram-square": { width: 1080, height: 1080 },
    "tiktok-cover": { width: 1080, height: 1920 },
    "linkedin-feed": { width: 1200, height: 627 },
  };
  const spec = JSON.stringify({ operation: "social", formats: ["instagram-story", "instagram-square"], crop: "smart" });
  const social = (formats: PlacedFormat[], sourceId?: string): PlaceImagesRequest => ({
    type: "place-images",
    requestId: "req-s",
    name: "Photo · Social",
    images: formats.map((format, i) => ({ bytes: fakePng(), ...sizes[format.id]!, assetId: `ast-${i}`, format })),
    provenance: { jobId: "job-s", operation: "social", spec },
    ...(sourceId ? { source: { nodeId: sourceId, replace: false } } : {}),
  });
  const frame = (node: unknown) => {
    if (!(node instanceof FakeFrame)) throw new Error("expected a frame");
    return node;
  };
  const box = (n: { name: string; x: number; y: number; width: number; height: number }) => ({ name: n.name, x: n.x, y: n.y, width: n.width, height: n.height });

  it("makes one frame per format, named for it and sized to its image, beside the source in its parent", async () => {
    const figma = new FakeFigma();
    const board = new FakeParent("FRAME", "NONE");
    const photo = imageNode(figma, { width: 800, height: 600 }, { parent: board, x: 10, y: 20 });
    const ids = await placeImages(figma, social([STORY, SQUARE], photo.id));
    const frames = board.children.map(frame);
    expect(frames.map((f) => f.id)).toEqual(ids);
    expect(frames.map(box)).toEqual([
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
    const image = rect(story!.children[0]);
    expect(box(image)).toEqual({ name: "Image", x: 0, y: 0, width: 1080, height: 1920 });
    expect(image.fills).toEqual([{ type: "IMAGE", imageHash: "hash-2", scaleMode: "FILL" }]);
    expect(rect(square!.children[0]).fills).toEqual([{ type: "IMAGE", imageHash: "hash-3", scaleMode: "FILL" }]);
    expect(square!.children).toHaveLength(1); // no safe zone for the square
  });

  it("adds the safe zone as a hidden layer of translucent rectangles over the unsafe insets, never in the image", async () => {
    const figma = new FakeFigma();
    await placeImages(figma, social([STORY, TIKTOK]));
    const [story, tiktok] = figma.page.children.map(frame);
    const layer = frame(story!.children[1]);
    expect(box(layer)).toEqual({ name: SAFE_ZONE_NAME, x: 0, y: 0, width: 1080, height: 1920 });
    expect(layer.visible).toBe(false);
    expect(layer.fills).toEqual([]);
    expect(layer.children.map((c) => box(rect(c)))).toEqual([
      { name: "Unsafe top", x: 0, y: 0, width: 1080, height: 250 },
      { name: "Unsafe bottom", x: 0, y: 1920 - 340, width: 1080, height: 340 },
    ]);
    const paint = rect(layer.children[0]).fills as readonly SolidPaint[];
    expect(paint[0]!.type).toBe("SOLID");
    expect(paint[0]!.opacity).toBeLessThan(1);
    expect(frame(tiktok!.children[1]).children.map((c) => box(rect(c)))).toEqual([
      { name: "Unsafe top", x: 0, y: 0, width: 1080, height: 150 },
      { name: "Unsafe bottom", x: 0, y: 1520, width: 1080, height: 400 },
      { name: "Unsafe left", x: 0, y: 150, width: 60, height: 1370 },
      { name: "Unsafe right", x: 1080 - 120, y: 150, width: 120, height: 1370 },
    ]);
    // The image itself is untouched: one IMAGE fill, the job's bytes.
    expect(rect(story!.children[0]).fills).toHaveLength(1);
  });

  it("tags each frame and its image with the provenance, the format and the placed fill's hash", async () => {
    const figma = new FakeFigma();
    await placeImages(figma, social([STORY, SQUARE]));
    const [story, square] = figma.page.children.map(frame);
    expect(Object.fromEntries(story!.pluginData)).toEqual({ jobId: "job-s", assetId: "ast-0", prompt: "", operation: "social", spec, format: "instagram-story" });
    expect(story!.relaunchData).toEqual({ regenerate: "social" });
    expect(square!.getPluginData("assetId")).toBe("ast-1");
    expect(Object.fromEntries(rect(story!.children[0]).pluginData)).toMatchObject({ jobId: "job-s", assetId: "ast-0", operation: "social", imageHash: "hash-1" });
  });

  it("selects the frames, scrolls to them and commits the whole job as one undo step", async () => {
    const figma = new FakeFigma();
    const ids = await placeImages(figma, social([STORY, SQUARE, TIKTOK, LINKEDIN]));
    expect(ids).toHaveLength(4);
    expect(figma.selectionNow.map((n) => n.id)).toEqual(ids);
    expect(figma.scrolledTo.map((n) => n.id)).toEqual(ids);
    expect(figma.undoCommits).toBe(1);
  });

  it("lays many formats out in a grid rather than one long row", async () => {
    const figma = new FakeFigma("", { x: 0, y: 0 });
    await placeImages(figma, social([STORY, SQUARE, TIKTOK, LINKEDIN]));
    const frames = figma.page.children.map(frame);
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

  it("places more than ten formats in one message", async () => {
    const figma = new FakeFigma();
    const many = Array.from({ length: 15 }, (_, i) => ({ ...SQUARE, name: `Format ${i}` }));
    expect(await placeImages(figma, social(many))).toHaveLength(15);
    expect(figma.undoCommits).toBe(1);
  });

  it("names the asset when its image is selected again, until the fill changes", async () => {
    const figma = new FakeFigma();
    await placeImages(figma, social([SQUARE]));
    const image = rect(frame(figma.page.children[0]).children[0]);
    // The typed fake selects only FakeNodes: stand in for the placed image with one carrying its data and fill.
    const node = new FakeNode({ type: "RECTANGLE", width: 1080, height: 1080, parent: figma.page, fills: image.fills });
    for (const [k, v] of image.pluginData) node.setPluginData(k, v);
    figma.select([node]);
    expect((await summarizeSelection(figma)).image?.assetId).toBe("ast-0");
  });
});

describe("gridLayout", () => {
  it("rows of the given columns, each row as tall as its tallest image", () => {
    expect(gridLayout([{ width: 10, height: 10 }, { width: 20, height: 30 }, { width: 5, height: 5 }], 2)).toEqual({
      positions: [{ x: 0, y: 0 }, { x: 10 + GAP, y: 0 }, { x: 0, y: 30 + GAP }],
      width: 30 + GAP,
      height: 30 + GAP + 5,
    });
  });
});
