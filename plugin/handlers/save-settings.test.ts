import { describe, expect, it } from "vitest";
import { CLIENT_STORAGE_LIMIT, createFakeFigma } from "../testing/fake-figma/index.ts";
import { SETTINGS_KEY } from "../settings.ts";
import { MALFORMED } from "../dispatch.ts";
import { answers, startPlugin } from "../testing/fake-port.ts";

describe("save-settings", () => {
  it("stores the settings, tidied, and confirms them with settings-saved", async () => {
    const fake = createFakeFigma();
    await startPlugin(fake)({ type: "save-settings", settings: { proxyUrl: "http://localhost:9000/", token: " t " } });
    expect(answers(fake)).toEqual([{ type: "settings-saved", settings: { proxyUrl: "http://localhost:9000", token: "t" } }]);
    expect(fake.stored(SETTINGS_KEY)).toEqual({ proxyUrl: "http://localhost:9000", token: "t" });
  });

  it("answers settings-failed when Figma cannot store them, keeping the settings stored before", async () => {
    const fake = createFakeFigma();
    const send = startPlugin(fake);
    await send({ type: "save-settings", settings: { proxyUrl: "http://localhost:9000", token: "old" } });
    // Another value fills the plugin's 5 MB of client storage.
    await fake.figma.clientStorage.setAsync("cache", new Uint8Array(CLIENT_STORAGE_LIMIT - 100));
    await send({ type: "save-settings", settings: { proxyUrl: "http://localhost:9000", token: "x".repeat(200) } });
    expect(answers(fake)[1]).toEqual({ type: "settings-failed", message: expect.stringContaining("5MB") });
    expect(fake.stored(SETTINGS_KEY)).toEqual({ proxyUrl: "http://localhost:9000", token: "old" });
  });

  it("answers settings-failed for settings that are not valid, storing nothing", async () => {
    const fake = createFakeFigma();
    await startPlugin(fake)({ type: "save-settings", settings: { proxyUrl: "ftp://host", token: "t" } });
    expect(answers(fake)).toEqual([{ type: "settings-failed", message: MALFORMED }]);
    expect(fake.stored(SETTINGS_KEY)).toBeUndefined();
  });
});
