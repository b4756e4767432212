// The `figma` object: options, identity, pages and dynamic-page rules, node lookup, events, closing.
import { describe, expect, it, vi } from "vitest";
import { createFakeFigma, FakeClientStorage, FakePluginApi, FakeUI, FakeViewport } from "./index.ts";

describe("figma", () => {
  it("takes the command from the options, '' by default, and has one unique mixed symbol", () => {
    expect(createFakeFigma().figma.command).toBe("");
    const { figma } = createFakeFigma({ command: "regenerate" });
    expect(figma.command).toBe("regenerate");
    expect(typeof figma.mixed).toBe("symbol");
    expect(figma.mixed).toBe(figma.mixed);
    expect(figma.mixed).not.toBe(createFakeFigma().figma.mixed);
  });

  it("is made of class instances (a bridge passes them by reference), not plain objects", async () => {
    const { figma } = createFakeFigma();
    const plain = (o: object) => Object.getPrototypeOf(o) === Object.prototype;
    expect(figma).toBeInstanceOf(FakePluginApi);
    expect(figma.ui).toBeInstanceOf(FakeUI);
    expect(figma.viewport).toBeInstanceOf(FakeViewport);
    expect(figma.clientStorage).toBeInstanceOf(FakeClientStorage);
    for (const o of [figma.root, figma.currentPage, figma.createRectangle(), figma.notify("hi")]) expect(plain(o)).toBe(false);
    // Plain data stays plain.
    expect(plain(figma.viewport.center)).toBe(true);
    expect(Array.isArray(figma.createFrame().relativeTransform)).toBe(true);
  });

  it("keeps the document's name read-only (plugin-api.d.ts, BaseNodeMixin.name)", () => {
    const { figma } = createFakeFigma({ documentName: "Designs" });
    expect(figma.root.name).toBe("Designs");
    expect(() => (figma.root.name = "x")).toThrow("read-only");
  });

  it("keeps test records off the API object", () => {
    const { figma } = createFakeFigma();
    const keys = (o: object) => [...Object.keys(o), ...Object.getOwnPropertyNames(Object.getPrototypeOf(o))];
    for (const name of ["posted", "notifications", "undo", "deliver", "exports", "records"]) expect(keys(figma)).not.toContain(name);
  });

  it("puts new nodes on the current page, with Figma's defaults", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    const frame = figma.createFrame();
    expect(rect.parent).toBe(figma.currentPage);
    expect(figma.currentPage.children).toEqual([rect, frame]);
    expect([rect.width, rect.height, frame.width, frame.height]).toEqual([100, 100, 100, 100]);
    expect(frame.fills).toEqual([{ type: "SOLID", color: { r: 1, g: 1, b: 1 } }]);
    expect(rect.fills).toHaveLength(1);
    expect(rect.id).toMatch(/^\d+:\d+$/);
  });
});

describe("pages under documentAccess: dynamic-page", () => {
  it("refuses the currentPage setter with Figma's error", () => {
    const fake = createFakeFigma({ pageNames: ["A", "B"] });
    expect(() => {
      fake.figma.currentPage = fake.pages[1]!;
    }).toThrow("Cannot call with documentAccess: dynamic-page. Use figma.setCurrentPageAsync instead.");
  });

  it("switches with setCurrentPageAsync, firing currentpagechange and selectionchange", async () => {
    const fake = createFakeFigma({ pageNames: ["A", "B"] });
    const events: string[] = [];
    fake.figma.on("currentpagechange", () => events.push("page"));
    fake.figma.on("selectionchange", () => events.push("selection"));
    await fake.figma.setCurrentPageAsync(fake.pages[1]!);
    await fake.settle();
    expect(fake.figma.currentPage).toBe(fake.pages[1]);
    expect(events).toEqual(["page", "selection"]);
  });

  it("allows the setter without dynamic-page", async () => {
    const fake = createFakeFigma({ pageNames: ["A", "B"], documentAccess: "all-pages" });
    fake.figma.currentPage = fake.pages[1]!;
    expect(fake.figma.currentPage.name).toBe("B");
  });

  it("refuses getNodeById with Figma's error; getNodeByIdAsync finds nodes on any page", async () => {
    const fake = createFakeFigma({ pageNames: ["A", "B"] });
    const rect = fake.figma.createRectangle();
    expect(() => fake.figma.getNodeById(rect.id)).toThrow("in getNodeById: Cannot call with documentAccess: dynamic-page. Use figma.getNodeByIdAsync instead.");
    await fake.figma.setCurrentPageAsync(fake.pages[1]!);
    expect(await fake.figma.getNodeByIdAsync(rect.id)).toBe(rect);
    rect.remove();
    expect(await fake.figma.getNodeByIdAsync(rect.id)).toBeNull();
    expect(await fake.figma.getNodeByIdAsync("99:99")).toBeNull();
  });

  it("getNodeById works without dynamic-page", () => {
    const { figma } = createFakeFigma({ documentAccess: "all-pages" });
    const rect = figma.createRectangle();
    expect(figma.getNodeById(rect.id)).toBe(rect);
  });

  it("requires loadAsync before reading or changing another page's children", async () => {
    const fake = createFakeFigma({ pageNames: ["A", "B"] });
    const other = fake.pages[1]!;
    const rect = fake.figma.createRectangle();
    const message = "Cannot access children on a page that has not been explicitly loaded";
    expect(() => other.children).toThrow(message);
    expect(() => other.appendChild(rect)).toThrow(message);
    await other.loadAsync();
    other.appendChild(rect);
    expect(other.children).toEqual([rect]);
  });
});

describe("events", () => {
  it("delivers asynchronously and coalesces repeats (plugin-api.d.ts, PluginAPI.on)", async () => {
    const { figma } = createFakeFigma();
    const listener = vi.fn();
    figma.on("selectionchange", listener);
    const a = figma.createRectangle();
    figma.currentPage.selection = [a];
    figma.currentPage.selection = [];
    expect(listener).not.toHaveBeenCalled();
    await Promise.resolve();
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it("supports once and off", async () => {
    const fake = createFakeFigma();
    const once = vi.fn();
    const off = vi.fn();
    fake.figma.once("selectionchange", once);
    fake.figma.on("selectionchange", off);
    fake.figma.off("selectionchange", off);
    for (let i = 0; i < 2; i++) {
      fake.figma.currentPage.selection = [];
      await fake.settle();
    }
    expect(once).toHaveBeenCalledTimes(1);
    expect(off).not.toHaveBeenCalled();
  });

  it("refuses events the fake does not produce", () => {
    const { figma } = createFakeFigma();
    expect(() => figma.on("documentchange" as "close", () => {})).toThrow('the "documentchange" event is not modelled');
  });

  it("fires run with the command", () => {
    const fake = createFakeFigma({ command: "regenerate" });
    const run = vi.fn();
    fake.figma.on("run", run);
    fake.run();
    expect(run).toHaveBeenCalledWith({ command: "regenerate", parameters: undefined });
  });
});

describe("closePlugin", () => {
  it("fires close, records the message and disables the API", () => {
    const fake = createFakeFigma();
    const close = vi.fn();
    fake.figma.on("close", close);
    fake.figma.closePlugin("Done");
    expect(close).toHaveBeenCalledTimes(1);
    expect(fake.closedWith).toBe("Done");
    expect(() => fake.figma.currentPage).toThrow("the plugin has been closed");
    expect(() => fake.figma.createRectangle()).toThrow("the plugin has been closed");
    expect(() => fake.figma.ui.postMessage({})).toThrow("the plugin has been closed");
  });
});
