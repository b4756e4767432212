// dist/plugin.js in QuickJS: the handshake, the selection summary the badges price from, what happens to a
// malformed message, and Regenerate reopening the panel with the job that made a result.
import { describe, expect, it } from "vitest";
import { solidPng, type FakeRectangle } from "../testing/fake-figma/index.ts";
import { useBundles, type RunningBundle } from "../testing/run-bundle.ts";

const start = useBundles();

describe("the bundle's dispatcher, in the sandbox", () => {
  it("shows the panel themed, and answers ready with init: settings and the selected image at its pixel size", async () => {
    let photo!: FakeRectangle;
    const plugin = await start({
      scene: async (fake) => {
        photo = await fake.placeImage(solidPng(1024, 768), { name: "Photo" });
        photo.resize(256, 192);
        fake.figma.currentPage.selection = [photo];
      },
    });
    expect(plugin.fake.shownUI[0]!.options).toMatchObject({ width: 360, height: 600, themeColors: true });
    await plugin.send({ type: "ready" });
    const init = plugin.last("init");
    expect(init.settings).toEqual({ proxyUrl: "http://localhost:8787", token: "" });
    expect(init.selection.items.map((i) => [i.id, i.hasImage])).toEqual([[photo.id, true]]);
    expect(init.selection.image).toEqual({ id: photo.id, name: "Photo", width: 1024, height: 768, source: "fill" });
    expect(init.relaunch).toBeUndefined();
  });

  it("tells the panel when the selection changes", async () => {
    let photo!: FakeRectangle;
    const plugin = await start({ scene: async (fake) => void (photo = await fake.placeImage(solidPng(64, 64))) });
    plugin.fake.figma.currentPage.selection = [photo];
    await plugin.fake.settle();
    await plugin.sandbox.idle();
    expect(plugin.last("selection").selection.image).toMatchObject({ id: photo.id, width: 64, height: 64 });
    plugin.fake.figma.currentPage.selection = [];
    await plugin.fake.settle();
    await plugin.sandbox.idle();
    expect(plugin.last("selection").selection).toEqual({ items: [] });
  });

  it("drops a malformed message with a notification, and answers a malformed request with its failure", async () => {
    const plugin = await start();
    await plugin.send({ type: "delete-everything" } as never);
    expect(plugin.fake.notifications.map((n) => [n.message, n.error])).toEqual([["Image Studio ignored a malformed message from its panel", true]]);
    await plugin.send({ type: "place-image", requestId: "r9", index: 0, total: 1, image: { bytes: [1, 2] } } as never);
    expect(plugin.last("place-failed")).toEqual({ type: "place-failed", requestId: "r9", message: "Image Studio ignored a malformed message from its panel" });
    expect(plugin.sandbox.errors).toEqual([]);
  });

  it("reopens the panel with the job that made a result when Regenerate is clicked on it", async () => {
    const spec = JSON.stringify({ operation: "create", prompt: "a fox", quality: "draft" });
    const plugin = await start({
      command: "regenerate",
      scene: async (fake) => {
        const result = await fake.placeImage(solidPng(64, 64));
        for (const [key, value] of Object.entries({ jobId: "job_7", assetId: "ast_7", prompt: "a fox", operation: "create", spec })) result.setPluginData(key, value);
        fake.figma.currentPage.selection = [result];
      },
    });
    await plugin.send({ type: "ready" });
    expect(plugin.last("init").relaunch).toEqual({ jobId: "job_7", operation: "create", prompt: "a fox", spec });
  });
});
