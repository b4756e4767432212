import { describe, expect, it } from "vitest";
import { pluginToUISchema, uiToPluginSchema } from "./messages.ts";

describe("plugin <-> UI messages", () => {
  const image = { bytes: new Uint8Array([137, 80, 78, 71]), width: 1024, height: 1024, assetId: "ast_1" };
  const place = { type: "place-images", requestId: "r1", name: "fox", images: [image], provenance: { jobId: "job_1", operation: "create", prompt: "fox" } };

  it("accepts a well-formed place-images message with its bytes intact", () => {
    const m = uiToPluginSchema.parse(place);
    expect(m.type === "place-images" && m.images[0]!.bytes).toEqual(image.bytes);
  });

  it("refuses images Figma could not hold and bytes that are not a Uint8Array", () => {
    expect(uiToPluginSchema.safeParse({ ...place, images: [{ ...image, width: 4097 }] }).success).toBe(false);
    expect(uiToPluginSchema.safeParse({ ...place, images: [{ ...image, bytes: [1, 2, 3] }] }).success).toBe(false);
    expect(uiToPluginSchema.safeParse({ ...place, images: [] }).success).toBe(false);
  });

  it("refuses settings with a proxy URL that is not http(s)", () => {
    const save = (proxyUrl: string) => uiToPluginSchema.safeParse({ type: "save-settings", settings: { proxyUrl, token: "t" } }).success;
    expect(save("http://localhost:8787")).toBe(true);
    expect(save("https://studio.example.com")).toBe(true);
    expect(save("javascript:alert(1)")).toBe(false);
    expect(save("localhost:8787")).toBe(false);
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
    const m = uiToPluginSchema.parse({ ...place, source: { nodeId: "1:2" } });
    expect(m.type === "place-images" && m.source).toEqual({ nodeId: "1:2", replace: false });
    expect(uiToPluginSchema.safeParse({ ...place, source: { replace: true } }).success).toBe(false);
  });

  it("carries a social result's format and safe zone, and up to 100 images for a social job", () => {
    const format = { id: "instagram-story", name: "Instagram · Story 1080×1920", safeZone: { top: 250, right: 0, bottom: 340, left: 0 } };
    const m = uiToPluginSchema.parse({ ...place, images: [{ ...image, format }] });
    expect(m.type === "place-images" && m.images[0]!.format).toEqual(format);
    expect(uiToPluginSchema.safeParse({ ...place, images: [{ ...image, format: { id: "x-post", name: "X · Post 1200×675" } }] }).success).toBe(true);
    expect(uiToPluginSchema.safeParse({ ...place, images: [{ ...image, format: { ...format, safeZone: { top: -1, right: 0, bottom: 0, left: 0 } } }] }).success).toBe(false);
    expect(uiToPluginSchema.safeParse({ ...place, images: [{ ...image, format: { id: "x" } }] }).success).toBe(false);
    expect(uiToPluginSchema.safeParse({ ...place, images: Array.from({ length: 15 }, () => ({ ...image, format })) }).success).toBe(true);
    expect(uiToPluginSchema.safeParse({ ...place, images: Array.from({ length: 101 }, () => image) }).success).toBe(false);
  });

  it("names the asset a selected image came from, optionally", () => {
    const target = { id: "1:2", name: "Photo", width: 1024, height: 768, source: "fill" };
    expect(pluginToUISchema.parse({ type: "selection", selection: { items: [], image: { ...target, assetId: "ast_abcdefghij" } } })).toMatchObject({ selection: { image: { assetId: "ast_abcdefghij" } } });
    expect(pluginToUISchema.safeParse({ type: "selection", selection: { items: [], image: { ...target, assetId: 7 } } }).success).toBe(false);
  });
});
