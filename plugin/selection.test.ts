import { describe, expect, it } from "vitest";
import { placeImages } from "./placement.ts";
import { selectionFeed, summarizeSelection } from "./selection.ts";
import { solidPng, type FakeFigma } from "./testing/fake-figma/index.ts";
import { fakePort } from "./testing/fake-port.ts";
import { select } from "./testing/scene.ts";

/** A rectangle showing a `pixels`-sized PNG, shown at `shown` on the canvas (its pixel size by default). */
async function photo(fake: FakeFigma, pixels: { width: number; height: number }, shown = pixels, name = "Photo") {
  const node = await fake.placeImage(solidPng(pixels.width, pixels.height), { name });
  node.resize(shown.width, shown.height);
  return node;
}

function shape(fake: FakeFigma, box: Rect, name = "Shape", kind: "rect" | "ellipse" = "ellipse") {
  const node = kind === "rect" ? fake.figma.createRectangle() : fake.figma.createEllipse();
  node.name = name;
  node.resize(box.width, box.height);
  node.x = box.x;
  node.y = box.y;
  return node;
}

describe("summarizeSelection", () => {
  it("reports id, name, type, size and whether a visible image fill is present", async () => {
    const { fake, port } = fakePort();
    const image = await photo(fake, { width: 640, height: 480 });
    const hidden = await photo(fake, { width: 32, height: 32 }, { width: 100, height: 100 }, "Hidden");
    hidden.fills = hidden.fills.map((p) => ({ ...p, visible: false }));
    const dot = shape(fake, { x: 0, y: 0, width: 100, height: 100 }, "Dot");
    const inner = shape(fake, { x: 900, y: 900, width: 50, height: 40 });
    const group = fake.figma.group([inner], fake.figma.currentPage);
    select(fake, [image, hidden, dot, group]);
    expect(await summarizeSelection(port)).toEqual({
      items: [
        { id: image.id, name: "Photo", type: "RECTANGLE", width: 640, height: 480, hasImage: true },
        { id: hidden.id, name: "Hidden", type: "RECTANGLE", width: 100, height: 100, hasImage: false },
        { id: dot.id, name: "Dot", type: "ELLIPSE", width: 100, height: 100, hasImage: false },
        { id: group.id, name: "Group", type: "GROUP", width: 50, height: 40, hasImage: false },
      ],
      problem: "Select the image and one shape drawn over it",
    });
  });

  it("is empty with nothing selected", async () => {
    expect(await summarizeSelection(fakePort().port)).toEqual({ items: [] });
  });
});

describe("the image an edit or upscale works on", () => {
  const image = async (port: ReturnType<typeof fakePort>["port"]) => {
    const s = await summarizeSelection(port);
    return s.image ?? s.problem;
  };

  it("is an image fill's original pixel size, not the layer's size on the canvas", async () => {
    const { fake, port } = fakePort();
    const node = await photo(fake, { width: 1536, height: 1024 }, { width: 300, height: 200 });
    select(fake, [node]);
    expect(await image(port)).toEqual({ id: node.id, name: "Photo", width: 1536, height: 1024, source: "fill" });
  });

  it("is a frame rendered at 1x, scaled down to fit 4096 px", async () => {
    const { fake, port } = fakePort();
    const card = fake.figma.createFrame();
    card.name = "Card";
    card.resize(400.4, 299.6);
    select(fake, [card]);
    expect(await image(port)).toEqual({ id: card.id, name: "Card", width: 400, height: 300, source: "render" });
    const poster = fake.figma.createFrame();
    poster.resize(8192, 6000);
    select(fake, [poster]);
    expect(await image(port)).toMatchObject({ width: 4096, height: 3000, source: "render" });
  });

  it("is a turned frame's size as the canvas shows it: its axis-aligned bounds", async () => {
    const { fake, port } = fakePort();
    const card = fake.figma.createFrame();
    card.resize(300, 100);
    card.rotation = 90;
    select(fake, [card]);
    expect(await image(port)).toMatchObject({ width: 100, height: 300, source: "render" });
  });

  it("renders a fill whose image Figma does not hold", async () => {
    const { fake, port } = fakePort();
    const node = fake.figma.createRectangle();
    node.resize(120, 80);
    node.fills = [{ type: "IMAGE", imageHash: "0".repeat(40), scaleMode: "FILL" }];
    select(fake, [node]);
    expect(await image(port)).toMatchObject({ width: 120, height: 80, source: "render" });
  });

  it("names the shape drawn over the image as the mask", async () => {
    const { fake, port } = fakePort();
    const node = await photo(fake, { width: 800, height: 600 });
    const blob = shape(fake, { x: 100, y: 100, width: 50, height: 50 }, "Blob");
    select(fake, [blob, node]);
    expect(await image(port)).toEqual({ id: node.id, name: "Photo", width: 800, height: 600, source: "fill", maskShape: { id: blob.id, name: "Blob" } });
  });

  it("prefers the image fill over a frame when both are selected", async () => {
    const { fake, port } = fakePort();
    const node = await photo(fake, { width: 800, height: 600 });
    const box = shape(fake, { x: 10, y: 10, width: 20, height: 20 }, "Box", "rect");
    select(fake, [node, box]);
    expect(await image(port)).toMatchObject({ id: node.id, maskShape: { id: box.id } });
  });

  const frame = (fake: FakeFigma) => fake.figma.createFrame();
  it.each([
    ["a lone shape", async (f: FakeFigma) => [shape(f, { x: 0, y: 0, width: 10, height: 10 })], "Select an image, or a frame to use as one"],
    ["two shapes", async (f: FakeFigma) => [shape(f, { x: 0, y: 0, width: 9, height: 9 }), shape(f, { x: 0, y: 0, width: 9, height: 9 })], "Select one or more images (and, for a mask, one shape drawn over each)"],
    [
      "an image and two shapes",
      async (f: FakeFigma) => [await photo(f, { width: 64, height: 64 }), shape(f, { x: 0, y: 0, width: 9, height: 9 }), shape(f, { x: 0, y: 0, width: 9, height: 9 })],
      "Select the image and one shape drawn over it",
    ],
    ["an image and a frame", async (f: FakeFigma) => [await photo(f, { width: 64, height: 64 }), frame(f)], "Select the image and one shape drawn over it"],
    ["a shape beside the image", async (f: FakeFigma) => [await photo(f, { width: 64, height: 64 }), shape(f, { x: 64, y: 0, width: 10, height: 10 }, "Oval")], "The shape “Oval” must be drawn over the image"],
  ])("says what is wrong with %s", async (_label, nodes, problem) => {
    const { fake, port } = fakePort();
    select(fake, await nodes(fake));
    const s = await summarizeSelection(port);
    expect(s.problem).toBe(problem);
    expect(s.image).toBeUndefined();
  });
});

