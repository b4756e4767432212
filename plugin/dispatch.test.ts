import { describe, expect, it, vi } from "vitest";
import { createDispatcher, MALFORMED, type Handlers } from "./dispatch.ts";
import { fakePort } from "./testing/fake-port.ts";

function spies(): Handlers & Record<string, ReturnType<typeof vi.fn>> {
  return { ready: vi.fn(), "save-settings": vi.fn(), "place-image": vi.fn(), "place-commit": vi.fn(), "export-image": vi.fn(), notify: vi.fn(), "document-project": vi.fn() };
}

function setup() {
  const { fake, port } = fakePort();
  const handlers = spies();
  return { fake, handlers, dispatch: createDispatcher(port, handlers) };
}

const provenance = { jobId: "j", operation: "create" };
const image = { bytes: new Uint8Array(1), width: 1, height: 1, assetId: "a" };

describe("createDispatcher", () => {
  it("routes each valid message to the handler of its type, parsed with its defaults", async () => {
    const { handlers, dispatch } = setup();
    await dispatch({ type: "ready" });
    await dispatch({ type: "notify", message: "hi" });
    await dispatch({ type: "export-image", requestId: "e", imageId: "1:2" });
    expect(handlers.ready).toHaveBeenCalledWith({ type: "ready" });
    expect(handlers.notify).toHaveBeenCalledWith({ type: "notify", message: "hi", error: false });
    expect(handlers["export-image"]).toHaveBeenCalledWith({ type: "export-image", requestId: "e", imageId: "1:2", mask: false, references: {} });
    expect(handlers["place-image"]).not.toHaveBeenCalled();
  });

  it.each([
    ["not an object", "hello"],
    ["null", null],
    ["an unknown type", { type: "delete-everything" }],
    ["a notify without its text", { type: "notify", message: 5 }],
    ["a request without a usable id", { type: "place-image", requestId: 7, index: 0, total: 1, image }],
    ["an empty request id", { type: "export-image", requestId: "", imageId: "x" }],
  ])("drops %s with an error notification, calling no handler", async (_label, raw) => {
    const { fake, handlers, dispatch } = setup();
    await dispatch(raw);
    for (const handler of Object.values(handlers)) expect(handler).not.toHaveBeenCalled();
    expect(fake.notifications).toEqual([expect.objectContaining({ message: MALFORMED, error: true })]);
    expect(fake.posted).toEqual([]);
  });

  // The panel waits on these: it hears the failure at once instead of timing out.
  it.each([
    ["settings of the wrong type", { type: "save-settings", settings: { proxyUrl: 1, token: "" } }, { type: "settings-failed", message: MALFORMED }],
    ["image bytes that are not a Uint8Array", { type: "place-image", requestId: "r", index: 0, total: 1, image: { ...image, bytes: [1, 2] } }, { type: "place-failed", requestId: "r", message: MALFORMED }],
    ["an image over 4096 px", { type: "place-image", requestId: "r", index: 0, total: 1, image: { ...image, width: 5000 } }, { type: "place-failed", requestId: "r", message: MALFORMED }],
    ["an image index past the limit", { type: "place-image", requestId: "r", index: 1000, total: 1000, image }, { type: "place-failed", requestId: "r", message: MALFORMED }],
    ["a commit without provenance", { type: "place-commit", requestId: "r", name: "n" }, { type: "place-failed", requestId: "r", message: MALFORMED }],
    ["a commit with a prompt over 10,000 characters", { type: "place-commit", requestId: "r", name: "n", provenance: { ...provenance, prompt: "x".repeat(10_001) } }, { type: "place-failed", requestId: "r", message: MALFORMED }],
    ["an export without its image id", { type: "export-image", requestId: "e" }, { type: "export-failed", requestId: "e", message: MALFORMED }],
  ])("answers %s with that request's failure", async (_label, raw, answer) => {
    const { fake, handlers, dispatch } = setup();
    await dispatch(raw);
    for (const handler of Object.values(handlers)) expect(handler).not.toHaveBeenCalled();
    expect(fake.posted).toEqual([answer]);
    expect(fake.notifications).toEqual([]);
  });
});
