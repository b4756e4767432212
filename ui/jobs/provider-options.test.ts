import { describe, expect, it } from "vitest";
import type { ProviderStatus } from "../../core/api/responses.ts";
import type { Catalog } from "../../core/catalog/schema.ts";
import { estimate, operationModel } from "../../core/estimate.ts";
import { catalog, onlyLocal } from "../testing/fixtures.ts";
import { providerLabel, providerOptions } from "./provider-options.ts";

describe("the provider choice", () => {
  it("offers providers that create, disabled with the proxy's reason when not configured", () => {
    const options = providerOptions(catalog, onlyLocal);
    expect(options.map((o) => o.id)).toEqual(["stability", "wavespeed", "huggingface", "gemini", "local"]);
    expect(options.find((o) => o.id === "local")).toEqual({ id: "local", name: "Local (offline)", configured: true });
    expect(options.find((o) => o.id === "stability")).toMatchObject({ configured: false, reason: "STABILITY_API_KEY is not set" });
    expect(providerOptions(catalog, []).every((o) => !o.configured && o.reason)).toBe(true);
  });
});

describe("the provider choice of Edit and Upscale: models reported gone", () => {
  const reason = "Model not found: it was retired";
  // WaveSpeed and Gemini configured; WaveSpeed's only general-edit model and Gemini's first one are gone.
  const statuses: ProviderStatus[] = catalog.providers.map((p) =>
    p.id === "wavespeed"
      ? { id: p.id, name: p.name, configured: true, unavailableModels: [{ model: "qwen-image-edit", reason, since: "2026-11-20T10:00:00.000Z" }] }
      : p.id === "gemini"
        ? { id: p.id, name: p.name, configured: true, unavailableModels: [{ model: "gemini-3.1-flash-image", reason, since: "2026-11-20T10:00:00.000Z" }] }
        : { id: p.id, name: p.name, configured: p.id === "local" || p.id === "stability" },
  );
  const general = providerOptions(catalog, statuses, catalog.edit.general.providers, "edit.general");

  it("turns off a provider whose every model for the edit is gone, naming the model and the provider's words", () => {
    const wavespeed = general.find((o) => o.id === "wavespeed")!;
    expect(wavespeed).toEqual({ id: "wavespeed", name: "WaveSpeed", configured: false, reason: `WaveSpeed no longer offers Qwen Image Edit: ${reason}` });
    expect(providerLabel(wavespeed)).toBe(`WaveSpeed (WaveSpeed no longer offers Qwen Image Edit: ${reason})`);
  });

  it("keeps a provider with a model left, saying which one is gone and which it uses, as core routes it", () => {
    const gemini = general.find((o) => o.id === "gemini")!;
    expect(gemini).toMatchObject({ configured: true, note: `Gemini 3.1 Flash Image: ${reason}; uses Gemini 3 Pro Image` });
    expect(providerLabel(gemini)).toBe(`Google Gemini (Gemini 3.1 Flash Image: ${reason}; uses Gemini 3 Pro Image)`);
    const ctx = { configuredProviders: ["wavespeed", "gemini"], unavailableModels: { "wavespeed/qwen-image-edit": reason, "gemini/gemini-3.1-flash-image": reason } };
    expect(operationModel(catalog, "gemini", "edit.general", ctx)?.label).toBe("Gemini 3 Pro Image");
    // The badge agrees: an explicit WaveSpeed edit is refused, Gemini's is priced.
    const spec = { operation: "edit", kind: "general", prompt: "snow", input: { width: 512, height: 512 } } as const;
    expect(estimate({ ...spec, provider: "wavespeed" }, catalog, ctx).allowed).toBe(false);
    expect(estimate({ ...spec, provider: "gemini" }, catalog, ctx).steps[0]!.route).toEqual({ provider: "gemini", model: "gemini-3-pro-image" });
  });

  it("leaves providers without a model choice for the job as they were (Stability's erase, every upscale)", () => {
    const erase = providerOptions(catalog, statuses, catalog.edit.erase.providers, "edit.erase");
    expect(erase).toEqual([
      { id: "stability", name: "Stability AI", configured: true },
      { id: "local", name: "Local (offline)", configured: true },
    ]);
    expect(providerOptions(catalog, statuses, catalog.upscale.creative.providers, "upscale.creative").every((o) => o.configured && !o.note)).toBe(true);
  });

  it("shows an upscale model reported gone when the catalog names one", () => {
    const withModel: Catalog = {
      ...catalog,
      models: [...catalog.models, { provider: "stability", model: "creative-v2", upstream: "upscale/creative", label: "Creative Upscaler", operations: ["upscale.creative"], freePerPeriod: 0, limits: { seed: true }, params: {}, styles: {} }],
    };
    const gone = statuses.map((s) => (s.id === "stability" ? { ...s, unavailableModels: [{ model: "creative-v2", reason, since: "x" }] } : s));
    const options = providerOptions(withModel, gone, withModel.upscale.creative.providers, "upscale.creative");
    expect(options.find((o) => o.id === "stability")).toEqual({ id: "stability", name: "Stability AI", configured: false, reason: `Stability AI no longer offers Creative Upscaler: ${reason}` });
    expect(options.find((o) => o.id === "local")).toEqual({ id: "local", name: "Local (offline)", configured: true });
  });
});
