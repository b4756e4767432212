import { describe, expect, it } from "vitest";
import { pluginToUISchema } from "../core/messages.ts";
import { createDispatcher } from "./dispatch.ts";
import { createHandlers } from "./handlers.ts";
import { placeImages, type PlaceImagesRequest } from "./placement.ts";
import { FakeFigma, FakeNode, fakePng, imageNode } from "./testing/fake-figma.ts";
import { solidPng } from "./testing/png-encode.ts";

function wire(figma: FakeFigma) {
  return createDispatcher(figma, createHandlers(figma));
}

const place = (bytes: Uint8Array<ArrayBuffer>): PlaceImagesRequest => ({
  type: "place-images",
  requestId: "req-9",
  name: "fox",
  images: [{ bytes, width: 64, height: 64, assetId: "a1" }],
  provenance: { jobId: "job-9", operation: "create", prompt: "fox", spec: '{"operation":"create","prompt":"fox"}' },
});

describe("sandbox handlers", () => {
  it("answers ready with init: stored settings and the selection", async () => {
    const figma = new FakeFigma();
    const node = new FakeNode({ name: "Card" });
    figma.select([node]);
    await wire(figma)({ type: "ready" });
    expect(figma.posted).toHaveLength(1);
    const init = pluginToUISchema.parse(figma.posted[0]);
    expect(init).toMatchObject({ type: "init", settings: { proxyUrl: "http://localhost:8787", token: "" } });
    expect(init.type === "init" && init.selection.items.map((i) => i.id)).toEqual([node.id]);
    expect(init.type === "init" && init.relaunch).toBeUndefined();
  });

  it("tells the panel in init which image an edit would use, at its pixel size", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 1024, height: 768 }, { width: 256, height: 192 });
    figma.select([photo]);
    await wire(figma)({ type: "ready" });
    const init = pluginToUISchema.parse(figma.posted[0]);
    expect(init.type === "init" && init.selection.image).toEqual({ id: photo.id, name: "Photo", width: 1024, height: 768, source: "fill" });
  });

  it("places an edit result into the source's fill when asked", async () => {
    const figma = new FakeFigma();
    const photo = imageNode(figma, { width: 64, height: 64 });
    const bigger = solidPng(256, 192);
    await wire(figma)({ ...place(bigger), source: { nodeId: photo.id, replace: true } });
    expect(figma.posted[0]).toEqual({ type: "placed", requestId: "req-9", nodeIds: [photo.id] });
    // The image in the fill is bigger now: the panel hears its new size (selection is unchanged in Figma's eyes).
    expect(figma.posted[1]).toMatchObject({ type: "selection", selection: { image: { id: photo.id, width: 256, height: 192 } } });
    expect(photo.getPluginData("jobId")).toBe("job-9");
    expect(figma.undoCommits).toBe(1);
  });

  it("includes the relaunched node's provenance when started by Regenerate", async () => {
    const first = new FakeFigma();
    await placeImages(first, place(fakePng()));
    const placed = first.created[0]!;
    const figma = new FakeFigma("regenerate");
    const node = new FakeNode({ name: "fox" });
    for (const [k, v] of placed.pluginData) node.setPluginData(k, v);
    figma.select([node]);
    await wire(figma)({ type: "ready" });
    expect(figma.posted[0]).toMatchObject({
      type: "init",
      relaunch: { jobId: "job-9", operation: "create", prompt: "fox", spec: '{"operation":"create","prompt":"fox"}' },
    });
  });

  it("saves settings and confirms with settings-saved", async () => {
    const figma = new FakeFigma();
    await wire(figma)({ type: "save-settings", settings: { proxyUrl: "http://localhost:9000", token: "t" } });
    expect(figma.posted).toEqual([{ type: "settings-saved", settings: { proxyUrl: "http://localhost:9000", token: "t" } }]);
  });

  it("answers place-images with placed and the new node ids", async () => {
    const figma = new FakeFigma();
    await wire(figma)(place(fakePng()));
    expect(figma.posted[0]).toEqual({ type: "placed", requestId: "req-9", nodeIds: [figma.created[0]!.id] });
    expect(figma.posted[1]!.type).toBe("selection"); // then the selection, which Figma may not report itself
  });

  it("answers place-failed when Figma rejects the bytes", async () => {
    const figma = new FakeFigma();
    await wire(figma)(place(new Uint8Array([0x52, 0x49, 0x46, 0x46])));
    expect(figma.posted).toEqual([{ type: "place-failed", requestId: "req-9", message: "Image type is unsupported" }]);
  });

  it("forwards notify to figma.notify", async () => {
    const figma = new FakeFigma();
    await wire(figma)({ type: "notify", message: "Copied", error: false });
    expect(figma.notifications).toEqual([{ message: "Copied", error: false }]);
  });
});
