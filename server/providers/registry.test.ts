import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { parseConfig } from "../config.ts";
import { builtInAdapters, ProviderRegistry } from "./registry.ts";
import type { ProviderAdapter } from "./types.ts";
import { memoryRetiredModels } from "../test-support/memory-retired-models.ts";

const keys = (env: Record<string, string>) => (name: string) => env[name];
const fake = (id: string): ProviderAdapter => ({ id, supports: () => true, create: async () => ({ images: [] }) });
const adapters = (env: Record<string, string>) => builtInAdapters(parseConfig(env), keys(env));

describe("ProviderRegistry", () => {
  it("configures the keyless local provider and explains why the others are off", () => {
    const r = new ProviderRegistry(DEFAULT_CATALOG, adapters({}), keys({}), memoryRetiredModels());
    expect(r.configuredIds()).toEqual(["local"]);
    const stability = r.statuses().find((s) => s.id === "stability")!;
    expect(stability).toMatchObject({ configured: false });
    expect(stability.reason).toContain("STABILITY_API_KEY");
    expect(r.adapter("local")?.create).toBeTypeOf("function");
    expect(r.adapter("stability")).toBeUndefined();
  });

  it("configures each keyed provider whose key is set, with its real adapter", () => {
    const env = { STABILITY_API_KEY: "sk-test", WAVESPEED_API_KEY: "ws", HF_TOKEN: "hf_x", GEMINI_API_KEY: "g" };
    const r = new ProviderRegistry(DEFAULT_CATALOG, adapters(env), keys(env), memoryRetiredModels());
    expect(r.configuredIds()).toEqual(["stability", "wavespeed", "huggingface", "gemini", "local"]);
    expect(r.adapter("stability")?.supports("edit.inpaint")).toBe(true);
    expect(r.adapter("gemini")?.supports("edit.general")).toBe(true);
    expect(r.adapter("local")?.supports("edit.search-replace")).toBe(false);
  });

  it("needs both the key and an adapter", () => {
    const custom = { ...DEFAULT_CATALOG, providers: [...DEFAULT_CATALOG.providers, { id: "acme", name: "Acme", keyEnv: "ACME_KEY" }] };
    const withKeyOnly = new ProviderRegistry(custom, adapters({}), keys({ ACME_KEY: "k" }), memoryRetiredModels());
    expect(withKeyOnly.statuses().find((s) => s.id === "acme")?.reason).toMatch(/not supported/);
    const withAdapter = new ProviderRegistry(custom, [...adapters({}), fake("acme")], keys({ ACME_KEY: "k" }), memoryRetiredModels());
    expect(withAdapter.configuredIds()).toEqual(["local", "acme"]);
  });

  it("reports a model gone by its upstream id: every catalog entry with that id, until the catalog points elsewhere", async () => {
    const retired = memoryRetiredModels();
    const r = new ProviderRegistry(DEFAULT_CATALOG, adapters({}), keys({}), retired);
    expect(await r.unavailableModels()).toEqual({});
    await r.retire("gemini", "gemini-3.1-flash-image", "Gemini no longer serves gemini-3.1-flash-image (404)");
    expect(await r.unavailableReasons()).toEqual({ "gemini/gemini-3.1-flash-image": "Gemini no longer serves gemini-3.1-flash-image (404)" });
    expect(retired.rows).toEqual([expect.objectContaining({ provider: "gemini", upstream: "gemini-3.1-flash-image" })]);
    const gemini = (await r.statusesWithModels()).find((s) => s.id === "gemini")!;
    expect(gemini.unavailableModels).toEqual([{ model: "gemini-3.1-flash-image", reason: expect.stringContaining("404"), since: expect.any(String) }]);
    // An operator points the catalog model at the successor's id: usable again without touching the mark.
    const moved = structuredClone(DEFAULT_CATALOG);
    moved.models.find((m) => m.model === "gemini-3.1-flash-image")!.upstream = "gemini-3.2-flash-image";
    expect(await new ProviderRegistry(moved, adapters({}), keys({}), retired).unavailableModels()).toEqual({});
  });

  it("lets a later adapter replace a built-in one", () => {
    const replacement = fake("local");
    const r = new ProviderRegistry(DEFAULT_CATALOG, [...adapters({}), replacement], keys({}), memoryRetiredModels());
    expect(r.adapter("local")).toBe(replacement);
  });
});
