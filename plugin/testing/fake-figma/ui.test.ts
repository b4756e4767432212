// figma.ui, figma.showUI and figma.notify: copies of messages, handlers, records.
import { describe, expect, it, vi } from "vitest";
import { createFakeFigma } from "./index.ts";

describe("figma.ui", () => {
  it("records a structured copy of each posted message", () => {
    const fake = createFakeFigma();
    const message = { type: "exported", bytes: new Uint8Array([1, 2]), when: new Date(0), nested: { n: 1 }, skip: () => 1 };
    fake.figma.ui.postMessage(message);
    message.nested.n = 2;
    message.bytes[0] = 9;
    expect(fake.posted).toEqual([{ type: "exported", bytes: new Uint8Array([1, 2]), when: new Date(0), nested: { n: 1 } }]);
  });

  it("refuses what structured clone would not carry as the plugin meant (ArrayBuffer, symbols)", () => {
    const { figma } = createFakeFigma();
    expect(() => figma.ui.postMessage({ buffer: new ArrayBuffer(2) })).toThrow("cannot carry a ArrayBuffer");
    expect(() => figma.ui.postMessage({ m: figma.mixed })).toThrow("cannot carry a symbol");
  });

  it("delivers UI messages to onmessage and 'message' listeners as copies, returning onmessage's result", async () => {
    const fake = createFakeFigma();
    const seen: unknown[] = [];
    fake.figma.ui.onmessage = async (msg: { type: string }, props) => {
      seen.push(msg, props);
      msg.type = "changed";
      return "handled";
    };
    const listener = vi.fn();
    const once = vi.fn();
    fake.figma.ui.on("message", listener);
    fake.figma.ui.once("message", once);
    const message = { type: "ready" };
    await expect(fake.deliver(message)).resolves.toBe("handled");
    fake.deliver(message);
    expect(message.type).toBe("ready");
    expect(seen[0]).toEqual({ type: "changed" });
    expect(seen[1]).toEqual({ origin: "null" });
    expect(listener).toHaveBeenCalledTimes(2);
    expect(listener).toHaveBeenCalledWith({ type: "ready" }, { origin: "null" });
    expect(once).toHaveBeenCalledTimes(1);
    fake.figma.ui.off("message", listener);
    fake.deliver(message);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it("tells onPosted listeners of each post as it happens, until they stop, without the plugin seeing their failures", async () => {
    const fake = createFakeFigma();
    const heard: unknown[] = [];
    const stop = fake.onPosted((message) => heard.push(message));
    const failing = vi.fn(() => {
      throw new Error("listener bug");
    });
    fake.onPosted(failing);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
      fake.figma.ui.postMessage({ type: "one", bytes: new Uint8Array([1]) });
      expect(heard).toEqual([{ type: "one", bytes: new Uint8Array([1]) }]);
      expect(heard[0]).toBe(fake.posted[0]);
      stop();
      expect(() => fake.figma.ui.postMessage({ type: "two" })).not.toThrow();
      expect(heard).toHaveLength(1);
      expect(failing).toHaveBeenCalledTimes(2);
      expect(fake.posted).toHaveLength(2);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(rejections).toEqual([new Error("listener bug"), new Error("listener bug")]);
    } finally {
      process.off("unhandledRejection", onRejection);
    }
  });

  it("records showUI with its options and defaults (developers.figma.com/docs/plugins/api/properties/figma-showui)", () => {
    const fake = createFakeFigma();
    fake.figma.showUI("<p>hi</p>", { width: 360, themeColors: true });
    expect(fake.shownUI).toEqual([{ html: "<p>hi</p>", options: { width: 360, themeColors: true } }]);
    expect(fake.ui).toMatchObject({ visible: true, width: 360, height: 200, closed: false });
  });
});

describe("figma.notify", () => {
  it("records the message, shows at most 100 characters, and returns a handle that cancels", () => {
    const fake = createFakeFigma();
    const onDequeue = vi.fn();
    const long = "x".repeat(120);
    const handle = fake.figma.notify(long, { error: true, onDequeue });
    expect(fake.notifications[0]).toMatchObject({ message: long, shown: "x".repeat(100), error: true, timeout: 3000, cancelled: false });
    handle.cancel();
    expect(fake.notifications[0]!.cancelled).toBe(true);
    expect(onDequeue).toHaveBeenCalledWith("dismiss");
  });
});

describe("figma.viewport", () => {
  it("records scrollAndZoomIntoView and centres on the nodes", () => {
    const fake = createFakeFigma({ viewportCenter: { x: 5, y: 5 } });
    expect(fake.figma.viewport.center).toEqual({ x: 5, y: 5 });
    const rect = fake.figma.createRectangle();
    rect.x = 100;
    fake.figma.viewport.scrollAndZoomIntoView([rect]);
    expect(fake.scrolledTo).toEqual([[rect.id]]);
    expect(fake.figma.viewport.center).toEqual({ x: 150, y: 50 });
  });
});
