// figma.clientStorage: copies in and out, Uint8Array, keys, the 5 MB quota.
import { describe, expect, it } from "vitest";
import { CLIENT_STORAGE_LIMIT, createFakeFigma } from "./index.ts";

describe("figma.clientStorage", () => {
  it("stores and returns copies", async () => {
    const fake = createFakeFigma();
    const storage = fake.figma.clientStorage;
    const value = { url: "http://localhost:8787", list: [1, 2], bytes: new Uint8Array([1]) };
    await storage.setAsync("settings", value);
    value.list.push(3);
    const read = (await storage.getAsync("settings")) as typeof value;
    expect(read).toEqual({ url: "http://localhost:8787", list: [1, 2], bytes: new Uint8Array([1]) });
    read.list.push(4);
    expect(fake.stored("settings")).toEqual({ url: "http://localhost:8787", list: [1, 2], bytes: new Uint8Array([1]) });
    expect(await storage.getAsync("missing")).toBeUndefined();
  });

  it("lists and deletes keys", async () => {
    const { figma } = createFakeFigma();
    await figma.clientStorage.setAsync("a", 1);
    await figma.clientStorage.setAsync("b", 2);
    await figma.clientStorage.deleteAsync("a");
    await figma.clientStorage.deleteAsync("never-set");
    expect(await figma.clientStorage.keysAsync()).toEqual(["b"]);
  });

  it("rejects past 5 MB in all, counting a Uint8Array by its length (developers.figma.com/docs/plugins/api/figma-clientStorage)", async () => {
    const { figma } = createFakeFigma();
    await figma.clientStorage.setAsync("big", new Uint8Array(CLIENT_STORAGE_LIMIT - 100));
    await expect(figma.clientStorage.setAsync("more", "x".repeat(200))).rejects.toThrow("over the 5MB quota");
    // Replacing a key counts its new value, not both.
    await figma.clientStorage.setAsync("big", new Uint8Array(CLIENT_STORAGE_LIMIT - 10));
    await figma.clientStorage.deleteAsync("big");
    await figma.clientStorage.setAsync("more", "x".repeat(200));
  });
});
