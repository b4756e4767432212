import { describe, expect, it } from "vitest";
import { batchBadgeFor } from "../jobs/batch-badge.ts";
import { estimate } from "../../core/estimate.ts";
import { badgeFor } from "../jobs/badge.ts";
import { estimateContext } from "../jobs/estimate-context.ts";
import { providerOptions } from "../jobs/provider-options.ts";
import { catalog, me, onlyLocal } from "../testing/fixtures.ts";
import { aspectRatioOptions, buildCreateSpec, CREATE_IMAGES_MAX, createBatchFor, formFromSpec, formProblem, initialForm, modelOptions, parseVariations, relaunchSpec } from "./create-form.ts";

describe("the Create form", () => {
  it("starts at standard quality, auto routing, the catalog's default ratio and one image", () => {
    expect(initialForm(catalog)).toEqual({
      prompt: "",
      quality: "standard",
      provider: "auto",
      model: "auto",
      aspectRatio: "1:1",
      variations: "1",
      negativePrompt: "",
      seed: "",
      templateId: "",
      stylePreset: "",
    });
  });

  it("builds the spec it stands for, with a model only for an explicit provider", () => {
    const form = { ...initialForm(catalog), prompt: "  a fox  ", variations: "3", aspectRatio: "16:9" };
    expect(buildCreateSpec(form)).toEqual({ operation: "create", prompt: "a fox", quality: "standard", provider: "auto", aspectRatio: "16:9", variations: 3 });
    expect(buildCreateSpec({ ...form, model: "ultra" })).not.toHaveProperty("model");
    expect(buildCreateSpec({ ...form, provider: "stability", model: "ultra" })).toMatchObject({ provider: "stability", model: "ultra" });
    expect(buildCreateSpec({ ...form, provider: "stability", model: "auto" })).not.toHaveProperty("model");
  });

  it("sends the negative prompt, seed and template only when set", () => {
    const form = { ...initialForm(catalog), prompt: "a fox" };
    expect(Object.keys(buildCreateSpec(form))).not.toEqual(expect.arrayContaining(["negativePrompt"]));
    expect(buildCreateSpec({ ...form, negativePrompt: "  ", seed: "" })).not.toHaveProperty("negativePrompt");
    expect(buildCreateSpec({ ...form, seed: "" })).not.toHaveProperty("seed");
    expect(buildCreateSpec({ ...form, negativePrompt: " text ", seed: "0", templateId: "hero-image", stylePreset: "cinematic" })).toMatchObject({
      negativePrompt: "text",
      seed: 0,
      templateId: "hero-image",
      stylePreset: "cinematic",
    });
  });

  it("accepts 1 to 10 variations only", () => {
    expect(["1", "10", " 4 "].map(parseVariations)).toEqual([1, 10, 4]);
    expect(["0", "11", "", "2.5", "-1", "x"].map(parseVariations)).toEqual([null, null, null, null, null, null]);
    expect(buildCreateSpec({ ...initialForm(catalog), prompt: "a", variations: "" }).variations).toBe(1);
  });

  it("says what keeps it from being sent", () => {
    const form = { ...initialForm(catalog), prompt: "a fox" };
    expect(formProblem(form)).toBeNull();
    expect(formProblem({ ...form, prompt: "   " })).toMatch(/Describe/);
    expect(formProblem({ ...form, variations: "1001" })).toMatch(/1 to 1000/);
    expect(formProblem({ ...form, variations: "0" })).toMatch(/1 to 1000/);
    expect(formProblem({ ...form, variations: "20" })).toBeNull();
    expect(formProblem({ ...form, prompt: "x".repeat(10_001) })).toMatch(/prompt .*10000/);
    expect(formProblem({ ...form, seed: "12x" })).toMatch(/seed must be a whole number from 0 to 4294967294/);
    expect(formProblem({ ...form, seed: "4294967295" })).toMatch(/seed/);
    expect(formProblem({ ...form, seed: " 7 " })).toBeNull();
  });

  it("offers the chosen provider's models and every aspect ratio", () => {
    expect(modelOptions(catalog, "auto")).toEqual([]);
    expect(modelOptions(catalog, "huggingface")).toEqual([{ id: "flux-schnell", label: "FLUX.1 schnell" }]);
    // Edit-only models are not offered for creating.
    expect(modelOptions(catalog, "wavespeed").map((m) => m.id)).not.toContain("qwen-image-edit");
    expect(aspectRatioOptions(catalog)[1]).toEqual({ id: "16:9", label: "16:9 · 1344×768" });
  });

  it("prefills from a Regenerate spec, dropping what the catalog no longer offers", () => {
    const spec = JSON.stringify({ operation: "create", prompt: "a fox", quality: "premium", provider: "stability", model: "ultra", aspectRatio: "4:3", variations: 2 });
    expect(formFromSpec(catalog, spec)).toEqual({ ...initialForm(catalog), prompt: "a fox", quality: "premium", provider: "stability", model: "ultra", aspectRatio: "4:3", variations: "2" });
    const seeded = JSON.stringify({ operation: "create", prompt: "a fox", negativePrompt: "text", quality: "draft", seed: 42, templateId: "hero-image", stylePreset: "photo" });
    expect(formFromSpec(catalog, seeded)).toMatchObject({ negativePrompt: "text", seed: "42", templateId: "hero-image", stylePreset: "photo" });
    expect(formFromSpec(catalog, JSON.stringify({ operation: "create", prompt: "a", quality: "draft", templateId: "retired" }))).toMatchObject({ templateId: "", stylePreset: "" });
    const gone = JSON.stringify({ operation: "create", prompt: "a fox", quality: "draft", provider: "retired", aspectRatio: "7:3" });
    expect(formFromSpec(catalog, gone)).toMatchObject({ provider: "auto", model: "auto", aspectRatio: "1:1" });
    // A Create batch's results carry the whole count asked for (relaunchSpec): Regenerate reopens 20, not one item's 10.
    const twenty = { ...initialForm(catalog), prompt: "a fox", variations: "20", seed: "7" };
    const reopened = formFromSpec(catalog, JSON.stringify(relaunchSpec(twenty)));
    expect(reopened).toEqual(twenty);
    expect(createBatchFor(reopened!, catalog, "pro")).toEqual(createBatchFor(twenty, catalog, "pro"));
    expect(formFromSpec(catalog, JSON.stringify({ ...relaunchSpec(twenty), variations: CREATE_IMAGES_MAX + 1 }))).toBeNull();
    expect(formFromSpec(catalog, "not json")).toBeNull();
    expect(formFromSpec(catalog, undefined)).toBeNull();
  });

  it("disables a model its provider reported gone, with the proxy's reason, and the estimate routes past it", () => {
    const reason = "Gemini no longer serves gemini-3.1-flash-image (404: not found)";
    const statuses = onlyLocal.map((s) =>
      s.id === "gemini" ? { id: s.id, name: s.name, configured: true, unavailableModels: [{ model: "gemini-3.1-flash-image", reason, since: "2026-11-20T10:00:00.000Z" }] } : s,
    );
    expect(modelOptions(catalog, "gemini", statuses)).toEqual([
      { id: "gemini-3.1-flash-image", label: "Gemini 3.1 Flash Image", unavailable: reason },
      { id: "gemini-3-pro-image", label: "Gemini 3 Pro Image" },
    ]);
    const ctx = estimateContext(me(), statuses);
    expect(ctx.unavailableModels).toEqual({ "gemini/gemini-3.1-flash-image": reason });
    const spec = buildCreateSpec({ ...initialForm(catalog), prompt: "a fox", provider: "gemini", model: "gemini-3.1-flash-image" });
    const badge = badgeFor(estimate(spec, catalog, ctx), formProblem({ ...initialForm(catalog), prompt: "a fox" }), catalog);
    expect(badge).toMatchObject({ state: "unavailable", enabled: false, hint: `Gemini 3.1 Flash Image is no longer offered by Google Gemini: ${reason}` });
    // With every model gone, the provider itself is off, saying why.
    const allGone = statuses.map((s) =>
      s.id === "gemini" ? { ...s, unavailableModels: ["gemini-3.1-flash-image", "gemini-3-pro-image"].map((model) => ({ model, reason, since: "x" })) } : s,
    );
    expect(providerOptions(catalog, allGone).find((o) => o.id === "gemini")).toEqual({ id: "gemini", name: "Google Gemini", configured: false, reason: "Google Gemini no longer offers any of its models" });
  });
});

