import { describe, expect, it } from "vitest";
import type { PluginToUI } from "../../core/messages.ts";
import { createFakeFigma, solidPng, type FakeFigma, type FakeRectangle, type RGBA } from "../testing/fake-figma/index.ts";
import { answers, placeImageMessage, startPlugin } from "../testing/fake-port.ts";

const provenance = { jobId: "job-9", operation: "create", prompt: "fox", spec: '{"operation":"create","prompt":"fox"}' };
const commit = (requestId: string, more: object = {}) => ({ type: "place-commit", requestId, name: "fox", provenance, ...more });
const placedAnswer = (fake: FakeFigma) => answers(fake).find((m): m is Extract<PluginToUI, { type: "placed" }> => m.type === "placed")!;
const colors: RGBA[] = [
  [200, 0, 0, 255],
  [0, 200, 0, 255],
  [0, 0, 200, 255],
];

describe("place-commit", () => {
  it("places exactly the images received for the request, in index order, then re-sends the selection", async () => {
    const fake = createFakeFigma();
    const send = startPlugin(fake);
    const pngs = colors.map((c) => solidPng(8, 8, c));
    for (const i of [2, 0, 1]) await send(placeImageMessage("r", i, 3, pngs[i]!));
    await send(placeImageMessage("other", 0, 2, solidPng(8, 8, [9, 9, 9, 255])));
    fake.clearRecords();

    await send(commit("r"));

    const { nodeIds } = placedAnswer(fake);
    const nodes = nodeIds.map((id) => fake.node(id) as FakeRectangle);
    expect(nodes.map((n) => (n.fills[0] as ImagePaint).imageHash)).toEqual(pngs.map((b) => fake.figma.createImage(b).hash));
    expect(nodes.map((n) => n.name)).toEqual(["fox 1", "fox 2", "fox 3"]);
    expect(nodes[0]!.x < nodes[1]!.x && nodes[1]!.x < nodes[2]!.x).toBe(true);
    expect(fake.currentPage.children.map((n) => n.id)).toEqual(nodeIds);
    expect(answers(fake).map((m) => m.type)).toEqual(["placed", "selection"]);
    expect(answers(fake)[1]).toMatchObject({ selection: { items: nodeIds.map((id) => ({ id })) } });
    expect(fake.undo.steps).toHaveLength(1);
  });

  it("answers place-failed when images are missing, placing none and forgetting the request", async () => {
    const fake = createFakeFigma();
    const send = startPlugin(fake);
    await send(placeImageMessage("r", 0, 3, solidPng(8, 8)));
    await send(placeImageMessage("r", 2, 3, solidPng(8, 8)));
    await send(commit("r"));
    await send(commit("r"));
    expect(answers(fake).slice(2)).toEqual([
      { type: "place-failed", requestId: "r", message: "Only 2 of 3 images reached Figma: try again" },
      { type: "place-failed", requestId: "r", message: "None of the images reached Figma: try again" },
    ]);
    expect(fake.currentPage.children).toHaveLength(0);
    expect(fake.undo.commits).toBe(0);
  });

  it("puts an edit into the source's fill and tells the panel the image's new size", async () => {
    const fake = createFakeFigma();
    const photo = await fake.placeImage(solidPng(64, 64), { name: "Photo" });
    fake.figma.currentPage.selection = [photo];
    const send = startPlugin(fake);
    await send(placeImageMessage("r", 0, 1, solidPng(256, 192)));
    await send(commit("r", { source: { nodeId: photo.id, replace: true } }));
    expect(answers(fake).slice(1)).toEqual([
      { type: "placed", requestId: "r", nodeIds: [photo.id] },
      // Figma sees no new selection, but the image in it is bigger now.
      expect.objectContaining({ type: "selection", selection: expect.objectContaining({ image: expect.objectContaining({ id: photo.id, width: 256, height: 192 }) }) }),
    ]);
    expect(photo.getPluginData("jobId")).toBe("job-9");
  });

  it("names the page the results went to when the designer has moved to another", async () => {
    const fake = createFakeFigma({ pageNames: ["Design", "Archive"] });
    const photo = await fake.placeImage(solidPng(64, 64), { name: "Photo" });
    fake.switchPage(fake.pages[1]!);
    const send = startPlugin(fake);
    await send(placeImageMessage("r", 0, 1, solidPng(32, 32)));
    await send(commit("r", { source: { nodeId: photo.id } }));
    const placed = placedAnswer(fake);
    expect(placed.page).toEqual({ id: fake.pages[0]!.id, name: "Design" });
    expect(fake.pages[0]!.selection.map((n) => n.id)).toEqual(placed.nodeIds);
    expect(fake.pages[1]!.children).toHaveLength(0);
  });

  it("answers place-failed when the placement cannot be made, changing nothing", async () => {
    const fake = createFakeFigma();
    const photo = await fake.placeImage(solidPng(64, 64), { name: "Photo" });
    const fills = photo.fills;
    const send = startPlugin(fake);
    await send(placeImageMessage("r", 0, 2, solidPng(8, 8)));
    await send(placeImageMessage("r", 1, 2, solidPng(8, 8, [1, 1, 1, 255])));
    fake.clearRecords();
    await send(commit("r", { source: { nodeId: photo.id, replace: true } }));
    expect(answers(fake)).toEqual([{ type: "place-failed", requestId: "r", message: "Only a single image can replace a fill" }]);
    expect(photo.fills).toEqual(fills);
    expect(fake.currentPage.children.map((n) => n.id)).toEqual([photo.id]);
  });
});
