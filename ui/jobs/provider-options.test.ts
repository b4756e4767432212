import { describe, expect, it } from "vitest";
import { catalog, onlyLocal } from "../testing/fixtures.ts";
import { providerOptions } from "./provider-options.ts";

describe("the provider choice", () => {
  it("offers providers that create, disabled with the proxy's reason when not configured", () => {
    const options = providerOptions(catalog, onlyLocal);
    expect(options.map((o) => o.id)).toEqual(["stability", "wavespeed", "huggingface", "gemini", "local"]);
    expect(options.find((o) => o.id === "local")).toEqual({ id: "local", name: "Local (offline)", configured: true });
    expect(options.find((o) => o.id === "stability")).toMatchObject({ configured: false, reason: "STABILITY_API_KEY is not set" });
    expect(providerOptions(catalog, []).every((o) => !o.configured && o.reason)).toBe(true);
  });
});
