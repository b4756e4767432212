import { describe, expect, it } from "vitest";
import { upscaleSpecSchema } from "../../core/api/specs.ts";
import { estimate } from "../../core/estimate.ts";
import type { Selection } from "../../core/messages.ts";
import { badgeFor } from "../jobs/badge.ts";
import { estimateContext } from "../jobs/estimate-context.ts";
import { inputOf } from "../jobs/image-form.ts";
import { catalog, me } from "../testing/fixtures.ts";
import { buildUpscaleSpec, initialUpscaleForm, upscaleFormFromSpec, upscaleProblem, upscaleResultSize, type UpscaleForm } from "./upscale-form.ts";

const photo = { id: "1:2", name: "Photo", width: 1024, height: 768, source: "fill" as const };
const selected = (patch: Partial<typeof photo> = {}): Selection => ({ items: [], image: { ...photo, ...patch } });
const form = (patch: Partial<UpscaleForm>): UpscaleForm => ({ ...initialUpscaleForm(), ...patch });

describe("the Upscale form", () => {
  it("makes 4x with fast and grows the long side to 4096 otherwise, never past what Figma holds", () => {
    expect(upscaleResultSize("fast", { width: 512, height: 384 })).toEqual({ width: 2048, height: 1536 });
    expect(upscaleResultSize("fast", { width: 1024, height: 768 })).toEqual({ width: 4096, height: 3072 });
    expect(upscaleResultSize("fast", { width: 1536, height: 1000 })).toEqual({ width: 4096, height: 2667 });
    expect(upscaleResultSize("conservative", { width: 512, height: 384 })).toEqual({ width: 4096, height: 3072 });
    expect(upscaleResultSize("creative", { width: 300, height: 1200 })).toEqual({ width: 1024, height: 4096 });
    expect(upscaleResultSize("conservative", { width: 4096, height: 2000 })).toEqual({ width: 4096, height: 2000 });
  });

  it("sends a prompt and creativity with creative only", () => {
    expect(buildUpscaleSpec(form({ prompt: "a fox", creativity: 0.5 }))).toEqual({ operation: "upscale", mode: "fast", provider: "auto" });
    expect(buildUpscaleSpec(form({ mode: "creative", prompt: " a fox ", creativity: 0.5 }), { width: 512, height: 512 })).toEqual({
      operation: "upscale",
      mode: "creative",
      provider: "auto",
      prompt: "a fox",
      creativity: 0.5,
      input: { width: 512, height: 512 },
    });
    expect(upscaleSpecSchema.safeParse(buildUpscaleSpec(form({ mode: "creative", prompt: "x" }))).success).toBe(true);
  });

  it("says what keeps it from being sent", () => {
    expect(upscaleProblem(form({}), { items: [] })).toBe("Select an image to upscale");
    expect(upscaleProblem(form({}), selected({ width: 40 }))).toMatch(/too small/);
    expect(upscaleProblem(form({}), selected({ width: 4096, height: 4096 }))).toMatch(/already 4096 px/);
    expect(upscaleProblem(form({ mode: "creative" }), selected())).toBe("Describe the image for the creative upscale");
    expect(upscaleProblem(form({ mode: "creative", prompt: "a fox" }), selected())).toBeNull();
    expect(upscaleProblem(form({}), selected())).toBeNull();
  });

  it("prices the badge by mode at the image's size", () => {
    const ctx = estimateContext(me(), [{ id: "stability", name: "Stability AI", configured: true }]);
    const badge = (f: UpscaleForm, selection: Selection) => badgeFor(estimate(buildUpscaleSpec(f, inputOf(selection.image)), catalog, ctx), upscaleProblem(f, selection), catalog);
    expect(badge(form({}), selected())).toMatchObject({ state: "price", credits: catalog.upscale.fast.credits });
    expect(badge(form({ mode: "conservative" }), selected())).toMatchObject({ state: "price", credits: catalog.upscale.conservative.credits });
    expect(badge(form({ mode: "conservative" }), selected({ width: 2048, height: 1536 })).credits).toBe(catalog.upscale.conservative.credits + 1);
    expect(badge(form({}), { items: [] })).toMatchObject({ state: "empty", enabled: false });
  });

  it("sends the seed and the image's library asset, and refuses a bad seed", () => {
    expect(buildUpscaleSpec(form({ seed: "5" }), undefined, { sourceAssetId: "ast_abcdefghij234567" })).toEqual({
      operation: "upscale",
      mode: "fast",
      provider: "auto",
      seed: 5,
      sourceAssetId: "ast_abcdefghij234567",
    });
    expect(upscaleProblem(form({ seed: "1.5" }), selected())).toMatch(/seed must be a whole number/);
  });

  it("reopens a Regenerate relaunch with the settings that made the result", () => {
    const spec = { operation: "upscale", mode: "creative", prompt: "a fox", creativity: 0.6, provider: "stability", seed: 3 };
    expect(upscaleFormFromSpec(catalog, JSON.stringify(spec))).toEqual({ ...initialUpscaleForm(), mode: "creative", prompt: "a fox", creativity: 0.6, provider: "stability", seed: "3" });
    expect(upscaleFormFromSpec(catalog, JSON.stringify({ operation: "upscale", mode: "conservative", provider: "gone" }))).toEqual({ ...initialUpscaleForm(), mode: "conservative" });
    expect(upscaleFormFromSpec(catalog, JSON.stringify({ operation: "upscale", mode: "huge" }))).toBeNull();
    expect(upscaleFormFromSpec(catalog, "nope")).toBeNull();
  });
});
