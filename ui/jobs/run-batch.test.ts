import { describe, expect, it } from "vitest";
import type { BatchView, Job } from "../../core/api/responses.ts";
import type { UpscaleSpec } from "../../core/api/specs.ts";
import type { FollowOptions } from "../connection/api-client.ts";
import { ApiError } from "../connection/api-error.ts";
import type { PlaceInput } from "../connection/plugin-bridge.ts";
import { placeAll } from "../testing/fake-place.ts";
import { asset, batchView, job } from "../testing/fixtures.ts";
import { batchRun, itemRow, runBatch, type BatchProgress, type BatchRequest, type RunBatchDeps } from "./run-batch.ts";

const spec: UpscaleSpec = { operation: "upscale", mode: "fast", provider: "auto" };

function item(index: number, overrides: Partial<Job> = {}): Job {
  return job({ id: `job-${index}`, operation: "upscale", batch: { id: "bat-1", index }, held: 2, progress: { stage: "queued", completed: 0, total: 1 }, ...overrides });
}
const done = (index: number) => item(index, { status: "succeeded", held: 0, charged: 2, assets: [asset(`a${index}`)], progress: { stage: "done", completed: 1, total: 1 } });
const failed = (index: number, code: "provider_error" | "cancelled", message: string) =>
  item(index, { status: "failed", held: 0, error: { code, message }, progress: { stage: "done", completed: 0, total: 1 } });

const view = batchView;

function rig(final: BatchView, place: RunBatchDeps["place"] = placeAll) {
  const log = { keys: [] as string[], bodies: [] as unknown[], parts: [] as unknown[], placed: [] as PlaceInput[], progress: [] as string[], exports: [] as string[], started: [] as string[] };
  const d: RunBatchDeps = {
    api: {
      createBatch: async (batch, key, parts) => {
        log.keys.push(key);
        log.bodies.push(batch);
        log.parts.push(parts);
        return view(batch.items.map((_, i) => item(i)));
      },
      followBatch: async (_b, options?: FollowOptions) => {
        final.items.forEach((j, i) => options?.onItem?.(i, j));
        options?.onBatch?.(final);
        return final;
      },
      assetBytes: async () => new Uint8Array([137, 80, 78, 71]),
    },
    place: async (input, onProgress) => {
      log.placed.push(input);
      return place(input, onProgress);
    },
    newKey: () => `key-${log.keys.length + 1}`,
    onStarted: (b) => log.started.push(b.id),
    onProgress: (p: BatchProgress) => log.progress.push(p.phase === "running" ? `running ${p.batch.progress.succeeded + p.batch.progress.failed}` : p.phase === "placing" ? `placing ${p.taken}` : p.phase === "exporting" ? `exporting ${p.done}` : p.phase),
  };
  return { d, log };
}

function request(): BatchRequest {
  return {
    name: "Upscale",
    items: [0, 1, 2].map((i) => ({
      spec,
      name: `Photo ${i + 1}`,
      source: { nodeId: `node-src-${i}`, replace: false },
      parts: async () => {
        log.exports.push(`Photo ${i + 1}`);
        return { image: new Uint8Array([i]) };
      },
    })),
  };
}
let log: ReturnType<typeof rig>["log"];