describe("more images than one job may make", () => {
  const form = { ...initialForm(catalog), prompt: "a paper boat", quality: "draft" as const, seed: "100" };

  it("runs example 4's 20 drafts as a batch of jobs of the tier's most variations, priced as one", () => {
    const pro = catalog.tiers.find((t) => t.id === "pro")!;
    const batch = createBatchFor({ ...form, variations: "20" }, catalog, "pro")!;
    expect(batch.items.map((i) => (i.operation === "create" ? [i.variations, i.seed] : null))).toEqual([
      [pro.maxVariations, 100],
      [20 - pro.maxVariations, 100 + pro.maxVariations],
    ]);
    // The batch costs what 20 drafts cost, one job's price per image.
    const one = estimate({ ...buildCreateSpec(form), variations: 1 }, catalog).total;
    expect(estimate(batch, catalog, { tier: "pro" }).total).toBe(20 * one);
    const badge = batchBadgeFor(estimate(batch, catalog, { tier: "pro" }), null, catalog, 20);
    expect(badge.text).toBe(`20 images, ${20 * one} credits`);
  });

  it("splits by the caller's tier: a Basic team's 10 images are 3 jobs of at most 4", () => {
    const batch = createBatchFor({ ...form, variations: "10" }, catalog, "basic")!;
    expect(batch.items.map((i) => (i.operation === "create" ? i.variations : 0))).toEqual([4, 4, 2]);
  });

  it("is one job up to the tier's most variations", () => {
    expect(createBatchFor({ ...form, variations: "10" }, catalog, "pro")).toBeNull();
    expect(createBatchFor({ ...form, variations: "2" }, catalog, "free")).toBeNull();
  });
});
