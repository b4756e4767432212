import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./api-error.ts";
import { createPluginBridge, placeTimeoutMs, type BridgeWindow } from "./plugin-bridge.ts";

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
const placeInput = { name: "fox", images: [{ bytes: async () => png, width: 64, height: 64, assetId: "a1" }], provenance: { jobId: "j1", operation: "create" } };

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

  /** A plugin that takes each image (answering place-progress) and places on commit, as plugin/handlers do. */
  function answering(deliver: (data: unknown) => void, sent: { message: unknown }[], options: { failAt?: number; page?: { id: string; name: string } } = {}) {
    let taken = 0;
    return () => {
      const m = (sent.at(-1)!.message as { pluginMessage: { type: string; requestId: string; index?: number } }).pluginMessage;
      if (m.type === "place-image" && m.index === options.failAt)
        deliver({ pluginMessage: { type: "place-failed", requestId: m.requestId, message: "Image type is unsupported" } });
      else if (m.type === "place-image") deliver({ pluginMessage: { type: "place-progress", requestId: m.requestId, received: ++taken } });
      else if (m.type === "place-commit") deliver({ pluginMessage: { type: "placed", requestId: m.requestId, nodeIds: ["1:2", "1:3", "1:4"], ...(options.page ? { page: options.page } : {}) } });
    };
  }

  const images = (n: number, fetched: number[]) =>
    Array.from({ length: n }, (_, i) => ({ width: 64, height: 64, assetId: `a${i}`, bytes: async () => (fetched.push(i), png) }));

  it("sends one image per message, each fetched just before it goes, then commits and resolves with the nodes", async () => {
    const { win, sent, deliver } = fakeWindow();
    const fetched: number[] = [];
    const progress: string[] = [];
    const reply = answering(deliver, sent, { page: { id: "0:2", name: "Moodboard" } });
    const parent = win.parent;
    win.parent = { postMessage: (message, origin) => (parent.postMessage(message, origin), queueMicrotask(reply)) };
    const outcome = await createPluginBridge(win).placeImages({ ...placeInput, images: images(3, fetched) }, (taken, total) => progress.push(`${taken}/${total}`));
    const types = sent.map((s) => (s.message as { pluginMessage: { type: string; index?: number; image?: unknown } }).pluginMessage);
    expect(types.map((m) => `${m.type}${m.index ?? ""}`)).toEqual(["place-image0", "place-image1", "place-image2", "place-commit"]);
    expect(types.filter((m) => m.type === "place-image").every((m) => m.image && !("images" in m))).toBe(true);
    expect(fetched).toEqual([0, 1, 2]);
    expect(progress).toEqual(["1/3", "2/3", "3/3"]);
    expect(outcome).toEqual({ nodeIds: ["1:2", "1:3", "1:4"], page: { id: "0:2", name: "Moodboard" } });
    const { requestId } = types[0] as unknown as { requestId: string };
    expect(types.every((m) => (m as unknown as { requestId: string }).requestId === requestId)).toBe(true);
  });

  it("stops at the first image Figma refuses: nothing more is fetched, sent or committed", async () => {
    const { win, sent, deliver } = fakeWindow();
    const fetched: number[] = [];
    const reply = answering(deliver, sent, { failAt: 1 });
    const parent = win.parent;
    win.parent = { postMessage: (message, origin) => (parent.postMessage(message, origin), queueMicrotask(reply)) };
    await expect(createPluginBridge(win).placeImages({ ...placeInput, images: images(3, fetched) })).rejects.toEqual(new ApiError("placement_failed", "Image type is unsupported"));
    expect(fetched).toEqual([0, 1]);
    expect(sent).toHaveLength(2);
  });

  it("waits for the placement longer the more images it has", async () => {
    vi.useFakeTimers();
    try {
      const { win, sent, deliver } = fakeWindow();
      let commits = 0;
      const parent = win.parent;
      win.parent = {
        postMessage: (message, origin) => {
          parent.postMessage(message, origin);
          const m = (message as { pluginMessage: { type: string; requestId: string } }).pluginMessage;
          // Takes every image, and never answers the commit.
          if (m.type === "place-image") queueMicrotask(() => deliver({ pluginMessage: { type: "place-progress", requestId: m.requestId, received: sent.length } }));
          else commits++;
        },
      };
      const outcome = createPluginBridge(win).placeImages({ ...placeInput, images: images(20, []) }).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(0);
      expect(commits).toBe(1);
      await vi.advanceTimersByTimeAsync(placeTimeoutMs(20) - 1);
      expect(await Promise.race([outcome, Promise.resolve("waiting")])).toBe("waiting");
      await vi.advanceTimersByTimeAsync(1);
      expect(await outcome).toEqual(new ApiError("placement_failed", "Figma did not confirm the placement in time"));
      expect(placeTimeoutMs(20)).toBeGreaterThan(placeTimeoutMs(1));
    } finally {
      vi.useRealTimers();
    }
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