describe("the images a batch works on", () => {
  /** Photos in a row, 200 px apart, each 100 x 100 on the canvas. */
  async function row(fake: FakeFigma, n: number) {
    const nodes = [];
    for (let i = 0; i < n; i++) {
      const node = await photo(fake, { width: 64 * (i + 1), height: 64 }, { width: 100, height: 100 }, `Photo ${i + 1}`);
      node.x = i * 200;
      nodes.push(node);
    }
    return nodes;
  }

  it("lists every selected image in selection order at its own pixel size, with no single image", async () => {
    const { fake, port } = fakePort();
    const [a, b, c] = await row(fake, 3);
    select(fake, [c!, a!, b!]);
    const s = await summarizeSelection(port);
    expect(s.image).toBeUndefined();
    expect(s.problem).toBeUndefined();
    expect(s.images).toEqual([
      { id: c!.id, name: "Photo 3", width: 192, height: 64, source: "fill" },
      { id: a!.id, name: "Photo 1", width: 64, height: 64, source: "fill" },
      { id: b!.id, name: "Photo 2", width: 128, height: 64, source: "fill" },
    ]);
  });

  it("gives each image the shape drawn over it, and none to an image without one", async () => {
    const { fake, port } = fakePort();
    const [a, b, c] = await row(fake, 3);
    const overA = shape(fake, { x: 10, y: 10, width: 20, height: 20 }, "Over 1");
    const overC = shape(fake, { x: 410, y: 50, width: 20, height: 20 }, "Over 3");
    select(fake, [overC, a!, b!, c!, overA]);
    const images = (await summarizeSelection(port)).images!;
    expect(images.map((i) => [i.name, i.maskShape?.name])).toEqual([
      ["Photo 1", "Over 1"],
      ["Photo 2", undefined],
      ["Photo 3", "Over 3"],
    ]);
  });

  it("is one image, also as `image`, when one is selected", async () => {
    const { fake, port } = fakePort();
    const [a] = await row(fake, 1);
    select(fake, [a!]);
    const s = await summarizeSelection(port);
    expect(s.images).toEqual([s.image]);
  });

  it("lists frames when no image fill is selected", async () => {
    const { fake, port } = fakePort();
    const one = fake.figma.createFrame();
    const two = fake.figma.createFrame();
    two.x = 300;
    select(fake, [one, two]);
    expect((await summarizeSelection(port)).images?.map((i) => i.id)).toEqual([one.id, two.id]);
  });

  it.each([
    ["a shape over two images", (f: FakeFigma) => [shape(f, { x: 50, y: 0, width: 200, height: 50 }, "Wide")], "The shape “Wide” is drawn over more than one image: draw one shape over each"],
    ["two shapes over one image", (f: FakeFigma) => [shape(f, { x: 0, y: 0, width: 9, height: 9 }, "A"), shape(f, { x: 20, y: 20, width: 9, height: 9 }, "B")], "“Photo 1” has more than one shape drawn over it"],
    ["a shape over none", (f: FakeFigma) => [shape(f, { x: 0, y: 900, width: 9, height: 9 }, "Stray")], "The shape “Stray” must be drawn over one of the images"],
    ["a frame with the images", (f: FakeFigma) => [f.figma.createFrame()], "Select one or more images (and, for a mask, one shape drawn over each)"],
  ])("says what is wrong with %s", async (_label, extra, problem) => {
    const { fake, port } = fakePort();
    const images = await row(fake, 2);
    select(fake, [...images, ...extra(fake)]);
    const s = await summarizeSelection(port);
    expect(s.problem).toBe(problem);
    expect(s.images).toBeUndefined();
  });

  it("refuses more images than a batch may hold, before reading any size", async () => {
    const { fake, port } = fakePort();
    const frames = Array.from({ length: 101 }, () => fake.figma.createFrame());
    select(fake, frames);
    expect((await summarizeSelection(port)).problem).toBe("Select at most 100 images at once");
  });
});

