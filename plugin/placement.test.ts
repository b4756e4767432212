import { describe, expect, it } from "vitest";
import { FakeFigma, FakeNode, FakeParent, FakeRectangle, fakePng } from "./testing/fake-figma.ts";
import { GAP, placeImages, type PlaceImagesRequest } from "./placement.ts";

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
  it("places the image beside the selected node, in the same parent", () => {
    const figma = new FakeFigma();
    const frame = new FakeParent("FRAME", "NONE");
    figma.select([new FakeNode({ parent: frame, x: 100, y: 50, width: 200, height: 120 })]);

    const [id] = placeImages(figma, request([{ width: 1024, height: 768 }]));

    const node = rect(figma.created[0]);
    expect(node.id).toBe(id);
    expect(node.parent).toBe(frame);
    expect(frame.children).toEqual([node]);
    expect({ x: node.x, y: node.y, width: node.width, height: node.height }).toEqual({ x: 100 + 200 + GAP, y: 50, width: 1024, height: 768 });
    expect(node.fills).toEqual([{ type: "IMAGE", imageHash: "hash-1", scaleMode: "FILL" }]);
  });

  it("goes right of the rightmost selected sibling, level with the topmost", () => {
    const figma = new FakeFigma();
    const page = figma.page;
    figma.select([
      new FakeNode({ parent: page, x: 0, y: 30, width: 100, height: 100 }),
      new FakeNode({ parent: page, x: 500, y: 10, width: 50, height: 50 }),
    ]);
    placeImages(figma, request([{ width: 64, height: 64 }]));
    const node = rect(figma.created[0]);
    expect([node.x, node.y]).toEqual([550 + GAP, 10]);
    expect(node.parent).toBe(page);
  });

  it("centres the row on the viewport when nothing is selected", () => {
    const figma = new FakeFigma("", { x: 1000, y: 500 });
    placeImages(figma, request([{ width: 200, height: 100 }]));
    const node = rect(figma.created[0]);
    expect(node.parent).toBe(figma.page);
    expect([node.x, node.y]).toEqual([900, 450]);
  });

  it("lays variations out in a row with a gap, named by number", () => {
    const figma = new FakeFigma("", { x: 0, y: 0 });
    placeImages(figma, request([{ width: 100, height: 100 }, { width: 100, height: 100 }, { width: 100, height: 100 }]));
    const nodes = figma.created.map(rect);
    const rowWidth = 300 + 2 * GAP;
    expect(nodes.map((n) => n.x)).toEqual([-rowWidth / 2, -rowWidth / 2 + 100 + GAP, -rowWidth / 2 + 200 + 2 * GAP]);
    expect(new Set(nodes.map((n) => n.y))).toEqual(new Set([-50]));
    expect(nodes.map((n) => n.name)).toEqual(["a red fox 1", "a red fox 2", "a red fox 3"]);
  });

  it("keeps provenance as plugin data and sets the Regenerate relaunch data", () => {
    const figma = new FakeFigma();
    placeImages(figma, request([{ width: 100, height: 100 }, { width: 100, height: 100 }]));
    const [first, second] = figma.created.map(rect);
    expect(Object.fromEntries(first!.pluginData)).toEqual({
      jobId: "job-1",
      assetId: "asset-0",
      prompt: "a red fox",
      operation: "create",
      spec: JSON.stringify({ operation: "create", prompt: "a red fox" }),
    });
    expect(second!.getPluginData("assetId")).toBe("asset-1");
    expect(first!.relaunchData).toEqual({ regenerate: "a red fox" });
  });

  it("shortens a long prompt in the relaunch description but keeps it whole in plugin data", () => {
    const figma = new FakeFigma();
    const prompt = "x".repeat(300);
    placeImages(figma, request([{ width: 100, height: 100 }], prompt));
    const node = rect(figma.created[0]);
    expect(node.relaunchData.regenerate).toHaveLength(100);
    expect(node.getPluginData("prompt")).toBe(prompt);
  });

  it("selects the new nodes, scrolls to them and commits one undo step per job", () => {
    const figma = new FakeFigma();
    figma.select([new FakeNode({ parent: figma.page })]);
    const ids = placeImages(figma, request([{ width: 100, height: 100 }, { width: 100, height: 100 }]));
    expect(figma.selectionNow.map((n) => n.id)).toEqual(ids);
    expect(figma.scrolledTo.map((n) => n.id)).toEqual(ids);
    expect(figma.undoCommits).toBe(1);
  });

  it("places beside an auto-layout child on the page instead of reflowing the frame", () => {
    const figma = new FakeFigma();
    const autoLayout = new FakeParent("FRAME", "HORIZONTAL");
    figma.select([
      new FakeNode({ parent: autoLayout, x: 10, y: 10, width: 100, height: 100, absoluteBoundingBox: { x: 510, y: 210, width: 100, height: 100 } }),
    ]);
    placeImages(figma, request([{ width: 64, height: 64 }]));
    const node = rect(figma.created[0]);
    expect(node.parent).toBe(figma.page);
    expect(autoLayout.children).toEqual([]);
    expect([node.x, node.y]).toEqual([610 + GAP, 210]);
  });

  it("creates nothing when Figma rejects one of the images", () => {
    const figma = new FakeFigma();
    const req = request([{ width: 100, height: 100 }, { width: 100, height: 100 }]);
    req.images[1]!.bytes = new Uint8Array([1, 2, 3]);
    expect(() => placeImages(figma, req)).toThrow(/unsupported/);
    expect(figma.created).toEqual([]);
    expect(figma.undoCommits).toBe(0);
  });
});
