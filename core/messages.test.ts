import { describe, expect, it } from "vitest";
import { MAX_BATCH_ITEMS } from "./catalog/schema.ts";
import { MAX_SELECTED_IMAGES, pluginToUISchema, uiToPluginSchema } from "./messages.ts";

describe("plugin <-> UI messages", () => {
  const image = { bytes: new Uint8Array([137, 80, 78, 71]), width: 1024, height: 1024, assetId: "ast_1" };
  const place = { type: "place-image", requestId: "r1", index: 0, total: 1, image };
  const commit = { type: "place-commit", requestId: "r1", name: "fox", provenance: { jobId: "job_1", operation: "create", prompt: "fox" } };

  it("carries one image per place-image message, its bytes intact", () => {
    const m = uiToPluginSchema.parse(place);
    expect(m.type === "place-image" && m.image.bytes).toEqual(image.bytes);
    expect(uiToPluginSchema.safeParse({ ...place, images: [image, image] }).success).toBe(true); // unknown keys are dropped...
    expect(uiToPluginSchema.parse({ ...place, images: [image, image] })).not.toHaveProperty("images"); // ...never carried
  });

  it("refuses images Figma could not hold, bytes that are not a Uint8Array, and indexes outside the total", () => {
    expect(uiToPluginSchema.safeParse({ ...place, image: { ...image, width: 4097 } }).success).toBe(false);
    expect(uiToPluginSchema.safeParse({ ...place, image: { ...image, bytes: [1, 2, 3] } }).success).toBe(false);
    expect(uiToPluginSchema.safeParse({ ...place, total: 0 }).success).toBe(false);
    expect(uiToPluginSchema.safeParse({ ...place, total: 1001 }).success).toBe(false);
    expect(uiToPluginSchema.safeParse({ ...place, index: -1 }).success).toBe(false);
    expect(uiToPluginSchema.safeParse({ ...place, index: 1.5 }).success).toBe(false);
  });

  it("refuses settings with a proxy URL that is not http(s), by its shape alone (the sandbox has no URL)", () => {
    const save = (proxyUrl: string) => uiToPluginSchema.safeParse({ type: "save-settings", settings: { proxyUrl, token: "t" } }).success;
    expect(save("http://localhost:8787")).toBe(true);
    expect(save("https://studio.example.com")).toBe(true);
    expect(save("https://images.acme.example/proxy")).toBe(true);
    expect(save("http://[::1]:8787")).toBe(true);
    expect(save("javascript:alert(1)")).toBe(false);
    expect(save("localhost:8787")).toBe(false);
    expect(save("http://user:pw@studio.example.com")).toBe(false);
    expect(save("http://studio example.com")).toBe(false);
    expect(save("https://studio.example.com/?token=x")).toBe(false);
  });

  it("refuses unknown message types in both directions", () => {
    expect(uiToPluginSchema.safeParse({ type: "delete-everything" }).success).toBe(false);
    expect(pluginToUISchema.safeParse({ type: "init" }).success).toBe(false);
  });

  it("keeps the selection message compatible: the image and problem are optional", () => {
    expect(pluginToUISchema.parse({ type: "selection", selection: { items: [] } })).toEqual({ type: "selection", selection: { items: [] } });
    const image = { id: "1:2", name: "Photo", width: 1024, height: 768, source: "fill", maskShape: { id: "1:3", name: "Oval" } };
    expect(pluginToUISchema.parse({ type: "selection", selection: { items: [], image } })).toMatchObject({ selection: { image } });
    expect(pluginToUISchema.safeParse({ type: "selection", selection: { items: [], image: { ...image, width: 5000 } } }).success).toBe(false);
    expect(pluginToUISchema.safeParse({ type: "selection", selection: { items: [], image: { ...image, source: "url" } } }).success).toBe(false);
  });

  it("asks for an export by the priced image's id, with defaults for mask and references", () => {
    expect(uiToPluginSchema.parse({ type: "export-image", requestId: "r", imageId: "1:2" })).toEqual({ type: "export-image", requestId: "r", imageId: "1:2", mask: false, references: {} });
    expect(uiToPluginSchema.safeParse({ type: "export-image", requestId: "r" }).success).toBe(false);
    const answer = { type: "exported", requestId: "r", image: { bytes: image.bytes, width: 10, height: 10 }, mask: { bytes: image.bytes, width: 10, height: 10 } };
    expect(pluginToUISchema.parse(answer)).toEqual(answer);
    expect(pluginToUISchema.safeParse({ ...answer, image: { bytes: [1], width: 10, height: 10 } }).success).toBe(false);
    expect(pluginToUISchema.parse({ type: "export-failed", requestId: "r", message: "no" }).type).toBe("export-failed");
  });

  it("places edit results beside or into their source node", () => {
    const m = uiToPluginSchema.parse({ ...commit, source: { nodeId: "1:2" } });
    expect(m.type === "place-commit" && m.source).toEqual({ nodeId: "1:2", replace: false });
    expect(uiToPluginSchema.safeParse({ ...commit, source: { replace: true } }).success).toBe(false);
  });

  it("carries a social result's format and safe zone, one image of up to 1000 a message", () => {
    const format = { id: "instagram-story", name: "Instagram · Story 1080×1920", safeZone: { top: 250, right: 0, bottom: 340, left: 0 } };
    const m = uiToPluginSchema.parse({ ...place, image: { ...image, format } });
    expect(m.type === "place-image" && m.image.format).toEqual(format);
    expect(uiToPluginSchema.safeParse({ ...place, image: { ...image, format: { id: "x-post", name: "X · Post 1200×675" } } }).success).toBe(true);
    expect(uiToPluginSchema.safeParse({ ...place, image: { ...image, format: { ...format, safeZone: { top: -1, right: 0, bottom: 0, left: 0 } } } }).success).toBe(false);
    expect(uiToPluginSchema.safeParse({ ...place, image: { ...image, format: { id: "x" } } }).success).toBe(false);
    expect(uiToPluginSchema.safeParse({ ...place, index: 999, total: 1000 }).success).toBe(true);
    expect(uiToPluginSchema.safeParse({ ...place, index: 1000, total: 1000 }).success).toBe(false);
  });

  it("answers placements with progress, the new nodes and, when elsewhere, their page", () => {
    expect(pluginToUISchema.parse({ type: "place-progress", requestId: "r1", received: 3 })).toEqual({ type: "place-progress", requestId: "r1", received: 3 });
    const placed = { type: "placed", requestId: "r1", nodeIds: ["1:2"], page: { id: "0:2", name: "Moodboard" } };
    expect(pluginToUISchema.parse(placed)).toEqual(placed);
    expect(pluginToUISchema.parse({ type: "settings-failed", message: "no" })).toEqual({ type: "settings-failed", message: "no" });
  });

  it("carries a batch's result with its own source, job and layer name", () => {
    const m = uiToPluginSchema.parse({ ...place, image: { ...image, source: { nodeId: "1:9" }, jobId: "job_3", name: "Photo 3 · 2048×1536" } });
    expect(m.type === "place-image" && [m.image.source, m.image.jobId, m.image.name]).toEqual([{ nodeId: "1:9", replace: false }, "job_3", "Photo 3 · 2048×1536"]);
    expect(uiToPluginSchema.safeParse({ ...place, image: { ...image, name: "x".repeat(201) } }).success).toBe(false);
  });

  it("lists a batch's images, each with its own shape, at most as many as a batch holds", () => {
    const target = (i: number) => ({ id: `1:${i}`, name: `Photo ${i}`, width: 512, height: 384, source: "fill" });
    const images = [target(1), { ...target(2), maskShape: { id: "1:20", name: "Oval" } }];
    expect(pluginToUISchema.parse({ type: "selection", selection: { items: [], images } })).toMatchObject({ selection: { images } });
    expect(MAX_SELECTED_IMAGES).toBe(MAX_BATCH_ITEMS);
    const many = Array.from({ length: MAX_SELECTED_IMAGES + 1 }, (_, i) => target(i));
    expect(pluginToUISchema.safeParse({ type: "selection", selection: { items: [], images: many } }).success).toBe(false);
    expect(pluginToUISchema.safeParse({ type: "selection", selection: { items: [], images: [] } }).success).toBe(false);
  });

  it("names the asset a selected image came from, optionally", () => {
    const target = { id: "1:2", name: "Photo", width: 1024, height: 768, source: "fill" };
    expect(pluginToUISchema.parse({ type: "selection", selection: { items: [], image: { ...target, assetId: "ast_abcdefghij" } } })).toMatchObject({ selection: { image: { assetId: "ast_abcdefghij" } } });
    expect(pluginToUISchema.safeParse({ type: "selection", selection: { items: [], image: { ...target, assetId: 7 } } }).success).toBe(false);
  });
});
