import { describe, expect, it } from "vitest";
import { upscaleSpecSchema } from "../../core/api/specs.ts";
import { asset, job } from "../testing/fixtures.ts";
import { imageProblem, inputOf, partsOf, replaceBlocker, resultText, resultWhere, sourceOf, specFrom } from "./image-form.ts";

const photo = { id: "1:2", name: "Photo", width: 1024, height: 768, source: "fill" as const };

describe("the selected image as a job's input", () => {
  it("passes the plugin's problem through and adds its own", () => {
    expect(imageProblem({ items: [] }, "edit")).toBe("Select an image to edit");
    expect(imageProblem({ items: [], problem: "Select the image and one shape drawn over it" }, "edit")).toBe("Select the image and one shape drawn over it");
    expect(imageProblem({ items: [], image: { ...photo, height: 63 } }, "upscale")).toBe("The image is too small to upscale: at least 64 px a side");
    expect(imageProblem({ items: [], image: photo }, "edit")).toBeNull();
  });

  it("is priced at the image's pixel size", () => {
    expect(inputOf(photo)).toEqual({ width: 1024, height: 768 });
    expect(inputOf(undefined)).toBeUndefined();
  });

  it("replaces only image fills, and says where the result goes", () => {
    expect(replaceBlocker(photo)).toBeNull();
    expect(replaceBlocker({ ...photo, source: "render" })).toMatch(/Only an image fill/);
    expect(resultWhere(undefined, false)).toBe("Select an image on the canvas");
    expect(resultWhere(photo, true)).toBe("Replaces the image in “Photo”");
    expect(resultWhere(photo, false)).toBe("The result goes beside “Photo”");
    const done = job({ status: "succeeded", assets: [asset("a1")], charged: 4 });
    expect(resultText({ job: done, nodeIds: ["1:2"] }, photo)).toBe("Replaced the image · 4 credits charged");
    expect(resultText({ job: done, nodeIds: ["9:9"] }, photo)).toBe("Placed beside “Photo” · 4 credits charged");
    const reused = job({ status: "succeeded", assets: [asset("a1")], charged: 0, reusedFrom: "job-0" });
    expect(resultText({ job: reused, nodeIds: ["9:9"] }, photo)).toBe("Placed beside “Photo” · reused for 0 credits");
  });

  it("turns the plugin's export into the job's multipart parts", () => {
    const b = new Uint8Array([1]);
    const img = { bytes: b, width: 64, height: 64 };
    expect(partsOf({ image: img })).toEqual({ image: b });
    expect(partsOf({ image: img, mask: img, lightReference: img })).toEqual({ image: b, mask: b, lightReference: b });
  });
});

describe("where the image came from", () => {
  it("names the library asset of an unchanged result of this plugin, if it is an asset id", () => {
    expect(sourceOf({ ...photo, assetId: "ast_abcdefghij234567" })).toEqual({ sourceAssetId: "ast_abcdefghij234567" });
    expect(sourceOf({ ...photo, assetId: "not-an-asset" })).toEqual({});
    expect(sourceOf(photo)).toEqual({});
    expect(sourceOf(undefined)).toEqual({});
  });

  it("parses a relaunch spec with core's schema, or gives null", () => {
    expect(specFrom(JSON.stringify({ operation: "upscale", mode: "fast" }), upscaleSpecSchema)).toEqual({ operation: "upscale", mode: "fast", provider: "auto" });
    expect(specFrom(JSON.stringify({ operation: "upscale", mode: "fast", extra: 1 }), upscaleSpecSchema)).toBeNull();
    expect(specFrom("{", upscaleSpecSchema)).toBeNull();
    expect(specFrom(undefined, upscaleSpecSchema)).toBeNull();
  });
});
