import { describe, expect, it } from "vitest";
import { createSpecSchema } from "../../core/api/specs.ts";
import { estimate } from "../../core/estimate.ts";
import { badgeFor } from "../jobs/badge.ts";
import { estimateContext } from "../jobs/estimate-context.ts";
import { catalog, me, onlyLocal } from "../testing/fixtures.ts";
import { buildCreateSpec, initialForm } from "./create-form.ts";
import { applyTemplate, clearTemplate, subjectRange, templateOptions, templateSpec } from "./template-apply.ts";

const product = catalog.templates.find((t) => t.id === "product-shot")!;
const hero = catalog.templates.find((t) => t.id === "hero-image")!;

describe("templates in Create", () => {
  it("fills the form: scaffold, negative prompt, quality, ratio, variations, template; routing back to Auto", () => {
    const before = { ...initialForm(catalog), prompt: "old", provider: "stability", model: "ultra", seed: "5" };
    const form = applyTemplate(before, product);
    expect(form).toEqual({
      ...before,
      prompt: product.prompt,
      negativePrompt: "text, watermark, clutter",
      quality: "standard",
      aspectRatio: "1:1",
      variations: "1",
      provider: "auto",
      model: "auto",
      templateId: "product-shot",
      stylePreset: "",
    });
    const spec = buildCreateSpec(form);
    expect(spec).toMatchObject({ templateId: "product-shot", negativePrompt: "text, watermark, clutter", seed: 5 });
    expect(createSpecSchema.safeParse(spec).success).toBe(true);
    // A template without a negative prompt clears the one before it.
    expect(applyTemplate(form, hero)).toMatchObject({ negativePrompt: "", quality: "premium", aspectRatio: "16:9", templateId: "hero-image" });
  });

  it("keeps the form but drops the template on “No template”", () => {
    const form = clearTemplate({ ...applyTemplate(initialForm(catalog), product), stylePreset: "photo" });
    expect(form).toMatchObject({ prompt: product.prompt, quality: "standard", templateId: "", stylePreset: "" });
    expect(buildCreateSpec(form)).not.toHaveProperty("templateId");
  });

  it("finds the {subject} placeholder to select it", () => {
    expect(subjectRange("Studio photo of {subject}, centred")).toEqual([16, 25]);
    expect(subjectRange("no placeholder")).toBeNull();
  });

  it("prices every template for the caller as GET /v1/templates does, and the badge agrees after applying", () => {
    const ctx = estimateContext(me(), onlyLocal);
    const options = templateOptions(catalog, initialForm(catalog), ctx);
    expect(options.map((o) => o.id)).toEqual(catalog.templates.map((t) => t.id));
    for (const t of catalog.templates) {
      const option = options.find((o) => o.id === t.id)!;
      const total = estimate(templateSpec(t, initialForm(catalog)), catalog, ctx).total;
      expect(option.credits).toBe(total);
      expect(option.credits).toBe(t.variations * catalog.create.qualities[t.quality].credits);
      expect(option.text).toBe(`${t.name} · ${total} credits`);
      const applied = buildCreateSpec({ ...applyTemplate(initialForm(catalog), t), prompt: t.prompt.replace("{subject}", "a red bicycle") });
      expect(badgeFor(estimate(applied, catalog, ctx), null, catalog).credits).toBe(option.credits);
    }
    // A template the tier does not allow says so in its option.
    const free = templateOptions(catalog, initialForm(catalog), estimateContext(me({ tier: "free" }), onlyLocal));
    expect(free.find((o) => o.id === "hero-image")!.text).toBe("Website hero · Pro tier");
  });
});
