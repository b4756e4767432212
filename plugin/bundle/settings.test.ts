// dist/plugin.js in QuickJS: the panel's settings survive a save and a restart of the plugin. In Figma this
// never worked while the sandbox's check called `new URL` (zod's z.url()), which QuickJS does not have.
import { describe, expect, it } from "vitest";
import { useBundles, type RunningBundle } from "../testing/run-bundle.ts";

const start = useBundles();

describe("settings, in the sandbox", () => {
  it("saves the proxy URL and token, and gives them back after the plugin restarts", async () => {
    const plugin = await start();
    await plugin.send({ type: "save-settings", settings: { proxyUrl: "https://images.acme.example/", token: " isk_abc " } });
    expect(plugin.last("settings-saved").settings).toEqual({ proxyUrl: "https://images.acme.example", token: "isk_abc" });
    expect(plugin.sandbox.errors).toEqual([]);

    // Figma keeps clientStorage per user across runs: a new run of the bundle on the same storage reads it.
    const stored = plugin.fake.stored("settings");
    const again = await start({ scene: (fake) => fake.figma.clientStorage.setAsync("settings", stored) });
    await again.send({ type: "ready" });
    expect(again.last("init").settings).toEqual({ proxyUrl: "https://images.acme.example", token: "isk_abc" });
  });

  it("answers a settings message it cannot take with settings-failed, never silence", async () => {
    const plugin = await start();
    plugin.fake.deliver({ type: "save-settings", settings: { proxyUrl: "javascript:alert(1)", token: "t" } });
    await plugin.sandbox.idle();
    expect(plugin.last("settings-failed").message).toMatch(/malformed/);
    expect(plugin.fake.stored("settings")).toBeUndefined();
  });

  it("starts with the defaults when nothing (or something unusable) is stored", async () => {
    const plugin = await start({ scene: (fake) => fake.figma.clientStorage.setAsync("settings", { proxyUrl: 42 }) });
    await plugin.send({ type: "ready" });
    expect(plugin.last("init").settings).toEqual({ proxyUrl: "http://localhost:8787", token: "" });
  });
});
