// dist/plugin.js in QuickJS: a batch's selection (each image with the shape drawn over it), its images
// exported one message each with their own masks, and its results, one image per message, each placed beside
// its own source as ONE undo step.
import { describe, expect, it } from "vitest";
import { decodePng, solidPng, type FakeRectangle } from "../testing/fake-figma/index.ts";
import { useBundles } from "../testing/run-bundle.ts";

const start = useBundles();

describe("a batch, in the sandbox", () => {
  it("offers every selected image with its own shape, exports each alone with its own mask, and places each result beside its source in one undo step", async () => {
    const photos: FakeRectangle[] = [];
    const plugin = await start({
      scene: async (fake) => {
        for (let i = 0; i < 3; i++) photos.push(await fake.placeImage(solidPng(64, 48, [40 * i, 90, 60, 255]), { x: 0, y: i * 400, name: `Photo ${i + 1}` }));
        const oval = fake.figma.createEllipse();
        oval.name = "Oval";
        oval.resize(20, 20);
        oval.x = 10;
        oval.y = 410;
        fake.figma.currentPage.selection = [...photos, oval];
      },
    });
    await plugin.send({ type: "ready" });
    const selection = plugin.last("init").selection;
    expect(selection.image).toBeUndefined();
    expect(selection.images?.map((i) => [i.name, i.width, i.height, i.maskShape?.name])).toEqual([
      ["Photo 1", 64, 48, undefined],
      ["Photo 2", 64, 48, "Oval"],
      ["Photo 3", 64, 48, undefined],
    ]);

    await plugin.send({ type: "export-image", requestId: "e2", imageId: photos[1]!.id, mask: true, references: {} });
    const exported = plugin.last("exported");
    expect(exported.requestId).toBe("e2");
    expect([exported.mask?.width, exported.mask?.height]).toEqual([64, 48]);
    expect(decodePng(exported.mask!.bytes).pixel(20, 10)).toEqual([255, 255, 255, 255]);
    await plugin.send({ type: "export-image", requestId: "e1", imageId: photos[0]!.id, mask: true, references: {} });
    expect(plugin.last("export-failed")).toMatchObject({ requestId: "e1", message: "Draw a shape over “Photo 1” for its mask" });

    const requestId = "batch-1";
    for (const [index, photo] of photos.entries())
      await plugin.send({
        type: "place-image",
        requestId,
        index,
        total: photos.length,
        image: { bytes: new Uint8Array(solidPng(256, 192, [200, 60, 40, 255])), width: 256, height: 192, assetId: `ast_${index}`, source: { nodeId: photo.id, replace: false }, jobId: `job_${index}`, name: `Photo ${index + 1} · 256×192` },
      });
    await plugin.send({ type: "place-commit", requestId, name: "Upscale", provenance: { jobId: "job_0", operation: "upscale" } });
    const placed = plugin.last("placed");
    const nodes = placed.nodeIds.map((id) => plugin.fake.node(id) as FakeRectangle);
    expect(nodes.map((n) => [n.name, n.x, n.y, n.width, n.height, n.getPluginData("jobId")])).toEqual(
      photos.map((p, i) => [`Photo ${i + 1} · 256×192`, 64 + 40, p.y, 256, 192, `job_${i}`]),
    );
    expect(plugin.fake.undo.steps).toHaveLength(1);
    expect(plugin.fake.figma.currentPage.selection.map((n) => n.id)).toEqual(placed.nodeIds);
    expect(plugin.sandbox.errors).toEqual([]);
  });
});
