// A batch's results are one placement: each image beside (or into) its own source, named and tagged with its
// own item's job, all of it one undo step; nothing is left behind when any part is refused.
import { describe, expect, it } from "vitest";
import type { FigmaPort } from "./figma-port.ts";
import { GAP } from "./placement-target.ts";
import { placeImages, type PlaceRequest, type ReceivedImage } from "./placement.ts";
import { fakePort, pluginData } from "./testing/fake-port.ts";
import { box, ids, photo, placed, receive, rect, select } from "./testing/scene.ts";

const hashOf = (node: { fills: readonly Paint[] }) => (node.fills[0] as ImagePaint).imageHash;

/** One result per source, 4x its size as a fast upscale makes, each from its own job. */
function batch(port: FigmaPort, sources: { id: string; width: number; height: number; name: string }[], replace = false): PlaceRequest {
  const images: ReceivedImage[] = receive(
    port,
    sources.map((s) => ({ width: s.width * 4, height: s.height * 4 })),
  ).map((image, i) => ({ ...image, source: { nodeId: sources[i]!.id, replace }, jobId: `job-${i}`, name: `${sources[i]!.name} · upscaled` }));
  return { name: "Upscale", images, provenance: { jobId: "bat-1", operation: "upscale", spec: '{"operation":"upscale","mode":"fast"}' } };
}

const intersects = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe("placing a batch", () => {
  it("puts each result beside its own source, tagged with its own job, selected, as one undo step", async () => {
    const { fake, port } = fakePort();
    // A column of photos far enough apart that each result fits beside its own.
    const sources = [];
    for (let i = 0; i < 3; i++) {
      const node = await photo(fake, { x: 0, y: i * 1000, width: 100, height: 80 });
      node.name = `Photo ${i + 1}`;
      sources.push(node);
    }
    fake.clearRecords();
    const req = batch(port, sources.map((s) => ({ id: s.id, width: 100, height: 80, name: s.name })));
    const { nodeIds, page } = await placeImages(port, req);

    expect(page).toBeUndefined();
    const nodes = nodeIds.map((id) => placed(fake, id));
    expect(nodes.map(box)).toEqual(sources.map((s) => ({ x: 100 + GAP, y: s.y, width: 400, height: 320 })));
    expect(nodes.map((n) => n.name)).toEqual(["Photo 1 · upscaled", "Photo 2 · upscaled", "Photo 3 · upscaled"]);
    expect(nodes.map((n) => pluginData(n).jobId)).toEqual(["job-0", "job-1", "job-2"]);
    expect(nodes.map((n) => hashOf(n))).toEqual(req.images.map((i) => i.hash));
    expect(ids(fake.currentPage.selection)).toEqual(nodeIds);
    expect(fake.undo.steps).toHaveLength(1);
    expect(fake.undo.steps[0]!.created).toEqual(expect.arrayContaining(nodeIds));
    // The sources are left as they were.
    expect(sources.map((s) => pluginData(s))).toEqual([{}, {}, {}]);
  });

  it("keeps results in a row of sources off the other sources and off each other", async () => {
    const { fake, port } = fakePort();
    const sources = [];
    for (let i = 0; i < 4; i++) {
      const node = await photo(fake, { x: i * 150, y: 0, width: 100, height: 100 });
      node.name = `Photo ${i + 1}`;
      sources.push(node);
    }
    const { nodeIds } = await placeImages(port, batch(port, sources.map((s) => ({ id: s.id, width: 100, height: 100, name: s.name }))));
    const blocks = nodeIds.map((id) => box(placed(fake, id)));
    const all = [...sources.map(box), ...blocks];
    for (const [i, a] of all.entries()) for (const b of all.slice(i + 1)) expect(intersects(a, b), `${JSON.stringify(a)} over ${JSON.stringify(b)}`).toBe(false);
    // Each still starts at its own source's right.
    expect(blocks.map((b) => b.x)).toEqual(sources.map((s) => s.x + 100 + GAP));
  });

  it("replaces each source's fill with its own result in one undo step", async () => {
    const { fake, port } = fakePort();
    const a = await photo(fake, { x: 0, y: 0, width: 100, height: 100 });
    const b = await photo(fake, { x: 0, y: 500, width: 100, height: 100 });
    fake.clearRecords();
    const req = batch(port, [a, b].map((s) => ({ id: s.id, width: 100, height: 100, name: s.name })), true);
    const { nodeIds } = await placeImages(port, req);
    expect(nodeIds).toEqual([a.id, b.id]);
    expect([hashOf(a), hashOf(b)]).toEqual(req.images.map((i) => i.hash));
    expect([pluginData(a).jobId, pluginData(b).jobId]).toEqual(["job-0", "job-1"]);
    expect(fake.undo.steps).toEqual([{ created: [], changed: expect.arrayContaining([a.id, b.id]), removed: [] }]);
  });

  it("places the results of the sources still there when one was deleted, that one's beside the selection", async () => {
    const { fake, port } = fakePort();
    const a = await photo(fake, { x: 0, y: 0, width: 100, height: 100 });
    const gone = await photo(fake, { x: 0, y: 2000, width: 100, height: 100 });
    const req = batch(port, [a, gone].map((s) => ({ id: s.id, width: 100, height: 100, name: s.name })));
    gone.remove();
    const anchor = rect(fake, { x: 5000, y: 0, width: 10, height: 10 });
    select(fake, [anchor]);
    const { nodeIds } = await placeImages(port, req);
    expect(nodeIds.map((id) => placed(fake, id).x)).toEqual([100 + GAP, 5010 + GAP]);
  });

  it("leaves nothing behind and changes no fill when a later result is refused", async () => {
    const { fake, port } = fakePort();
    const a = await photo(fake, { x: 0, y: 0, width: 100, height: 100 });
    const b = await photo(fake, { x: 0, y: 500, width: 100, height: 100 });
    const before = hashOf(a);
    fake.clearRecords();
    const req = batch(port, [a, b].map((s) => ({ id: s.id, width: 100, height: 100, name: s.name })));
    // The first goes into its source's fill, the second beside its source with a hash Figma refuses.
    const images = [{ ...req.images[0]!, source: { nodeId: a.id, replace: true } }, { ...req.images[1]!, hash: "not-a-sha1" }];
    await expect(placeImages(port, { ...req, images })).rejects.toThrow("Invalid SHA1 hash");
    expect(hashOf(a)).toBe(before);
    expect(ids(fake.currentPage.children)).toEqual(ids([a, b]));
    expect(fake.undo.commits).toBe(0);
  });
});

describe("placing a Create batch", () => {
  it("wraps its images into rows of ten, numbered across the batch", async () => {
    const { fake, port } = fakePort();
    const images = receive(port, Array.from({ length: 20 }, () => ({ width: 100, height: 100 }))).map((image, i) => ({ ...image, jobId: `job-${Math.floor(i / 10)}`, name: `boats ${i + 1}` }));
    const { nodeIds } = await placeImages(port, { name: "boats", images, provenance: { jobId: "job-0", operation: "create", prompt: "boats" } });
    const nodes = nodeIds.map((id) => placed(fake, id));
    expect(new Set(nodes.map((n) => n.y)).size).toBe(2);
    expect(nodes[10]!.x).toBe(nodes[0]!.x);
    expect(nodes[10]!.y).toBe(nodes[0]!.y + 100 + GAP);
    expect(nodes.map((n) => n.name)).toEqual(images.map((i) => i.name));
    expect(nodes.map((n) => pluginData(n).jobId)).toEqual(images.map((i) => i.jobId));
    expect(fake.undo.commits).toBe(1);
  });
});
