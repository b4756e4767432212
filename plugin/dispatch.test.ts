import { describe, expect, it, vi } from "vitest";
import { createDispatcher, type Handlers } from "./dispatch.ts";
import { FakeFigma } from "./testing/fake-figma.ts";

function spies(): Handlers & Record<string, ReturnType<typeof vi.fn>> {
  return { ready: vi.fn(), "save-settings": vi.fn(), "place-images": vi.fn(), "export-image": vi.fn(), notify: vi.fn() };
}

describe("createDispatcher", () => {
  it("routes each valid message to the handler of its type, parsed", async () => {
    const figma = new FakeFigma();
    const handlers = spies();
    const dispatch = createDispatcher(figma, handlers);
    await dispatch({ type: "ready" });
    await dispatch({ type: "notify", message: "hi" });
    expect(handlers.ready).toHaveBeenCalledWith({ type: "ready" });
    expect(handlers.notify).toHaveBeenCalledWith({ type: "notify", message: "hi", error: false });
    expect(handlers["place-images"]).not.toHaveBeenCalled();
  });

  it.each([
    ["not an object", "hello"],
    ["null", null],
    ["an unknown type", { type: "delete-everything" }],
    ["a wrong field type", { type: "save-settings", settings: { proxyUrl: 1, token: "" } }],
    ["bytes that are not a Uint8Array", { type: "place-images", requestId: "r", name: "n", images: [{ bytes: [1, 2], width: 1, height: 1, assetId: "a" }], provenance: { jobId: "j", operation: "create" } }],
    ["an oversized image", { type: "place-images", requestId: "r", name: "n", images: [{ bytes: new Uint8Array(1), width: 5000, height: 1, assetId: "a" }], provenance: { jobId: "j", operation: "create" } }],
  ])("ignores %s with a notification", async (_label, raw) => {
    const figma = new FakeFigma();
    const handlers = spies();
    await createDispatcher(figma, handlers)(raw);
    for (const handler of Object.values(handlers)) expect(handler).not.toHaveBeenCalled();
    expect(figma.notifications).toEqual([{ message: expect.stringMatching(/malformed/), error: true }]);
  });
});
