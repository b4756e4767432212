import { describe, expect, it } from "vitest";
import type { FigmaPort } from "./figma-port.ts";
import { GAP } from "./placement-target.ts";
import { gridLayout, placeImages, type PlaceRequest } from "./placement.ts";
import { relaunchProvenance } from "./relaunch.ts";
import { fakePort, pluginData } from "./testing/fake-port.ts";
import { box, frame, ids, photo, placed, receive, rect, request, select, shownWhole } from "./testing/scene.ts";

const hashOf = (node: { fills: readonly Paint[] }) => (node.fills[0] as ImagePaint).imageHash;

describe("placeImages", () => {
  it("places the image beside the selected node, in the same parent, at the image's own size", async () => {
    const { fake, port } = fakePort();
    const board = frame(fake, "Board", { x: 1000, y: 500, width: 3000, height: 2000 });
    const card = rect(fake, { x: 100, y: 50, width: 200, height: 120 }, board);
    select(fake, [card]);
    const req = request(port, [{ width: 1024, height: 768 }]);

    const { nodeIds, page } = await placeImages(port, req);

    const node = placed(fake, nodeIds[0]!);
    expect(page).toBeUndefined();
    expect(node.parent?.id).toBe(board.id);
    expect(ids(board.children)).toEqual(ids([card, node]));
    expect(box(node)).toEqual({ x: 100 + 200 + GAP, y: 50, width: 1024, height: 768 });
    expect(node.fills).toEqual([{ type: "IMAGE", imageHash: req.images[0]!.hash, scaleMode: "FILL" }]);
    expect(shownWhole(node)).toBe(true);
  });

  it("goes right of the rightmost selected sibling, level with the topmost", async () => {
    const { fake, port } = fakePort();
    select(fake, [rect(fake, { x: 0, y: 30, width: 100, height: 100 }), rect(fake, { x: 500, y: 10, width: 50, height: 50 })]);
    const { nodeIds } = await placeImages(port, request(port, [{ width: 64, height: 64 }]));
    const node = placed(fake, nodeIds[0]!);
    expect([node.x, node.y]).toEqual([550 + GAP, 10]);
    expect(node.parent?.id).toBe(fake.currentPage.id);
  });

  it("centres the row on the viewport when nothing is selected", async () => {
    const { fake, port } = fakePort({ viewportCenter: { x: 1000, y: 500 } });
    const { nodeIds } = await placeImages(port, request(port, [{ width: 200, height: 100 }]));
    const node = placed(fake, nodeIds[0]!);
    expect(node.parent?.id).toBe(fake.currentPage.id);
    expect([node.x, node.y]).toEqual([900, 450]);
  });

  it("lays variations out in a row with a gap, named by number", async () => {
    const { fake, port } = fakePort();
    const { nodeIds } = await placeImages(port, request(port, [{ width: 100, height: 100 }, { width: 100, height: 100 }, { width: 100, height: 100 }]));
    const nodes = nodeIds.map((id) => placed(fake, id));
    const rowWidth = 300 + 2 * GAP;
    expect(nodes.map((n) => n.x)).toEqual([-rowWidth / 2, -rowWidth / 2 + 100 + GAP, -rowWidth / 2 + 200 + 2 * GAP]);
    expect(new Set(nodes.map((n) => n.y))).toEqual(new Set([-50]));
    expect(nodes.map((n) => n.name)).toEqual(["a red fox 1", "a red fox 2", "a red fox 3"]);
  });

  it("keeps provenance as plugin data and sets the Regenerate relaunch data", async () => {
    const { fake, port } = fakePort();
    const req = request(port, [{ width: 100, height: 100 }, { width: 100, height: 100 }]);
    const { nodeIds } = await placeImages(port, req);
    const [first, second] = nodeIds.map((id) => placed(fake, id));
    expect(pluginData(first!)).toEqual({
      jobId: "job-1",
      assetId: "asset-0",
      prompt: "a red fox",
      operation: "create",
      spec: JSON.stringify({ operation: "create", prompt: "a red fox" }),
      imageHash: req.images[0]!.hash,
    });
    expect(pluginData(second!)).toMatchObject({ assetId: "asset-1", imageHash: req.images[1]!.hash });
    expect(first!.getRelaunchData()).toEqual({ regenerate: "a red fox" });
  });

  it("shortens a long prompt in the relaunch description but keeps it whole in plugin data", async () => {
    const { fake, port } = fakePort();
    const prompt = "x".repeat(300);
    const { nodeIds } = await placeImages(port, request(port, [{ width: 100, height: 100 }], prompt));
    const node = placed(fake, nodeIds[0]!);
    expect(node.getRelaunchData().regenerate).toHaveLength(100);
    expect(node.getPluginData("prompt")).toBe(prompt);
  });

  it("selects the new nodes, scrolls to them and makes each placement one undo step", async () => {
    const { fake, port } = fakePort();
    select(fake, [rect(fake, { x: 0, y: 0, width: 100, height: 100 })]);
    fake.clearRecords();
    const first = await placeImages(port, request(port, [{ width: 100, height: 100 }, { width: 100, height: 100 }]));
    expect(ids(fake.currentPage.selection)).toEqual(first.nodeIds);
    expect(fake.scrolledTo).toEqual([first.nodeIds]);
    expect(fake.undo.steps).toHaveLength(1);
    expect(fake.undo.steps[0]!.created).toEqual(expect.arrayContaining(first.nodeIds));

    const second = await placeImages(port, request(port, [{ width: 100, height: 100 }]));
    // Cmd+Z takes back the second job only, whole.
    expect(fake.undo.steps).toHaveLength(2);
    expect(fake.undo.steps[1]!.created).toEqual(second.nodeIds);
    expect(fake.undo.pending()).toEqual({ created: [], changed: [], removed: [] });
  });

  it("places beside an auto-layout child on the page instead of reflowing the frame", async () => {
    const { fake, port } = fakePort();
    const row = frame(fake, "Row", { x: 500, y: 200, width: 400, height: 400 });
    const child = rect(fake, { x: 10, y: 10, width: 100, height: 100 }, row);
    row.layoutMode = "HORIZONTAL";
    select(fake, [child]);
    const { nodeIds } = await placeImages(port, request(port, [{ width: 64, height: 64 }]));
    const node = placed(fake, nodeIds[0]!);
    expect(node.parent?.id).toBe(fake.currentPage.id);
    expect(ids(row.children)).toEqual(ids([child]));
    expect([node.x, node.y]).toEqual([610 + GAP, 210]);
  });

  it("leaves nothing behind and commits nothing when Figma refuses something halfway", async () => {
    const { fake, port } = fakePort();
    const anchor = rect(fake, { x: 0, y: 0, width: 10, height: 10 });
    select(fake, [anchor]);
    fake.clearRecords();
    const req = request(port, [{ width: 100, height: 100 }, { width: 100, height: 100 }]);
    // The second image's fill is refused after the first image is placed and tagged.
    const images = [req.images[0]!, { ...req.images[1]!, hash: "not-a-sha1" }];
    await expect(placeImages(port, { ...req, images })).rejects.toThrow("Invalid SHA1 hash");
    expect(ids(fake.currentPage.children)).toEqual(ids([anchor]));
    expect(fake.undo.pending().created.length).toBeGreaterThan(0);
    expect(fake.undo.pending().created.every((id) => fake.node(id)!.removed)).toBe(true);
    expect(fake.undo.commits).toBe(0);
    expect(ids(fake.currentPage.selection)).toEqual(ids([anchor]));
  });
});

