// Where results go: the nearest container that shows them and that a new layer cannot disturb, on the
// source's own page.
import { describe, expect, it } from "vitest";
import type { FigmaPort } from "./figma-port.ts";
import { GAP } from "./placement-target.ts";
import { placeImages, type PlaceRequest } from "./placement.ts";
import { decodePng, type FakeFigma } from "./testing/fake-figma/index.ts";
import { fakePort } from "./testing/fake-port.ts";
import { frame, ids, photo, placed, png, rect, request, select, shownWhole, type Size } from "./testing/scene.ts";

describe("where results go when the source sits in a container", () => {
  const upscale = (port: FigmaPort, nodeId: string, size: Size = { width: 200, height: 150 }): PlaceRequest => ({
    ...request(port, [size]),
    name: "Photo · Upscale",
    source: { nodeId, replace: false },
  });

  it("climbs out of a clipping frame too small to show them, into the first container that does", async () => {
    const { fake, port } = fakePort();
    const board = frame(fake, "Board", { x: 50, y: 50, width: 800, height: 600 });
    const card = frame(fake, "Card", { x: 100, y: 100, width: 200, height: 150 }, board);
    const source = await photo(fake, { x: 0, y: 0, width: 200, height: 150 }, card, [0, 0, 255, 255]);
    const req = upscale(port, source.id);
    req.images = [{ ...req.images[0]!, hash: port.createImage(png({ width: 200, height: 150 }, [0, 200, 0, 255])).hash }];
    const { nodeIds } = await placeImages(port, req);
    const node = placed(fake, nodeIds[0]!);
    expect(node.parent?.id).toBe(board.id);
    expect([node.x, node.y]).toEqual([100 + 200 + GAP, 100]);
    expect(ids(card.children)).toEqual(ids([source]));
    expect(shownWhole(node)).toBe(true);
    // What the designer sees on the board: the result, not hidden by the card.
    const seen = decodePng(await board.exportAsync());
    expect(seen.pixel(node.x + 100, node.y + 75)).toEqual([0, 200, 0, 255]);
  });

  it("goes on the page when no frame around the source can show them", async () => {
    const { fake, port } = fakePort();
    const card = frame(fake, "Card", { x: 100, y: 100, width: 200, height: 150 });
    const source = await photo(fake, { x: 0, y: 0, width: 200, height: 150 }, card);
    const node = placed(fake, (await placeImages(port, upscale(port, source.id))).nodeIds[0]!);
    expect(node.parent?.id).toBe(fake.currentPage.id);
    expect([node.x, node.y]).toEqual([100 + 200 + GAP, 100]);
    expect(shownWhole(node)).toBe(true);
  });

  it("never goes inside a component, where it would appear in every instance", async () => {
    const { fake, port } = fakePort();
    const button = fake.figma.createComponent();
    button.resize(1000, 1000);
    const source = await photo(fake, { x: 10, y: 10, width: 100, height: 100 }, button);
    const node = placed(fake, (await placeImages(port, upscale(port, source.id, { width: 100, height: 100 }))).nodeIds[0]!);
    expect(node.parent?.id).toBe(fake.currentPage.id);
    expect(ids(button.children)).toEqual(ids([source]));
    expect([node.x, node.y]).toEqual([10 + 100 + GAP, 10]);
  });

  it("never goes inside an instance (Figma refuses new layers there)", async () => {
    const { fake, port } = fakePort();
    const button = fake.figma.createComponent();
    button.resize(1000, 1000);
    await photo(fake, { x: 10, y: 10, width: 100, height: 100 }, button);
    const instance = button.createInstance();
    instance.x = 2000;
    const layer = instance.children[0]!;
    const node = placed(fake, (await placeImages(port, upscale(port, layer.id, { width: 100, height: 100 }))).nodeIds[0]!);
    expect(node.parent?.id).toBe(fake.currentPage.id);
    expect(instance.children).toHaveLength(1);
    expect([node.x, node.y]).toEqual([2000 + 10 + 100 + GAP, 10]);
  });
});

describe("placing for a source on another page", () => {
  /** The designer started the job on "Design", then opened "Archive" and selected something there. */
  async function switched() {
    const { fake, port } = fakePort({ pageNames: ["Design", "Archive"] });
    const [design, archive] = fake.pages as [FakeFigma["pages"][number], FakeFigma["pages"][number]];
    const source = await photo(fake, { x: 10, y: 20, width: 64, height: 64 });
    fake.switchPage(archive);
    await fake.settle();
    const other = rect(fake, { x: 0, y: 0, width: 10, height: 10 });
    select(fake, [other]);
    fake.clearRecords();
    return { fake, port, design, archive, source, other };
  }

  it("puts the results beside the source on its page, selected there, and says which page", async () => {
    const { fake, port, design, archive, source, other } = await switched();
    const result = await placeImages(port, { ...request(port, [{ width: 64, height: 64 }, { width: 64, height: 64 }]), source: { nodeId: source.id, replace: false } });
    expect(result.page).toEqual({ id: design.id, name: "Design" });
    const nodes = result.nodeIds.map((id) => placed(fake, id));
    expect(nodes.map((n) => n.parent?.id)).toEqual([design.id, design.id]);
    expect(nodes.map((n) => [n.x, n.y])).toEqual([
      [10 + 64 + GAP, 20],
      [10 + 64 + GAP + 64 + GAP, 20],
    ]);
    expect(ids(design.selection)).toEqual(result.nodeIds);
    // The page the designer is on is as they left it.
    expect(fake.currentPage.id).toBe(archive.id);
    expect(ids(archive.children)).toEqual(ids([other]));
    expect(ids(archive.selection)).toEqual(ids([other]));
    expect(fake.scrolledTo).toEqual([]);
    expect(fake.undo.steps).toHaveLength(1);
  });

  it("replaces the source's fill there too, selecting it on its page", async () => {
    const { fake, port, design, archive, source, other } = await switched();
    const result = await placeImages(port, { ...request(port, [{ width: 64, height: 64 }]), source: { nodeId: source.id, replace: true } });
    expect(result).toEqual({ nodeIds: [source.id], page: { id: design.id, name: "Design" } });
    expect(ids(design.selection)).toEqual(ids([source]));
    expect(ids(archive.children)).toEqual(ids([other]));
    expect(fake.undo.steps).toHaveLength(1);
  });
});
