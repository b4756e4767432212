import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./api-error.ts";
import { createPluginBridge, type BridgeWindow } from "./plugin-bridge.ts";

/** A window whose parent records what the panel posts and which can deliver plugin messages. */
function fakeWindow() {
  const target = new EventTarget();
  const sent: { message: unknown; targetOrigin: string }[] = [];
  const win: BridgeWindow = {
    parent: { postMessage: (message, targetOrigin) => void sent.push({ message, targetOrigin }) },
    addEventListener: (type, listener) => target.addEventListener(type, listener as EventListener),
    removeEventListener: (type, listener) => target.removeEventListener(type, listener as EventListener),
  };
  const deliver = (data: unknown) => target.dispatchEvent(new MessageEvent("message", { data }));
  return { win, sent, deliver, target };
}

const png = new Uint8Array([137, 80, 78, 71]);
const placeInput = { name: "fox", images: [{ bytes: png, width: 64, height: 64, assetId: "a1" }], provenance: { jobId: "j1", operation: "create" } };

describe("createPluginBridge", () => {
  it("posts in Figma's envelope, parsed (defaults applied)", () => {
    const { win, sent } = fakeWindow();
    createPluginBridge(win).post({ type: "notify", message: "hi" });
    expect(sent).toEqual([{ message: { pluginMessage: { type: "notify", message: "hi", error: false } }, targetOrigin: "*" }]);
  });

  it("refuses to post a malformed message", () => {
    const { win, sent } = fakeWindow();
    expect(() => createPluginBridge(win).post({ type: "notify", message: "x".repeat(101) })).toThrow();
    expect(sent).toEqual([]);
  });

  it("delivers valid plugin messages and drops anything else", () => {
    const { win, deliver } = fakeWindow();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const got: string[] = [];
    const unsubscribe = createPluginBridge(win).subscribe((m) => got.push(m.type));
    deliver({ pluginMessage: { type: "selection", selection: { items: [] } } });
    deliver({ pluginMessage: { type: "selection", selection: "everything" } });
    deliver({ somethingElse: true });
    deliver("string");
    unsubscribe();
    deliver({ pluginMessage: { type: "selection", selection: { items: [] } } });
    expect(got).toEqual(["selection"]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it("resolves placeImages with the node ids of the matching `placed`", async () => {
    const { win, sent, deliver } = fakeWindow();
    const pending = createPluginBridge(win).placeImages(placeInput);
    const { requestId } = (sent[0]!.message as { pluginMessage: { requestId: string } }).pluginMessage;
    deliver({ pluginMessage: { type: "placed", requestId: "someone-else", nodeIds: ["x"] } });
    deliver({ pluginMessage: { type: "placed", requestId, nodeIds: ["1:2"] } });
    expect(await pending).toEqual(["1:2"]);
  });

  it("rejects placeImages on `place-failed`", async () => {
    const { win, sent, deliver } = fakeWindow();
    const pending = createPluginBridge(win).placeImages(placeInput);
    const { requestId } = (sent[0]!.message as { pluginMessage: { requestId: string } }).pluginMessage;
    deliver({ pluginMessage: { type: "place-failed", requestId, message: "Image type is unsupported" } });
    await expect(pending).rejects.toEqual(new ApiError("placement_failed", "Image type is unsupported"));
  });

  it("resolves exportImage with the plugin's bytes, and rejects on export-failed", async () => {
    const { win, sent, deliver } = fakeWindow();
    const bridge = createPluginBridge(win);
    const pending = bridge.exportImage({ imageId: "1:2", mask: true });
    const posted = (sent[0]!.message as { pluginMessage: { requestId: string } }).pluginMessage;
    expect(posted).toMatchObject({ type: "export-image", imageId: "1:2", mask: true, references: {} });
    const image = { bytes: png, width: 64, height: 64 };
    deliver({ pluginMessage: { type: "placed", requestId: posted.requestId, nodeIds: [] } });
    deliver({ pluginMessage: { type: "exported", requestId: posted.requestId, image, mask: image } });
    expect(await pending).toMatchObject({ image, mask: image });

    const failing = bridge.exportImage({ imageId: "1:2" });
    const { requestId } = (sent[1]!.message as { pluginMessage: { requestId: string } }).pluginMessage;
    deliver({ pluginMessage: { type: "export-failed", requestId, message: "Select the image and one shape drawn over it" } });
    await expect(failing).rejects.toEqual(new ApiError("export_failed", "Select the image and one shape drawn over it"));
  });
});
