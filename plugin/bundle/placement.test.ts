// dist/plugin.js in QuickJS: results crossing from the panel one image per message, placed as one undo
// step where the designer will see them, on the source's page when the designer has moved on.
import { describe, expect, it } from "vitest";
import type { UIToPluginInput } from "../../core/messages.ts";
import { pngOf, solidPng, type FakeFigma, type FakeFrame, type FakePage, type FakeRectangle } from "../testing/fake-figma/index.ts";
import { useBundles, type RunningBundle } from "../testing/run-bundle.ts";

const start = useBundles();

const provenance = { jobId: "job_1", operation: "create", prompt: "a red fox", spec: JSON.stringify({ operation: "create", prompt: "a red fox" }) };

/** What the panel sends for one job's results: each image alone, then the commit. */
async function place(plugin: RunningBundle, images: Uint8Array[], commit: Partial<Extract<UIToPluginInput, { type: "place-commit" }>> = {}) {
  const requestId = `req-${Math.random()}`;
  for (const [index, bytes] of images.entries()) {
    await plugin.send({ type: "place-image", requestId, index, total: images.length, image: { bytes: new Uint8Array(bytes), width: 64, height: 48, assetId: `ast_${index}` } });
  }
  await plugin.send({ type: "place-commit", requestId, name: "a red fox", provenance, ...commit });
  return requestId;
}

const picture = () => solidPng(64, 48, [200, 60, 40, 255]);

