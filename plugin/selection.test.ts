import { describe, expect, it } from "vitest";
import { FAKE_MIXED, FakeFigma, FakeNode, imageNode } from "./testing/fake-figma.ts";
import { selectionFeed, summarizeSelection } from "./selection.ts";
import { solidPng } from "./testing/png-encode.ts";

describe("summarizeSelection", () => {
  it("reports id, name, type, size and whether a visible image fill is present", async () => {
    const figma = new FakeFigma();
    const photo = new FakeNode({ name: "Photo", type: "RECTANGLE", width: 640, height: 480, fills: [{ type: "IMAGE", imageHash: "h", scaleMode: "FILL" }] });
    const hidden = new FakeNode({ name: "Hidden", type: "RECTANGLE", fills: [{ type: "IMAGE", imageHash: "h", scaleMode: "FILL", visible: false }] });
    const text = new FakeNode({ name: "Title", type: "TEXT", fills: FAKE_MIXED });
    const group = new FakeNode({ name: "Group", type: "GROUP" });
    figma.select([photo, hidden, text, group]);
    expect(await summarizeSelection(figma)).toEqual({
      items: [
        { id: photo.id, name: "Photo", type: "RECTANGLE", width: 640, height: 480, hasImage: true },
        { id: hidden.id, name: "Hidden", type: "RECTANGLE", width: 100, height: 100, hasImage: false },
        { id: text.id, name: "Title", type: "TEXT", width: 100, height: 100, hasImage: false },
        { id: group.id, name: "Group", type: "GROUP", width: 100, height: 100, hasImage: false },
      ],
      problem: "Select the image and one shape drawn over it",
    });
  });

  it("is empty with nothing selected", async () => {
    expect(await summarizeSelection(new FakeFigma())).toEqual({ items: [] });
  });
});

describe("the image an edit or upscale works on", () => {
  const image = async (figma: FakeFigma) => {
    const s = await summarizeSelection(figma);
    return s.image ?? s.problem;
  };

  it("is an image fill's original pixel size, not the layer's size on the canvas", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 1536, height: 1024 }, { width: 300, height: 200 });
    figma.select([photo]);
    expect(await image(figma)).toEqual({ id: photo.id, name: "Photo", width: 1536, height: 1024, source: "fill" });
  });

  it("is a frame rendered at 1x, scaled down to fit 4096 px", async () => {
    const figma = new FakeFigma();
    const card = new FakeNode({ name: "Card", type: "FRAME", width: 400.4, height: 299.6 });
    figma.select([card]);
    expect(await image(figma)).toEqual({ id: card.id, name: "Card", width: 400, height: 300, source: "render" });
    const poster = new FakeNode({ name: "Poster", type: "FRAME", width: 8192, height: 6000 });
    figma.select([poster]);
    expect(await image(figma)).toMatchObject({ width: 4096, height: 3000, source: "render" });
  });

  it("renders a fill whose image Figma cannot read", async () => {
    const figma = new FakeFigma();
    const photo = new FakeNode({ type: "RECTANGLE", width: 120, height: 80, fills: [{ type: "IMAGE", imageHash: "missing", scaleMode: "FILL" }] });
    figma.select([photo]);
    expect(await image(figma)).toMatchObject({ width: 120, height: 80, source: "render" });
  });

  it("names the shape drawn over the image as the mask", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 800, height: 600 });
    const blob = new FakeNode({ name: "Blob", type: "ELLIPSE", x: 100, y: 100, width: 50, height: 50 });
    figma.select([blob, photo]);
    expect(await image(figma)).toEqual({ id: photo.id, name: "Photo", width: 800, height: 600, source: "fill", maskShape: { id: blob.id, name: "Blob" } });
  });

  it("prefers the image fill over a frame when both are selected", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 800, height: 600 });
    const shape = new FakeNode({ type: "RECTANGLE", x: 10, y: 10, width: 20, height: 20, fills: [{ type: "SOLID", color: { r: 1, g: 0, b: 0 } }] });
    figma.select([photo, shape]);
    expect(await image(figma)).toMatchObject({ id: photo.id, maskShape: { id: shape.id } });
  });

  it.each([
    ["a lone text layer", () => [new FakeNode({ type: "TEXT" })], "Select an image, or a frame to use as one"],
    ["two images", (f: FakeFigma) => [imageNode(f, { width: 64, height: 64 }), imageNode(f, { width: 64, height: 64 })], "Select one image (and, for a mask, one shape drawn over it)"],
    ["two frames", () => [new FakeNode(), new FakeNode()], "Select one image (and, for a mask, one shape drawn over it)"],
    ["an image and two shapes", (f: FakeFigma) => [imageNode(f, { width: 64, height: 64 }), new FakeNode({ type: "ELLIPSE" }), new FakeNode({ type: "ELLIPSE" })], "Select the image and one shape drawn over it"],
    ["an image and a text", (f: FakeFigma) => [imageNode(f, { width: 64, height: 64 }), new FakeNode({ type: "TEXT" })], "Select the image and one shape drawn over it"],
    ["a shape beside the image", (f: FakeFigma) => [imageNode(f, { width: 64, height: 64 }), new FakeNode({ name: "Oval", type: "ELLIPSE", x: 64, y: 0, width: 10, height: 10 })], "The shape “Oval” must be drawn over the image"],
  ])("says what is wrong with %s", async (_label, nodes, problem) => {
    const figma = new FakeFigma();
    figma.select(nodes(figma));
    const s = await summarizeSelection(figma);
    expect(s.problem).toBe(problem);
    expect(s.image).toBeUndefined();
  });
});

