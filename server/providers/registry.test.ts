import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { parseConfig } from "../config.ts";
import { builtInAdapters, ProviderRegistry } from "./registry.ts";
import type { ProviderAdapter } from "./types.ts";

const keys = (env: Record<string, string>) => (name: string) => env[name];
const fake = (id: string): ProviderAdapter => ({ id, supports: () => true, create: async () => ({ images: [] }) });
const adapters = (env: Record<string, string>) => builtInAdapters(parseConfig(env), keys(env));

describe("ProviderRegistry", () => {
  it("configures the keyless local provider and explains why the others are off", () => {
    const r = new ProviderRegistry(DEFAULT_CATALOG, adapters({}), keys({}));
    expect(r.configuredIds()).toEqual(["local"]);
    const stability = r.statuses().find((s) => s.id === "stability")!;
    expect(stability).toMatchObject({ configured: false });
    expect(stability.reason).toContain("STABILITY_API_KEY");
    expect(r.adapter("local")?.create).toBeTypeOf("function");
    expect(r.adapter("stability")).toBeUndefined();
  });

  it("configures each keyed provider whose key is set, with its real adapter", () => {
    const env = { STABILITY_API_KEY: "sk-test", WAVESPEED_API_KEY: "ws", HF_TOKEN: "hf_x", GEMINI_API_KEY: "g" };
    const r = new ProviderRegistry(DEFAULT_CATALOG, adapters(env), keys(env));
    expect(r.configuredIds()).toEqual(["stability", "wavespeed", "huggingface", "gemini", "local"]);
    expect(r.adapter("stability")?.supports("edit.inpaint")).toBe(true);
    expect(r.adapter("gemini")?.supports("edit.general")).toBe(true);
    expect(r.adapter("local")?.supports("edit.search-replace")).toBe(false);
  });

  it("needs both the key and an adapter", () => {
    const custom = { ...DEFAULT_CATALOG, providers: [...DEFAULT_CATALOG.providers, { id: "acme", name: "Acme", keyEnv: "ACME_KEY" }] };
    const withKeyOnly = new ProviderRegistry(custom, adapters({}), keys({ ACME_KEY: "k" }));
    expect(withKeyOnly.statuses().find((s) => s.id === "acme")?.reason).toMatch(/not supported/);
    const withAdapter = new ProviderRegistry(custom, [...adapters({}), fake("acme")], keys({ ACME_KEY: "k" }));
    expect(withAdapter.configuredIds()).toEqual(["local", "acme"]);
  });

  it("lets a later adapter replace a built-in one", () => {
    const replacement = fake("local");
    const r = new ProviderRegistry(DEFAULT_CATALOG, [...adapters({}), replacement], keys({}));
    expect(r.adapter("local")).toBe(replacement);
  });
});
