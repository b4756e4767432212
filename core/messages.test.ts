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
});
