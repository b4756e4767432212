import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../core/messages.ts";
import { SETTINGS_KEY, loadSettings, saveSettings } from "./settings.ts";
import { fakePort } from "./testing/fake-port.ts";

describe("settings", () => {
  it("defaults when nothing is stored", async () => {
    expect(await loadSettings(fakePort().port)).toEqual(DEFAULT_SETTINGS);
  });

  it("round-trips through clientStorage", async () => {
    const { fake, port } = fakePort();
    const saved = await saveSettings(port, { proxyUrl: "https://proxy.example.com/", token: "  tok-123 " });
    expect(saved).toEqual({ proxyUrl: "https://proxy.example.com", token: "tok-123" });
    expect(fake.stored(SETTINGS_KEY)).toEqual(saved);
    expect(await loadSettings(port)).toEqual(saved);
  });

  it("rejects invalid values and stores nothing", async () => {
    const { fake, port } = fakePort();
    await expect(saveSettings(port, { proxyUrl: "not a url", token: "t" })).rejects.toThrow(/proxyUrl/);
    await expect(saveSettings(port, { proxyUrl: "ftp://host", token: "t" })).rejects.toThrow(/proxyUrl/);
    await expect(saveSettings(port, { proxyUrl: "http://localhost:8787", token: 42 })).rejects.toThrow(/token/);
    expect(fake.stored(SETTINGS_KEY)).toBeUndefined();
  });

  it("falls back to the defaults when the stored value is corrupt", async () => {
    const { fake, port } = fakePort();
    await fake.figma.clientStorage.setAsync(SETTINGS_KEY, { proxyUrl: 7 });
    expect(await loadSettings(port)).toEqual(DEFAULT_SETTINGS);
  });
});
