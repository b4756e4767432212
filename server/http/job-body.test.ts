import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import sharp from "sharp";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../core/api/errors.ts";
import { bodyLimit } from "./body-limit.ts";
import { errorHandler } from "./error-handler.ts";
import type { AppEnv } from "./types.ts";
import { createLogger } from "../logger.ts";
import { discardUploads, readJobBody } from "./job-body.ts";
import { sniffImage } from "./multipart-upload.ts";

const dir = mkdtempSync(join(tmpdir(), "job-body-"));
let n = 0;
const LIMIT = 1 << 20;
/** What the route saw, read back before its files are discarded. */
const app = new Hono<AppEnv>()
  .use(bodyLimit(LIMIT))
  .post("/", async (c) => {
    const body = await readJobBody(c, () => join(dir, `part-${n++}`));
    const images: Record<string, [string, number, string, string]> = {};
    for (const [k, v] of Object.entries(body.images)) images[k] = [v.contentType, v.size, v.sha256, createHash("sha256").update(await readFile(v.path)).digest("hex")];
    await discardUploads(body.images);
    return c.json({ spec: body.spec, images });
  })
  .onError(errorHandler(createLogger("silent"), LIMIT));
afterEach(async () => expect(await readdir(dir)).toEqual([])); // nothing left behind, accepted or refused
afterAll(() => rm(dir, { recursive: true, force: true }));

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
    const body = (await (await app.request("/", { method: "POST", body: form })).json()) as { spec: unknown; images: Record<string, [string, number, string, string]> };
    expect(body.spec).toEqual({ operation: "upscale" });
    const [type, size, sha256, onDisk] = body.images.image!;
    expect(type).toBe("image/png");
    expect(body.images.mask![0]).toBe("image/webp");
    const bytes = await png();
    expect([size, sha256]).toEqual([bytes.length, createHash("sha256").update(bytes).digest("hex")]);
    expect(onDisk).toBe(sha256); // the file holds exactly the part
  });

  it("streams a large part to its file, sent chunked (no Content-Length), and counts it against the body limit", async () => {
    const big = Buffer.concat([await png(), randomBytes(700_000)]);
    const boundary = "b0undary";
    const parts = [
      `--${boundary}\r\nContent-Disposition: form-data; name="spec"\r\n\r\n{}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
    ];
    const send = (image: Buffer) =>
      app.request("/", {
        method: "POST",
        headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
        // A stream has no length: the limit can only be applied while reading.
        body: new ReadableStream({
          start(controller) {
            for (const p of parts) controller.enqueue(Buffer.from(p));
            for (let at = 0; at < image.length; at += 64 * 1024) controller.enqueue(image.subarray(at, at + 64 * 1024));
            controller.enqueue(Buffer.from(`\r\n--${boundary}--\r\n`));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
    const ok = (await (await send(big)).json()) as { images: Record<string, [string, number, string, string]> };
    expect(ok.images.image!.slice(1)).toEqual([big.length, createHash("sha256").update(big).digest("hex"), createHash("sha256").update(big).digest("hex")]);
    const over = await send(Buffer.concat([big, randomBytes(LIMIT)]));
    expect(over.status).toBe(413);
    expect(errorResponseSchema.parse(await over.json()).error.code).toBe("payload_too_large");
  });

  it("stops writing a part at its first bytes when they are not an image, and leaves no file", async () => {
    const form = new FormData();
    form.set("spec", "{}");
    form.set("image", new Blob([randomBytes(500_000)]), "noise.png");
    const res = await app.request("/", { method: "POST", body: form });
    expect(res.status).toBe(415);
    expect(errorResponseSchema.parse(await res.json()).error.code).toBe("unsupported_image");
  });

  it.each([
    ["a spec part that is not JSON", () => { const f = new FormData(); f.set("spec", "{"); return f; }, "spec"],
    ["a text value in an image part", () => { const f = new FormData(); f.set("spec", "{}"); f.set("image", "not a file"); return f; }, "image"],
    ["a part twice", () => { const f = new FormData(); f.append("spec", "{}"); f.append("spec", "{}"); return f; }, "spec"],
    ["an image part twice (the first one already written)", async () => { const f = new FormData(); f.append("spec", "{}"); f.append("image", new Blob([await png()]), "a.png"); f.append("image", new Blob([await png()]), "b.png"); return f; }, "image"],
    ["an unknown part after an image", async () => { const f = new FormData(); f.append("spec", "{}"); f.append("image", new Blob([await png()]), "a.png"); f.append("extra", "x"); return f; }, "extra"],
  ])("refuses %s with invalid_request naming the part", async (_what, form, field) => {
    const res = await app.request("/", { method: "POST", body: await form() });
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
