import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { builtInAdapters, ProviderRegistry } from "./registry.ts";
import type { ProviderAdapter } from "./types.ts";

const keys = (env: Record<string, string>) => (name: string) => env[name];
const fake = (id: string): ProviderAdapter => ({ id, create: async () => [] });

describe("ProviderRegistry", () => {
  it("configures the keyless local provider and explains why the others are off", () => {
    const r = new ProviderRegistry(DEFAULT_CATALOG, builtInAdapters(), keys({}));
    expect(r.configuredIds()).toEqual(["local"]);
    const stability = r.statuses().find((s) => s.id === "stability")!;
    expect(stability).toMatchObject({ configured: false });
    expect(stability.reason).toContain("STABILITY_API_KEY");
    expect(r.adapter("local")?.create).toBeTypeOf("function");
    expect(r.adapter("stability")).toBeUndefined();
  });

  it("needs both the key and an adapter", () => {
    const withKeyOnly = new ProviderRegistry(DEFAULT_CATALOG, builtInAdapters(), keys({ STABILITY_API_KEY: "sk" }));
    expect(withKeyOnly.configuredIds()).toEqual(["local"]);
    expect(withKeyOnly.statuses().find((s) => s.id === "stability")?.reason).toMatch(/not supported/);
    const withAdapter = new ProviderRegistry(DEFAULT_CATALOG, [...builtInAdapters(), fake("stability")], keys({ STABILITY_API_KEY: "sk" }));
    expect(withAdapter.configuredIds()).toEqual(["stability", "local"]);
  });

  it("lets a later adapter replace a built-in one", () => {
    const replacement = fake("local");
    const r = new ProviderRegistry(DEFAULT_CATALOG, [...builtInAdapters(), replacement], keys({}));
    expect(r.adapter("local")).toBe(replacement);
  });
});