describe("runBatch", () => {
  it("exports each image in turn, starts one batch with one key, and places every result beside its own source as one placement", async () => {
    const r = rig(view([done(0), done(1), done(2)]));
    log = r.log;
    const result = await runBatch(request(), r.d);
    expect(log.exports).toEqual(["Photo 1", "Photo 2", "Photo 3"]);
    expect(log.keys).toEqual(["key-1"]);
    expect(log.bodies).toEqual([{ items: [spec, spec, spec] }]);
    expect(log.parts).toEqual([[{ image: new Uint8Array([0]) }, { image: new Uint8Array([1]) }, { image: new Uint8Array([2]) }]]);
    expect(log.started).toEqual(["bat-1"]);
    expect(log.placed).toHaveLength(1);
    expect(log.placed[0]!.images.map((i) => [i.assetId, i.jobId, i.name, i.source?.nodeId])).toEqual([
      ["a0", "job-0", "Photo 1", "node-src-0"],
      ["a1", "job-1", "Photo 2", "node-src-1"],
      ["a2", "job-2", "Photo 3", "node-src-2"],
    ]);
    expect(result.nodeIds).toHaveLength(3);
    expect(result.failures).toEqual([]);
    expect(log.progress).toEqual(["exporting 0", "exporting 1", "exporting 2", "starting", "running 0", "running 1", "running 2", "running 3", "running 3", "placing 0", "placing 1", "placing 2", "placing 3"]);
  });

  it("places the delivered items and lists the failed one with its reason, not charged", async () => {
    const r = rig(view([done(0), failed(1, "content_rejected" as "provider_error", "Stability refused the request under its content policy. Nothing was charged."), done(2)]));
    log = r.log;
    const result = await runBatch(request(), r.d);
    expect(log.placed[0]!.images.map((i) => i.source?.nodeId)).toEqual(["node-src-0", "node-src-2"]);
    expect(result.batch.charged).toBe(4);
    expect(result.failures).toEqual([{ index: 1, name: "Photo 2", code: "content_rejected", message: expect.stringMatching(/content policy/), charged: 0 }]);
    expect(itemRow(result.batch.items[1], 1, "Photo 2")).toMatchObject({ status: "failed", text: expect.stringMatching(/content policy.* · not charged$/) });
  });

  it("places nothing and calls nobody when no item delivered", async () => {
    const r = rig(view([failed(0, "cancelled", "Cancelled"), failed(1, "cancelled", "Cancelled"), failed(2, "cancelled", "Cancelled")], { cancelled: true }));
    log = r.log;
    const result = await runBatch(request(), r.d);
    expect(log.placed).toEqual([]);
    expect(result.nodeIds).toEqual([]);
    expect(result.failures.map((f) => f.code)).toEqual(["cancelled", "cancelled", "cancelled"]);
    expect(itemRow(result.batch.items[0], 0, "Photo 1")).toEqual({ index: 0, name: "Photo 1", status: "cancelled", text: "Cancelled · not charged" });
  });

  it("sends nothing when an image cannot be exported, naming it", async () => {
    const r = rig(view([done(0)]));
    log = r.log;
    const req = request();
    req.items[1]!.parts = async () => {
      throw new Error("Draw a shape over “Photo 2” for its mask");
    };
    const error = await runBatch(req, r.d).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "export_failed", message: "“Photo 2”: Draw a shape over “Photo 2” for its mask" });
    expect(log.keys).toEqual([]);
  });

  it("tags the placement with the settings Regenerate reopens: the request's own spec, else the first delivered item's", async () => {
    const r = rig(view([failed(0, "provider_error", "x"), done(1), done(2)]));
    log = r.log;
    await runBatch(request(), r.d);
    expect(log.placed[0]!.provenance).toMatchObject({ jobId: "job-1", operation: "upscale", spec: JSON.stringify(spec) });
    // Create's 20 drafts run as items of 10; Regenerate repeats the 20 asked for, not one item's 10.
    const create = { operation: "create", prompt: "a fox", quality: "draft", provider: "auto", variations: 10 } as const;
    const drafts = rig(view([done(0), done(1)]));
    log = drafts.log;
    await runBatch({ name: "a fox", spec: { ...create, variations: 20 }, items: [0, 1].map((i) => ({ spec: create, name: `a fox ${i * 10 + 1}`, numberFrom: i * 10 + 1 })) }, drafts.d);
    expect(log.bodies).toEqual([{ items: [create, create] }]);
    expect(log.placed[0]!.provenance).toEqual({ jobId: "job-0", operation: "create", prompt: "a fox", spec: JSON.stringify({ ...create, variations: 20 }) });
  });

  it("says the batch was charged when placing fails", async () => {
    const r = rig(view([done(0), done(1), done(2)]), async () => {
      throw new Error("Figma refused");
    });
    log = r.log;
    await expect(runBatch(request(), r.d)).rejects.toMatchObject({ code: "placement_failed", details: { batchId: "bat-1", charged: 6 } });
  });
});

describe("batchRun", () => {
  it("counts finished items, failed ones too", () => {
    const b = view([done(0), failed(1, "provider_error", "x"), item(2, { status: "running" })]);
    expect(batchRun({ phase: "running", batch: b }, "Upscaling")).toEqual({ status: "running", text: "Upscaling · 2 of 3 done", fraction: 2 / 3 });
    expect(batchRun({ phase: "exporting", done: 1, total: 5 }, "Upscaling").text).toBe("Reading image 2 of 5 from the canvas…");
  });
});