describe("the asset a selected image came from", () => {
  async function placed(fake: FakeFigma, data: (hash: string) => Record<string, string>) {
    const node = await photo(fake, { width: 512, height: 512 });
    const hash = (node.fills[0] as ImagePaint).imageHash!;
    for (const [k, v] of Object.entries(data(hash))) node.setPluginData(k, v);
    select(fake, [node]);
    return node;
  }

  it("is named when the node was placed by this plugin and still holds the placed fill", async () => {
    const { fake, port } = fakePort();
    const node = await placed(fake, (imageHash) => ({ assetId: "ast_abcdefghij", imageHash }));
    expect((await summarizeSelection(port)).image).toEqual({ id: node.id, name: "Photo", width: 512, height: 512, source: "fill", assetId: "ast_abcdefghij" });
  });

  it("is absent once the fill was replaced by another image", async () => {
    const { fake, port } = fakePort();
    const node = await placed(fake, (imageHash) => ({ assetId: "ast_abcdefghij", imageHash }));
    const other = fake.figma.createImage(solidPng(64, 64, [1, 2, 3, 255]));
    node.fills = [{ type: "IMAGE", imageHash: other.hash, scaleMode: "FILL" }];
    const image = (await summarizeSelection(port)).image;
    expect(image).toMatchObject({ id: node.id, width: 64, height: 64 });
    expect(image).not.toHaveProperty("assetId");
  });

  it("is absent for nodes placed before the hash was kept, nodes of no asset, and rendered frames", async () => {
    const { fake, port } = fakePort();
    await placed(fake, () => ({ assetId: "ast_abcdefghij" }));
    expect((await summarizeSelection(port)).image).not.toHaveProperty("assetId");
    await placed(fake, (imageHash) => ({ imageHash }));
    expect((await summarizeSelection(port)).image).not.toHaveProperty("assetId");
    const card = fake.figma.createFrame();
    card.setPluginData("assetId", "ast_abcdefghij");
    select(fake, [card]);
    expect((await summarizeSelection(port)).image).not.toHaveProperty("assetId");
  });

  it("follows a placed result whose fill an edit replaced: the new asset, with the new hash", async () => {
    const { fake, port } = fakePort();
    const node = await placed(fake, (imageHash) => ({ assetId: "ast_abcdefghij", imageHash }));
    const { hash } = port.createImage(solidPng(512, 512, [9, 9, 9, 255]));
    await placeImages(port, {
      name: "Photo · Erase",
      images: [{ hash, width: 512, height: 512, assetId: "ast_klmnopqrst" }],
      provenance: { jobId: "job-2", operation: "edit" },
      source: { nodeId: node.id, replace: true },
    });
    select(fake, [node]);
    expect((await summarizeSelection(port)).image?.assetId).toBe("ast_klmnopqrst");
  });
});

describe("selectionFeed", () => {
  it("posts the latest selection only, even when an older summary finishes last", async () => {
    const { fake, port } = fakePort();
    const slow = await photo(fake, { width: 100, height: 100 });
    const fast = fake.figma.createFrame();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stored = port.getImageByHash;
    port.getImageByHash = (hash) => {
      const image = stored(hash);
      return image && { hash: image.hash, getBytesAsync: () => image.getBytesAsync(), getSizeAsync: async () => (await gate, image.getSizeAsync()) };
    };
    const feed = selectionFeed(port);
    select(fake, [slow]);
    const first = feed();
    select(fake, [fast]);
    await feed();
    release();
    await first;
    expect(fake.posted).toHaveLength(1);
    expect(fake.posted[0]).toMatchObject({ type: "selection", selection: { image: { id: fast.id } } });
  });
});