describe("placing results, in the sandbox", () => {
  it("takes the images one message each, acknowledging each, then places them beside the selection as one undo step", async () => {
    let card!: FakeFrame;
    const plugin = await start({
      scene: (fake) => {
        card = fake.figma.createFrame();
        card.name = "Card";
        card.resize(200, 100);
        fake.figma.currentPage.selection = [card];
      },
    });
    const requestId = await place(plugin, [picture(), picture(), picture()]);
    expect(plugin.posted().filter((m) => m.type === "place-progress").map((m) => m.type === "place-progress" && m.received)).toEqual([1, 2, 3]);
    const placed = plugin.last("placed");
    expect(placed).toMatchObject({ requestId });
    expect(placed.page).toBeUndefined();
    const nodes = placed.nodeIds.map((id) => plugin.fake.node(id) as FakeRectangle);
    expect(nodes.map((n) => [n.name, n.parent?.type, n.x, n.y, n.width, n.height])).toEqual([
      ["a red fox 1", "PAGE", 240, 0, 64, 48],
      ["a red fox 2", "PAGE", 344, 0, 64, 48],
      ["a red fox 3", "PAGE", 448, 0, 64, 48],
    ]);
    expect(plugin.fake.figma.currentPage.selection.map((n) => n.id)).toEqual(placed.nodeIds);
    expect(plugin.fake.undo.steps).toHaveLength(1);
    expect(plugin.fake.undo.steps[0]!.created).toEqual(expect.arrayContaining(placed.nodeIds));
    expect(nodes[0]!.getPluginData("jobId")).toBe("job_1");
    expect(plugin.sandbox.errors).toEqual([]);
  });

  it("holds one image at a time: the sandbox's heap stays near one image's size however many a job made", async () => {
    // Noise does not compress: each PNG is about 1 MiB, as a large result would be.
    let seed = 1;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
    const noise = () => pngOf(600, 600, () => [next() & 255, next() & 255, next() & 255, 255]);
    const images = Array.from({ length: 24 }, noise);
    const size = images[0]!.length;
    expect(size).toBeGreaterThan(1_000_000);

    const plugin = await start();
    const base = plugin.sandbox.memory().peakUsedBytes;
    await place(plugin, images);
    expect(plugin.last("placed").nodeIds).toHaveLength(24);
    const oneAtATime = plugin.sandbox.memory().peakUsedBytes - base;

    // Sampled after every message: had the plugin kept the bytes, the heap would hold all 24 (28 MiB).
    console.log(`sandbox heap above baseline while placing 24 images of ${(size / 2 ** 20).toFixed(2)} MiB one per message: ${(oneAtATime / 2 ** 20).toFixed(2)} MiB at its peak`);
    expect(oneAtATime).toBeLessThan(3 * size);
  });

  it("puts a result whose source is on another page beside it there, selected there, and says which page", async () => {
    let photo!: FakeRectangle;
    let moodboard!: FakePage;
    const plugin = await start({
      pageNames: ["Page 1", "Moodboard"],
      scene: async (fake) => {
        photo = await fake.placeImage(picture(), { x: 100, y: 50, name: "Photo" });
        moodboard = fake.pages[1]!;
      },
    });
    // The designer switches pages while the job runs.
    plugin.fake.switchPage(moodboard);
    await plugin.fake.settle();
    await place(plugin, [picture()], { source: { nodeId: photo.id, replace: false } });
    const placed = plugin.last("placed");
    expect(placed.page).toEqual({ id: plugin.fake.pages[0]!.id, name: "Page 1" });
    const [node] = placed.nodeIds.map((id) => plugin.fake.node(id) as FakeRectangle);
    expect([node!.parent?.id, node!.x, node!.y]).toEqual([plugin.fake.pages[0]!.id, 100 + 64 + 40, 50]);
    expect(plugin.fake.pages[0]!.selection.map((n) => n.id)).toEqual(placed.nodeIds);
    // Nothing half-placed on the page the designer is on, and one undo step.
    expect(moodboard.children).toEqual([]);
    expect(moodboard.selection).toEqual([]);
    expect(plugin.fake.undo.steps).toHaveLength(1);
    expect(plugin.sandbox.errors).toEqual([]);
  });

  it("never hides results in a clipping frame, nor puts them inside a component", async () => {
    let inCard!: FakeRectangle;
    let inButton!: FakeRectangle;
    const plugin = await start({
      scene: async (fake) => {
        const card = fake.figma.createFrame();
        card.name = "Card";
        card.resize(64, 48);
        card.clipsContent = true;
        inCard = await fake.placeImage(picture(), { name: "Card photo" });
        card.appendChild(inCard);
        const button = fake.figma.createComponent();
        button.name = "Button";
        button.x = 1000;
        button.resize(2000, 2000);
        inButton = await fake.placeImage(picture(), { name: "Icon" });
        button.appendChild(inButton);
      },
    });
    await place(plugin, [picture()], { source: { nodeId: inCard.id, replace: false } });
    const beside = plugin.fake.node(plugin.last("placed").nodeIds[0]!) as FakeRectangle;
    expect(beside.parent?.type).toBe("PAGE");
    expect(beside.absoluteBoundingBox).toEqual({ x: 64 + 40, y: 0, width: 64, height: 48 });

    await place(plugin, [picture()], { source: { nodeId: inButton.id, replace: false } });
    const outside = plugin.fake.node(plugin.last("placed").nodeIds[0]!) as FakeRectangle;
    expect(outside.parent?.type).toBe("PAGE");
    expect(outside.absoluteBoundingBox).toEqual({ x: 1000 + 64 + 40, y: 0, width: 64, height: 48 });
  });

  it("keeps a long non-Latin prompt's provenance within Figma's plugin-data limit, and Regenerate gets it all back", async () => {
    const prompt = "雪の中を歩く赤い狐、".repeat(1000); // 10,000 characters
    const spec = JSON.stringify({ operation: "create", prompt, negativePrompt: "ぼやけた".repeat(7_000), quality: "premium" });
    const plugin = await start({ command: "regenerate" });
    await place(plugin, [picture()], { provenance: { jobId: "job_9", operation: "create", prompt, spec } });
    const [id] = plugin.last("placed").nodeIds;
    expect(plugin.sandbox.errors).toEqual([]);

    const node = plugin.fake.node(id!) as FakeRectangle;
    expect(node.getPluginData("prompt")).toBe(prompt);
    expect(JSON.parse(node.getPluginData("spec"))).not.toHaveProperty("prompt");

    // Later, Regenerate on that result starts the plugin again on the same file with the node selected.
    plugin.fake.figma.currentPage.selection = [node];
    const again = await start({ fake: plugin.fake });
    await again.send({ type: "ready" });
    const relaunch = again.last("init").relaunch!;
    expect(relaunch).toMatchObject({ jobId: "job_9", operation: "create", prompt });
    expect(JSON.parse(relaunch.spec!)).toEqual(JSON.parse(spec));
  });
});
