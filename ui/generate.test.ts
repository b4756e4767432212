import { describe, expect, it } from "vitest";
import type { Job } from "../core/api/responses.ts";
import { ApiError } from "./api-error.ts";
import { generate, layerName, type GenerateDeps, type Progress } from "./generate.ts";
import type { PlaceImagesInput } from "./plugin-bridge.ts";
import { asset, job, spec } from "./testing/fixtures.ts";

function deps(final: Job, place: (input: PlaceImagesInput) => Promise<string[]> = async (i) => i.images.map((_, n) => `node-${n}`)) {
  const log = { keys: [] as string[], placed: [] as PlaceImagesInput[], progress: [] as Progress["phase"][], fetched: [] as string[] };
  const d: GenerateDeps = {
    api: {
      createJob: async (_spec, key) => {
        log.keys.push(key);
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
    place: async (input) => {
      log.placed.push(input);
      return place(input);
    },
    newKey: () => `key-${log.keys.length + 1}`,
    onProgress: (p) => log.progress.push(p.phase),
  };
  return { d, log };
}

const succeeded = job({ status: "succeeded", assets: [asset("a1"), asset("a2")], charged: 8, held: 0, progress: { stage: "done", completed: 2, total: 2 } });

describe("generate", () => {
  it("starts one job, follows it, fetches every image and places them in one message", async () => {
    const { d, log } = deps(succeeded);
    const result = await generate(spec, d);
    expect(result.nodeIds).toEqual(["node-0", "node-1"]);
    expect(log.keys).toEqual(["key-1"]);
    expect(log.progress).toEqual(["starting", "queued", "running", "placing"]);
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
    expect(log.placed[0]!.images[0]!.bytes).toBeInstanceOf(Uint8Array);
  });

  it("fails with the job's error, noting nothing was charged, and places nothing", async () => {
    const { d, log } = deps(job({ status: "failed", error: { code: "provider_error", message: "upstream 500" }, charged: 0, held: 0 }));
    const error = await generate(spec, d).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "provider_error", message: "upstream 500", details: { jobId: "job-1", charged: 0 } });
    expect(log.placed).toEqual([]);
  });

  it("reports a placement failure as such, with what was charged", async () => {
    const { d } = deps(succeeded, async () => {
      throw new Error("Image type is unsupported");
    });
    await expect(generate(spec, d)).rejects.toMatchObject({ code: "placement_failed", details: { charged: 8 } });
  });

  it("names layers after the start of the prompt", () => {
    expect(layerName("  a   red\nfox ")).toBe("a red fox");
    expect(layerName("x".repeat(100))).toHaveLength(60);
  });
});
