import { describe, expect, it } from "vitest";
import type { Job } from "../../core/api/responses.ts";
import { ApiError } from "../connection/api-error.ts";
import type { PlaceInput } from "../connection/plugin-bridge.ts";
import { placeAll } from "../testing/fake-place.ts";
import { asset, job, spec } from "../testing/fixtures.ts";
import { layerName, progressRun, runJob, type Progress, type RunJobDeps } from "./run-job.ts";

function deps(final: Job, place: RunJobDeps["place"] = placeAll) {
  const log = { keys: [] as string[], parts: [] as unknown[], placed: [] as PlaceInput[], progress: [] as string[], fetched: [] as string[] };
  const d: RunJobDeps = {
    api: {
      createJob: async (_spec, key, parts) => {
        log.keys.push(key);
        log.parts.push(parts);
        return job();
      },
      waitForJob: async (_job, options) => {
        options?.onUpdate?.(job({ status: "running", progress: { stage: "running", completed: 1, total: 2 } }));
        return final;
      },
      assetBytes: async (url) => {
        log.fetched.push(url);
        return new Uint8Array([137, 80, 78, 71]);
      },
    },
    place: async (input, onProgress) => {
      log.placed.push(input);
      return place(input, onProgress);
    },
    newKey: () => `key-${log.keys.length + 1}`,
    onProgress: (p) => log.progress.push(p.phase === "placing" ? `placing ${p.taken}` : p.phase),
  };
  return { d, log };
}

const succeeded = job({ status: "succeeded", assets: [asset("a1"), asset("a2")], charged: 8, held: 0, progress: { stage: "done", completed: 2, total: 2 } });

describe("runJob", () => {
  it("starts one job, follows it, and hands its images over one at a time, each fetched when its turn comes", async () => {
    const { d, log } = deps(succeeded);
    const result = await runJob({ spec, name: "a fox" }, d);
    expect(result.nodeIds).toEqual(["node-0", "node-1"]);
    expect(log.keys).toEqual(["key-1"]);
    expect(log.progress).toEqual(["starting", "queued", "running", "placing 0", "placing 1", "placing 2"]);
    expect(log.fetched).toEqual(["/v1/assets/a1/content", "/v1/assets/a2/content"]);
    expect(log.placed).toHaveLength(1);
    expect(log.placed[0]).toMatchObject({
      name: "a fox",
      images: [
        { width: 1024, height: 1024, assetId: "a1" },
        { width: 1024, height: 1024, assetId: "a2" },
      ],
      provenance: { jobId: "job-1", operation: "create", prompt: "a fox", spec: JSON.stringify(spec) },
    });
    expect(await log.placed[0]!.images[0]!.bytes()).toBeInstanceOf(Uint8Array);
  });

  it("fails with the job's error, noting nothing was charged, and places nothing", async () => {
    const { d, log } = deps(job({ status: "failed", error: { code: "provider_error", message: "upstream 500" }, charged: 0, held: 0 }));
    const error = await runJob({ spec, name: "a fox" }, d).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "provider_error", message: "upstream 500", details: { jobId: "job-1", charged: 0 } });
    expect(log.placed).toEqual([]);
  });

  it("reports a placement failure as such, with what was charged", async () => {
    const { d } = deps(succeeded, async () => {
      throw new Error("Image type is unsupported");
    });
    await expect(runJob({ spec, name: "a fox" }, d)).rejects.toMatchObject({ code: "placement_failed", details: { charged: 8 } });
  });

  it("sends an edit's image parts and places the result by its source node", async () => {
    const { d, log } = deps(job({ status: "succeeded", operation: "edit", assets: [asset("a1")], charged: 4, progress: { stage: "done", completed: 1, total: 1 } }));
    const edit = { operation: "edit" as const, kind: "erase" as const, provider: "auto" };
    const parts = { image: new Uint8Array([137]), mask: new Uint8Array([137]) };
    const result = await runJob({ spec: edit, name: "Photo · Erase", parts, source: { nodeId: "1:2", replace: true } }, d);
    expect(result.nodeIds).toEqual(["node-0"]);
    expect(log.parts).toEqual([parts]);
    expect(log.placed[0]).toMatchObject({ name: "Photo · Erase", source: { nodeId: "1:2", replace: true }, provenance: { operation: "edit", spec: JSON.stringify(edit) } });
    expect(log.placed[0]!.provenance).not.toHaveProperty("prompt");
  });

  it("says which image is being placed, and where the results went when it is another page", async () => {
    const placing = (taken: number) => progressRun({ phase: "placing", job: succeeded, taken }, "Generating");
    expect(placing(0)).toEqual({ status: "placing", text: "Placing 1 of 2 images on the canvas…", fraction: 0 });
    expect(placing(1)).toMatchObject({ text: "Placing 2 of 2 images on the canvas…", fraction: 0.5 });
    expect(placing(2)).toMatchObject({ text: "Placing 2 images on the canvas…", fraction: 1 });
    const { d } = deps(succeeded, async (input) => ({ nodeIds: ["n"], page: { id: "0:2", name: "Moodboard" } }));
    expect(await runJob({ spec, name: "a fox" }, d)).toMatchObject({ nodeIds: ["n"], page: { name: "Moodboard" } });
  });

  it("words progress for the studio that runs it", () => {
    const running = (completed: number, total: number) => progressRun({ phase: "running", job: job({ status: "running", progress: { stage: "running", completed, total } }) }, "Upscaling");
    expect(running(0, 1)).toEqual({ status: "running", text: "Upscaling…", fraction: 0 });
    expect(running(1, 2).text).toBe("Upscaling · 1 of 2 done");
    expect(progressRun({ phase: "queued", job: job({ progress: { stage: "queued", queuePosition: 3, completed: 0, total: 1 } }) }, "x").text).toBe("Queued · position 3");
  });

  it("names layers after the start of the prompt", () => {
    expect(layerName("  a   red\nfox ")).toBe("a red fox");
    expect(layerName("x".repeat(100))).toHaveLength(60);
  });
});