describe("the asset a selected image came from", () => {
  const placed = (figma: FakeFigma, data: Record<string, string>) => {
    const photo = imageNode(figma, { width: 512, height: 512 });
    for (const [k, v] of Object.entries(data)) photo.setPluginData(k, v);
    figma.select([photo]);
    return photo;
  };

  it("is named when the node was placed by this plugin and still holds the placed fill", async () => {
    const figma = new FakeFigma();
    const photo = placed(figma, { assetId: "ast_abcdefghij", imageHash: "hash-1" });
    expect((await summarizeSelection(figma)).image).toEqual({ id: photo.id, name: "Photo", width: 512, height: 512, source: "fill", assetId: "ast_abcdefghij" });
  });

  it("is absent once the fill was replaced by another image", async () => {
    const figma = new FakeFigma();
    const photo = placed(figma, { assetId: "ast_abcdefghij", imageHash: "hash-1" });
    const other = figma.addImage(solidPng(64, 64));
    photo.fills = [{ type: "IMAGE", imageHash: other, scaleMode: "FILL" }];
    const image = (await summarizeSelection(figma)).image;
    expect(image).toMatchObject({ id: photo.id, width: 64, height: 64 });
    expect(image).not.toHaveProperty("assetId");
  });

  it("is absent for nodes placed before the hash was kept, nodes of no asset, and rendered frames", async () => {
    const figma = new FakeFigma();
    placed(figma, { assetId: "ast_abcdefghij" });
    expect((await summarizeSelection(figma)).image).not.toHaveProperty("assetId");
    placed(figma, { imageHash: "hash-2" });
    expect((await summarizeSelection(figma)).image).not.toHaveProperty("assetId");
    const card = new FakeNode({ name: "Card", type: "FRAME" });
    card.setPluginData("assetId", "ast_abcdefghij");
    figma.select([card]);
    expect((await summarizeSelection(figma)).image).not.toHaveProperty("assetId");
  });

  it("follows a placed result whose fill an edit replaced: the new asset, with the new hash", async () => {
    const figma = new FakeFigma();
    const photo = placed(figma, { assetId: "ast_abcdefghij", imageHash: "hash-1" });
    const { placeImages } = await import("./placement.ts");
    await placeImages(figma, {
      type: "place-images",
      requestId: "r",
      name: "Photo · Erase",
      images: [{ bytes: solidPng(512, 512), width: 512, height: 512, assetId: "ast_klmnopqrst" }],
      provenance: { jobId: "job-2", operation: "edit" },
      source: { nodeId: photo.id, replace: true },
    });
    figma.select([photo]);
    expect((await summarizeSelection(figma)).image?.assetId).toBe("ast_klmnopqrst");
  });
});

describe("selectionFeed", () => {
  it("posts the latest selection only, even when an older summary finishes last", async () => {
    const figma = new FakeFigma();
    const slow = imageNode(figma, { width: 100, height: 100 });
    const fast = new FakeNode({ name: "Card" });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stored = figma.getImageByHash.bind(figma);
    figma.getImageByHash = (hash) => {
      const image = stored(hash);
      return image && { ...image, getSizeAsync: async () => (await gate, image.getSizeAsync()) };
    };
    const feed = selectionFeed(figma);
    figma.select([slow]);
    const first = feed();
    figma.select([fast]);
    await feed();
    release();
    await first;
    expect(figma.posted).toHaveLength(1);
    expect(figma.posted[0]).toMatchObject({ type: "selection", selection: { image: { id: fast.id } } });
  });
});
