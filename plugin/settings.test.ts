import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../core/messages.ts";
import { FakeFigma } from "./testing/fake-figma.ts";
import { SETTINGS_KEY, loadSettings, saveSettings } from "./settings.ts";

describe("settings", () => {
  it("defaults when nothing is stored", async () => {
    expect(await loadSettings(new FakeFigma())).toEqual(DEFAULT_SETTINGS);
  });

  it("round-trips through clientStorage", async () => {
    const figma = new FakeFigma();
    const saved = await saveSettings(figma, { proxyUrl: "https://proxy.example.com/", token: "  tok-123 " });
    expect(saved).toEqual({ proxyUrl: "https://proxy.example.com", token: "tok-123" });
    expect(await loadSettings(figma)).toEqual(saved);
  });

  it("rejects invalid values and stores nothing", async () => {
    const figma = new FakeFigma();
    await expect(saveSettings(figma, { proxyUrl: "not a url", token: "t" })).rejects.toThrow(/proxyUrl/);
    await expect(saveSettings(figma, { proxyUrl: "ftp://host", token: "t" })).rejects.toThrow(/proxyUrl/);
    await expect(saveSettings(figma, { proxyUrl: "http://localhost:8787", token: 42 })).rejects.toThrow(/token/);
    expect(figma.storage.has(SETTINGS_KEY)).toBe(false);
  });

  it("falls back to the defaults when the stored value is corrupt", async () => {
    const figma = new FakeFigma();
    figma.storage.set(SETTINGS_KEY, { proxyUrl: 7 });
    expect(await loadSettings(figma)).toEqual(DEFAULT_SETTINGS);
  });
});
