import { Hono } from "hono";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../core/api/errors.ts";
import { errorHandler } from "../http/error-handler.ts";
import type { AppEnv } from "../http/types.ts";
import { createLogger } from "../logger.ts";
import { readJobBody, sniffImage } from "./parse-job-body.ts";

const app = new Hono<AppEnv>()
  .post("/", async (c) => {
    const body = await readJobBody(c);
    return c.json({ spec: body.spec, images: Object.fromEntries(Object.entries(body.images).map(([k, v]) => [k, [v.contentType, v.bytes.length, v.sha256]])) });
  })
  .onError(errorHandler(createLogger("silent"), 1 << 20));

const png = () => sharp({ create: { width: 4, height: 4, channels: 3, background: "#0f0" } }).png().toBuffer();
const jpeg = () => sharp({ create: { width: 4, height: 4, channels: 3, background: "#0f0" } }).jpeg().toBuffer();
const webp = () => sharp({ create: { width: 4, height: 4, channels: 3, background: "#0f0" } }).webp().toBuffer();

describe("readJobBody", () => {
  it("reads a JSON spec", async () => {
    const res = await app.request("/", { method: "POST", headers: { "Content-Type": "application/json; charset=utf-8" }, body: '{"a":1}' });
    expect(await res.json()).toEqual({ spec: { a: 1 }, images: {} });
  });

  it("reads a multipart spec part and image parts, hashing each image", async () => {
    const form = new FormData();
    form.set("spec", new Blob(['{"operation":"upscale"}'], { type: "application/json" }), "spec.json");
    form.set("image", new Blob([await png()]), "in.png");
    form.set("mask", new Blob([await webp()]), "mask.webp");
    const body = (await (await app.request("/", { method: "POST", body: form })).json()) as { spec: unknown; images: Record<string, [string, number, string]> };
    expect(body.spec).toEqual({ operation: "upscale" });
    expect(body.images.image![0]).toBe("image/png");
    expect(body.images.mask![0]).toBe("image/webp");
    expect(body.images.image![2]).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["a spec part that is not JSON", () => { const f = new FormData(); f.set("spec", "{"); return f; }, "spec"],
    ["a text value in an image part", () => { const f = new FormData(); f.set("spec", "{}"); f.set("image", "not a file"); return f; }, "image"],
    ["a part twice", () => { const f = new FormData(); f.append("spec", "{}"); f.append("spec", "{}"); return f; }, "spec"],
  ])("refuses %s with invalid_request naming the part", async (_what, form, field) => {
    const res = await app.request("/", { method: "POST", body: form() });
    expect(res.status).toBe(400);
    expect(errorResponseSchema.parse(await res.json()).error.details?.fields).toHaveProperty([field]);
  });

  it("refuses a truncated multipart body with invalid_request", async () => {
    const res = await app.request("/", {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=XYZ" },
      body: '--XYZ\r\nContent-Disposition: form-data; name="spec"\r\n\r\n{}',
    });
    expect(res.status).toBe(400);
  });
});

describe("sniffImage", () => {
  it("knows PNG, JPEG and WebP by their bytes, not their names", async () => {
    expect(sniffImage(await png())).toBe("image/png");
    expect(sniffImage(await jpeg())).toBe("image/jpeg");
    expect(sniffImage(await webp())).toBe("image/webp");
    expect(sniffImage(Buffer.from("GIF89a......"))).toBeNull();
    expect(sniffImage(new Uint8Array())).toBeNull();
  });
});
