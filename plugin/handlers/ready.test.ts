import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, type PluginToUI } from "../../core/messages.ts";
import { REGENERATE_COMMAND } from "../commands.ts";
import { createFakeFigma, solidPng, type FakeFigma } from "../testing/fake-figma/index.ts";
import { answers, placeImageMessage, startPlugin } from "../testing/fake-port.ts";

const init = (fake: FakeFigma) => answers(fake).find((m): m is Extract<PluginToUI, { type: "init" }> => m.type === "init")!;

describe("ready", () => {
  it("answers init with the default settings and the selection, without relaunch data on a normal run", async () => {
    const fake = createFakeFigma();
    const card = fake.figma.createFrame();
    fake.figma.currentPage.selection = [card];
    await startPlugin(fake)({ type: "ready" });
    expect(answers(fake)).toHaveLength(1);
    expect(init(fake).settings).toEqual(DEFAULT_SETTINGS);
    expect(init(fake).selection.items.map((i) => i.id)).toEqual([card.id]);
    expect(init(fake).relaunch).toBeUndefined();
  });

  it("opens with the settings saved in an earlier run", async () => {
    const fake = createFakeFigma();
    await startPlugin(fake)({ type: "save-settings", settings: { proxyUrl: "https://proxy.example.com", token: "tok" } });
    fake.clearRecords();
    // The plugin is closed and opened again in the same Figma.
    await startPlugin(fake)({ type: "ready" });
    expect(init(fake).settings).toEqual({ proxyUrl: "https://proxy.example.com", token: "tok" });
  });

  it("tells the panel which image an edit would use, at its pixel size", async () => {
    const fake = createFakeFigma();
    const photo = await fake.placeImage(solidPng(1024, 768), { name: "Photo" });
    photo.resize(256, 192);
    fake.figma.currentPage.selection = [photo];
    await startPlugin(fake)({ type: "ready" });
    expect(init(fake).selection.image).toEqual({ id: photo.id, name: "Photo", width: 1024, height: 768, source: "fill" });
  });

  it("reopens the job that made the selected result when started by Regenerate", async () => {
    const fake = createFakeFigma({ command: REGENERATE_COMMAND });
    const send = startPlugin(fake);
    const provenance = { jobId: "job-9", operation: "create", prompt: "fox", spec: '{"operation":"create","prompt":"fox"}' };
    await send(placeImageMessage("r", 0, 1, solidPng(16, 16)));
    await send({ type: "place-commit", requestId: "r", name: "fox", provenance });
    // The placed result is selected: Regenerate on it relaunches the plugin.
    await send({ type: "ready" });
    expect(init(fake).relaunch).toEqual(provenance);
  });
});