describe("placeImages for edit and upscale results", () => {
  const edit = (port: FigmaPort, source: { nodeId: string; replace?: boolean }, n = 1): PlaceRequest => ({
    ...request(
      port,
      Array.from({ length: n }, () => ({ width: 2048, height: 1536 })),
    ),
    name: "Photo · Upscale",
    provenance: { jobId: "job-7", operation: "upscale", prompt: "a red fox", spec: '{"operation":"upscale","mode":"fast"}' },
    source: { replace: false, ...source },
  });

  it("goes beside the source node, in its parent, even when the selection has moved on", async () => {
    const { fake, port } = fakePort();
    const board = frame(fake, "Board", { x: 0, y: 0, width: 5000, height: 5000 });
    const source = await photo(fake, { x: 10, y: 20, width: 512, height: 384 }, board);
    const fills = source.fills;
    select(fake, [rect(fake, { x: 8000, y: 8000, width: 10, height: 10 })]);
    fake.clearRecords();
    const { nodeIds } = await placeImages(port, edit(port, { nodeId: source.id }));
    const node = placed(fake, nodeIds[0]!);
    expect(node.parent?.id).toBe(board.id);
    expect(box(node)).toEqual({ x: 10 + 512 + GAP, y: 20, width: 2048, height: 1536 });
    expect(node.name).toBe("Photo · Upscale");
    expect(source.fills).toEqual(fills); // the source is left as it was
    expect(fake.undo.steps).toHaveLength(1);
  });

  it("replaces the source's image fill with a new fill list, keeping its scale mode and crop, as one undo step", async () => {
    const { fake, port } = fakePort();
    const crop: Transform = [
      [0.5, 0, 0.25],
      [0, 0.5, 0.25],
    ];
    const source = await photo(fake, { x: 0, y: 0, width: 512, height: 384 });
    const under: SolidPaint = { type: "SOLID", color: { r: 1, g: 0, b: 0 } };
    const old: ImagePaint = { type: "IMAGE", imageHash: hashOf(source), scaleMode: "CROP", imageTransform: crop };
    source.fills = [under, old];
    // Figma hands out frozen paints: writing into them throws, only a new list replaces them.
    const before = source.fills;
    expect(() => ((before[1] as { imageHash: string }).imageHash = "x")).toThrow();
    fake.clearRecords();
    const req = edit(port, { nodeId: source.id, replace: true });

    const { nodeIds } = await placeImages(port, req);

    const hash = req.images[0]!.hash;
    expect(nodeIds).toEqual([source.id]);
    expect(ids(fake.currentPage.children)).toEqual(ids([source]));
    expect(source.fills).toEqual([under, { type: "IMAGE", imageHash: hash, scaleMode: "CROP", imageTransform: crop }]);
    expect(before).toEqual([under, old]);
    expect(pluginData(source)).toEqual({
      jobId: "job-7",
      assetId: "asset-0",
      prompt: "a red fox",
      operation: "upscale",
      spec: '{"operation":"upscale","mode":"fast"}',
      imageHash: hash,
    });
    expect(ids(fake.currentPage.selection)).toEqual(ids([source]));
    expect(fake.scrolledTo).toEqual([[source.id]]);
    expect(fake.undo.steps).toEqual([{ created: [], changed: [source.id], removed: [] }]);
  });

  it("places beside the source when it no longer has an image fill to replace", async () => {
    const { fake, port } = fakePort();
    const card = frame(fake, "Card", { x: 0, y: 0, width: 300, height: 200 });
    const { nodeIds } = await placeImages(port, edit(port, { nodeId: card.id, replace: true }));
    const node = placed(fake, nodeIds[0]!);
    expect(node.id).not.toBe(card.id);
    expect([node.x, node.y]).toEqual([300 + GAP, 0]);
    expect(fake.undo.commits).toBe(1);
  });

  it("falls back to the selection when the source was deleted", async () => {
    const { fake, port } = fakePort();
    const source = await photo(fake, { x: 0, y: 0, width: 100, height: 100 });
    source.remove();
    select(fake, [rect(fake, { x: 1000, y: 0, width: 10, height: 10 })]);
    const { nodeIds } = await placeImages(port, edit(port, { nodeId: source.id, replace: true }));
    expect(placed(fake, nodeIds[0]!).x).toBe(1010 + GAP);
  });

  it("refuses to replace a fill with several images, changing nothing", async () => {
    const { fake, port } = fakePort();
    const source = await photo(fake, { x: 0, y: 0, width: 100, height: 100 });
    const before = source.fills;
    fake.clearRecords();
    await expect(placeImages(port, edit(port, { nodeId: source.id, replace: true }, 2))).rejects.toThrow(/single image/);
    expect(source.fills).toEqual(before);
    expect(ids(fake.currentPage.children)).toEqual(ids([source]));
    expect(fake.undo.commits).toBe(0);
  });
});

