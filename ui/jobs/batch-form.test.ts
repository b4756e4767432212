import { describe, expect, it } from "vitest";
import type { ImageTarget } from "../../core/messages.ts";
import { editBatchProblem, initialEditForm } from "../edit/edit-form.ts";
import { socialBatchProblem } from "../social/social-form.ts";
import { initialUpscaleForm, upscaleBatchProblem } from "../upscale/upscale-form.ts";
import { batchImages, batchReplaceBlocker } from "./batch-form.ts";

const image = (name: string, width = 512, height = 384, extra: Partial<ImageTarget> = {}): ImageTarget => ({ id: `id-${name}`, name, width, height, source: "fill", ...extra });

describe("a selection of several images", () => {
  it("is a batch from two images on; one image is a single job", () => {
    const one = image("A");
    expect(batchImages({ items: [], image: one, images: [one] })).toBeNull();
    expect(batchImages({ items: [], images: [one, image("B")] })?.map((i) => i.name)).toEqual(["A", "B"]);
    expect(batchImages({ items: [], problem: "x" })).toBeNull();
  });

  it("refuses masked edits when an image has no shape over it, naming it, before pricing", () => {
    const images = [image("A", 512, 384, { maskShape: { id: "s1", name: "Oval" } }), image("B")];
    const erase = { ...initialEditForm(), kind: "erase" as const };
    expect(editBatchProblem(erase, images)).toBe("“B” has no shape drawn over it: draw one over each image to erase, or leave it out of the selection");
    expect(editBatchProblem(erase, [images[0]!])).toBeNull();
    // Edits that need no mask take every image; one prompt serves them all.
    expect(editBatchProblem(initialEditForm(), images)).toBeNull();
    expect(editBatchProblem({ ...initialEditForm(), kind: "general" }, images)).toBe("Fill in “Instruction”");
  });

  it("names the image too small or already as big as Figma holds", () => {
    expect(upscaleBatchProblem(initialUpscaleForm(), [image("A"), image("Tiny", 32, 32)])).toBe("“Tiny” is too small to upscale: at least 64 px a side");
    expect(upscaleBatchProblem({ ...initialUpscaleForm(), mode: "conservative" }, [image("A"), image("Huge", 4096, 2048)])).toMatch(/^“Huge” is already 4096 px/);
    expect(upscaleBatchProblem(initialUpscaleForm(), [image("A"), image("B")])).toBeNull();
    expect(socialBatchProblem({ formats: [], crop: "smart", focal: null }, [image("A"), image("B")])).toBe("Pick at least one format");
  });

  it("replaces fills only when every image has one", () => {
    expect(batchReplaceBlocker([image("A"), image("B")])).toBeNull();
    expect(batchReplaceBlocker([image("A"), image("Card", 300, 200, { source: "render" })])).toBe("“Card” is not an image fill: each result goes beside its image");
  });
});