describe("a long prompt in a non-Latin script", () => {
  // 10,000 CJK characters: 30 kB of UTF-8, and the spec repeats it beside 75 kB more, past Figma's 100 kB
  // plugin-data limit.
  const prompt = Array.from({ length: 10_000 }, (_, i) => String.fromCharCode(0x4e00 + (i % 5000))).join("");
  const spec = JSON.stringify({ operation: "create", prompt, negativePrompt: "雨".repeat(25_000), model: "flux" });

  it("is placed without a throw, and Regenerate gets the whole spec back", async () => {
    const { fake, port } = fakePort({ command: "regenerate" });
    const req: PlaceRequest = { name: "Fox", images: receive(port, [{ width: 64, height: 64 }]), provenance: { jobId: "job-cjk", operation: "create", prompt, spec } };
    const { nodeIds } = await placeImages(port, req);
    const node = placed(fake, nodeIds[0]!);
    expect(node.getPluginData("prompt")).toBe(prompt);
    expect(node.getRelaunchData().regenerate).toHaveLength(100);
    // Regenerate relaunches with the node selected, as the placement left it.
    expect(ids(fake.currentPage.selection)).toEqual([node.id]);
    const relaunch = relaunchProvenance(port)!;
    expect(relaunch).toMatchObject({ jobId: "job-cjk", operation: "create", prompt });
    expect(JSON.parse(relaunch.spec!)).toEqual(JSON.parse(spec));
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

