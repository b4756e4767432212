import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GEMINI_FAKE_KEY, startGeminiFake, type GeminiFake } from "../test-support/fakes/gemini-fake.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import type { Model } from "../../core/catalog/schema.ts";
import { GeminiAdapter } from "./gemini.ts";
import { providerFailure } from "../test-support/provider-assertions.ts";
import { ProviderError, type CreateRequest, type EditRequest, type InputImage } from "./types.ts";

let fake: GeminiFake;
const signal = new AbortController().signal;

beforeAll(async () => {
  fake = await startGeminiFake();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());
afterEach(() => {
  // Every request of every test: the key travelled in the header only, never in a URL.
  for (const req of fake.requests) {
    expect(req.path).not.toContain(GEMINI_FAKE_KEY);
    expect(req.path).not.toMatch(/[?&]key=/);
  }
});

function adapter(overrides: Partial<ConstructorParameters<typeof GeminiAdapter>[0]> = {}): GeminiAdapter {
  return new GeminiAdapter({ apiKey: GEMINI_FAKE_KEY, baseUrl: fake.url, http: { maxRetries: 2, maxRetryAfterMs: 2000 }, ...overrides });
}

/** The catalog's Gemini models: the adapter sends their upstream ids, within their limits. */
const FLASH = DEFAULT_CATALOG.models.find((m) => m.model === "gemini-3.1-flash-image")!;
const PRO = DEFAULT_CATALOG.models.find((m) => m.model === "gemini-3-pro-image")!;
const LIMITS = { ...FLASH.limits } as Required<Pick<Model["limits"], "promptChars" | "inputMinSide" | "inputMaxSide" | "inputMaxBytes">>;
/** Google's inline request limit (20 MB) leaves about 12 MiB of raw image bytes after base64. */
const INLINE_BYTES = 12 * 1024 * 1024;

function createRequest(overrides: Partial<CreateRequest> = {}): CreateRequest {
  return { model: FLASH, prompt: "a lighthouse at dusk", width: 1024, height: 1024, seed: 42, count: 1, ...overrides };
}

async function inputImage(width: number, height: number, format: "png" | "jpeg" = "png"): Promise<InputImage> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } })[format]().toBuffer();
  return { bytes, contentType: `image/${format}`, width, height };
}

function editRequest(image: InputImage, overrides: Partial<EditRequest> = {}): EditRequest {
  return { kind: "general", model: FLASH, image, prompt: "make the sky pink", seed: 7, ...overrides };
}

const failure = (promise: Promise<unknown>): Promise<ProviderError> => providerFailure(promise, [GEMINI_FAKE_KEY]);

function codeOf(error: unknown): string | undefined {
  return error instanceof ProviderError ? error.code : undefined;
}

describe("GeminiAdapter.supports", () => {
  it("creates and does general edits; which models is catalog data", () => {
    const gemini = new GeminiAdapter({ apiKey: "k" });
    expect(gemini.supports("create")).toBe(true);
    expect(gemini.supports("edit.general")).toBe(true);
    for (const op of ["edit.inpaint", "edit.remove-background", "upscale.fast", "social", "library"] as const) expect(gemini.supports(op)).toBe(false);
    expect(gemini.id).toBe("gemini");
  });
});

describe("create (:generateContent)", () => {
  const flash = (overrides: Partial<CreateRequest> = {}) => createRequest(overrides);

  it("makes one call per image, each with its own seed", async () => {
    const progress: number[] = [];
    const outcome = await adapter().create(flash({ count: 3, width: 1216, height: 832, negativePrompt: "people", onImage: (n) => progress.push(n) }), signal);
    expect(fake.requests).toHaveLength(3);
    fake.requests.forEach((req, i) => {
      expect(req.path).toBe("/v1beta/models/gemini-3.1-flash-image:generateContent");
      expect(req.headers["x-goog-api-key"]).toBe(GEMINI_FAKE_KEY);
      expect(req.json).toEqual({
        contents: [{ role: "user", parts: [{ text: "a lighthouse at dusk\n\nAvoid: people" }] }],
        generationConfig: { responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio: "3:2" }, seed: 42 + i },
      });
    });
    expect("images" in outcome && outcome.images.map((i) => [i.width, i.height])).toEqual([
      [1248, 832],
      [1248, 832],
      [1248, 832],
    ]);
    expect(progress).toEqual([1, 2, 3]);
  });

  it("asks for the catalog model's upstream id: the pro model is another id, same request", async () => {
    await adapter().create(createRequest({ model: PRO, width: 1344, height: 768 }), signal);
    expect(fake.requests.map((r) => r.path)).toEqual(["/v1beta/models/gemini-3-pro-image:generateContent"]);
    expect((fake.requests[0]!.json as { generationConfig: unknown }).generationConfig).toMatchObject({ imageConfig: { aspectRatio: "16:9" } });
  });

  it("uses the model's ratio list (21:9, 4:5) and keeps seeds in int32", async () => {
    await adapter().create(flash({ width: 1536, height: 640, seed: 4_294_967_294 }), signal);
    await adapter().create(flash({ width: 896, height: 1120 }), signal);
    const configs = fake.requests.map((r) => (r.json as { generationConfig: { imageConfig: unknown; seed: number } }).generationConfig);
    expect(configs[0]).toMatchObject({ imageConfig: { aspectRatio: "21:9" } });
    expect(configs[0]!.seed).toBeLessThanOrEqual(2_147_483_647);
    expect(configs[1]).toMatchObject({ imageConfig: { aspectRatio: "4:5" } });
  });

  it("maps a 200 without an image to the right code", async () => {
    const cases: { failure: Parameters<GeminiFake["failNext"]>[0]; code: string; counts: boolean | undefined }[] = [
      { failure: { kind: "image-safety" }, code: "content_rejected", counts: false },
      { failure: { kind: "blocked" }, code: "content_rejected", counts: false },
      { failure: { kind: "blocked", blockReason: "OTHER" }, code: "content_rejected", counts: false },
      { failure: { kind: "no-image", finishReason: "PROHIBITED_CONTENT" }, code: "content_rejected", counts: false },
      { failure: { kind: "no-image" }, code: "provider_error", counts: false },
      { failure: { kind: "no-image", finishReason: "STOP" }, code: "provider_error", counts: false },
      { failure: { kind: "empty" }, code: "provider_error", counts: undefined },
      { failure: { kind: "garbage" }, code: "provider_error", counts: undefined },
      { failure: { kind: "not-json" }, code: "provider_error", counts: undefined },
    ];
    for (const c of cases) {
      fake.requests.length = 0;
      fake.failNext(c.failure);
      const error = await failure(adapter().create(flash(), signal));
      expect({ kind: c.failure.kind, code: error.code, counts: error.options.countsAgainstProvider }).toEqual({
        kind: c.failure.kind,
        code: c.code,
        counts: c.counts,
      });
      expect(fake.requests).toHaveLength(1); // a 200 is never retried
    }
  });

  it("returns the images already made when a later one fails, and stops there", async () => {
    fake.failNext({ kind: "slow", delayMs: 0 }, { kind: "server-error" });
    const outcome = await adapter().create(flash({ count: 3 }), signal);
    expect("images" in outcome && outcome.images).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
  });

  it("returns delivered images when a later one is moderated", async () => {
    fake.failNext({ kind: "slow", delayMs: 0 }, { kind: "slow", delayMs: 0 }, { kind: "image-safety" });
    const outcome = await adapter().create(flash({ count: 4 }), signal);
    expect("images" in outcome && outcome.images).toHaveLength(2);
  });

  it("throws when the first image already fails", async () => {
    fake.failNext({ kind: "image-safety" });
    const error = await failure(adapter().create(flash({ count: 3 }), signal));
    expect(error.code).toBe("content_rejected");
    expect(fake.requests).toHaveLength(1);
  });

  it("refuses a prompt over the model's limit before sending anything", async () => {
    const error = await failure(adapter().create(flash({ prompt: "y".repeat(LIMITS.promptChars + 1) }), signal));
    expect(error).toMatchObject({ code: "invalid_request", options: { details: { limit: LIMITS.promptChars } } });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("general edit", () => {
  it("sends the instruction and the image inline", async () => {
    const image = await inputImage(640, 480, "jpeg");
    const outcome = await adapter().edit!(editRequest(image, { negativePrompt: "clouds" }), signal);
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req.path).toBe("/v1beta/models/gemini-3.1-flash-image:generateContent");
    expect(req.json).toEqual({
      contents: [
        {
          role: "user",
          parts: [{ text: "make the sky pink\n\nAvoid: clouds" }, { inlineData: { mimeType: "image/jpeg", data: image.bytes.toString("base64") } }],
        },
      ],
      generationConfig: { responseModalities: ["TEXT", "IMAGE"], seed: 7 },
    });
    expect("images" in outcome && outcome.images).toHaveLength(1);
    const out = "images" in outcome ? outcome.images[0]! : undefined;
    // Without imageConfig the fake keeps the input's 4:3 proportions.
    expect(out!.width / out!.height).toBeCloseTo(4 / 3, 2);
  });

  it("edits with the model the route names", async () => {
    await adapter().edit!(editRequest(await inputImage(64, 64), { model: PRO }), signal);
    expect(fake.requests.map((r) => r.path)).toEqual(["/v1beta/models/gemini-3-pro-image:generateContent"]);
  });

  it("downscales a too-large input instead of refusing it", async () => {
    const outcome = await adapter().edit!(editRequest(await inputImage(4000, 2000)), signal);
    const sent = (fake.requests[0]!.json as { contents: [{ parts: [unknown, { inlineData: { mimeType: string; data: string } }] }] }).contents[0].parts[1].inlineData;
    const meta = await sharp(Buffer.from(sent.data, "base64")).metadata();
    expect([meta.width, meta.height]).toEqual([LIMITS.inputMaxSide, LIMITS.inputMaxSide / 2]);
    expect(sent.mimeType).toBe("image/png");
    expect("images" in outcome && outcome.images).toHaveLength(1);
  });

  it("shrinks an input whose bytes are over the inline budget even within the side limit", async () => {
    // Noise does not compress: 2000 x 2000 RGBA noise is about 16 MB as PNG.
    const raw = randomBytes(2000 * 2000 * 4);
    const bytes = await sharp(raw, { raw: { width: 2000, height: 2000, channels: 4 } }).png({ compressionLevel: 1 }).toBuffer();
    expect(bytes.length).toBeGreaterThan(INLINE_BYTES);
    await adapter().edit!(editRequest({ bytes, contentType: "image/png", width: 2000, height: 2000 }), signal);
    const sent = (fake.requests[0]!.json as { contents: [{ parts: [unknown, { inlineData: { data: string } }] }] }).contents[0].parts[1].inlineData;
    const sentBytes = Buffer.from(sent.data, "base64");
    expect(sentBytes.length).toBeLessThanOrEqual(INLINE_BYTES);
    const meta = await sharp(sentBytes).metadata();
    expect(meta.width).toBeLessThan(2000);
  }, 60_000);

  it("refuses edit kinds and models it does not do, before sending", async () => {
    const image = await inputImage(64, 64);
    expect(codeOf(await adapter().edit!(editRequest(image, { kind: "inpaint" }), signal).catch((e: unknown) => e))).toBe("invalid_request");
    expect(codeOf(await adapter().edit!(editRequest(image, { prompt: "  " }), signal).catch((e: unknown) => e))).toBe("invalid_request");
    expect(codeOf(await adapter().edit!(editRequest(await inputImage(8, 64)), signal).catch((e: unknown) => e))).toBe("unsupported_image");
    expect(fake.requests).toHaveLength(0);
  });

  it("maps a moderated edit to content_rejected", async () => {
    fake.failNext({ kind: "image-safety" });
    const error = await failure(adapter().edit!(editRequest(await inputImage(64, 64)), signal));
    expect(error.code).toBe("content_rejected");
  });
});

describe("HTTP failures", () => {
  it("reports a refused key as provider_unavailable without retrying or leaking it", async () => {
    const wrongKey = "AIzaWRONG-key-that-must-not-leak-987654321";
    const error = await failure(adapter({ apiKey: wrongKey }).create(createRequest(), signal));
    expect(error.code).toBe("provider_unavailable");
    expect(error.message).toBe("Gemini refused the proxy's key");
    expect(error.message).not.toContain(wrongKey);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.headers["x-goog-api-key"]).toBe(wrongKey);
    expect(fake.requests[0]!.path).not.toContain(wrongKey);
  });

  it("waits the RetryInfo delay in the body before retrying a 429, and succeeds once", async () => {
    fake.failNext({ kind: "rate-limited", retryDelay: "1.2s" });
    const outcome = await adapter().create(createRequest(), signal);
    expect("images" in outcome && outcome.images).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeGreaterThanOrEqual(1200);
  });

  it("a RetryInfo delay longer than the proxy waits fails at once as rate_limited carrying it", async () => {
    fake.failNext({ kind: "rate-limited", retryDelay: "12.5s" });
    const error = await failure(adapter().create(createRequest(), signal));
    expect(error).toMatchObject({ code: "rate_limited", options: { retryAfterMs: 12_500, retryable: true } });
    expect(fake.requests).toHaveLength(1);
  });

  it("a 429 whose quota is 0 (a key without billing) is a configuration error at once, not 'try later'", async () => {
    fake.failNext({ kind: "no-billing" });
    const error = await failure(adapter().create(createRequest(), signal));
    expect(error).toMatchObject({ code: "provider_unavailable", options: { countsAgainstProvider: false, details: { reason: "no_billing" } } });
    expect(error.options.retryable).toBeUndefined();
    expect(error.options.retryAfterMs).toBeUndefined();
    expect(error.message).toMatch(/no billing \(quota limit 0\)/);
    expect(fake.requests).toHaveLength(1);
  });

  it("retries a 503 (no work done) and reports provider_unavailable when it persists", async () => {
    fake.failNext({ kind: "unavailable" });
    await adapter().create(createRequest(), signal);
    expect(fake.requests).toHaveLength(2);

    fake.requests.length = 0;
    fake.failNext({ kind: "unavailable" }, { kind: "unavailable" }, { kind: "unavailable" });
    const error = await failure(adapter().create(createRequest(), signal));
    expect(error.code).toBe("provider_unavailable");
    expect(error.options.retryable).toBe(true);
    expect(fake.requests).toHaveLength(3);
  });

  it("never retries a 500 (the provider may have done the work)", async () => {
    fake.failNext({ kind: "server-error" });
    const error = await failure(adapter().create(createRequest(), signal));
    expect(error.code).toBe("provider_error");
    expect(error.options.countsAgainstProvider).toBeUndefined();
    expect(error.options.details).toMatchObject({ providerStatus: 500 });
    expect(fake.requests).toHaveLength(1);
  });

  it("maps an unexpected 400 to provider_error that does not count against Gemini", async () => {
    fake.failNext({ kind: "bad-request" });
    const error = await failure(adapter().create(createRequest(), signal));
    expect(error.code).toBe("provider_error");
    expect(error.options.countsAgainstProvider).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  it("maps FAILED_PRECONDITION (region, billing) to provider_unavailable", async () => {
    fake.failNext({ kind: "precondition" });
    const error = await failure(adapter().create(createRequest(), signal));
    expect(error.code).toBe("provider_unavailable");
  });

  it("reports a retired model (404 NOT_FOUND) as gone: provider_unavailable that does not open the circuit", async () => {
    fake.retire("gemini-3.1-flash-image");
    const error = await failure(adapter().create(createRequest(), signal));
    expect(error).toMatchObject({ code: "provider_unavailable", options: { modelGone: true, countsAgainstProvider: false, details: { providerStatus: 404, upstream: "gemini-3.1-flash-image" } } });
    expect(error.message).toMatch(/^Gemini no longer serves gemini-3\.1-flash-image \(404: models\/gemini-3\.1-flash-image is not found/);
    expect(fake.requests).toHaveLength(1);
    // Imagen and gemini-2.5-flash-image, as a stale catalog might still name them, are gone the same way.
    for (const upstream of ["imagen-4.0-generate-001", "gemini-2.5-flash-image"])
      expect((await failure(adapter().create(createRequest({ model: { ...FLASH, upstream } }), signal))).options.modelGone).toBe(true);
  });

  it("checks the key with models.list and says which catalog models it lists for generateContent", async () => {
    fake.retire("gemini-3-pro-image");
    const result = await adapter().check(["gemini-3.1-flash-image", "gemini-3-pro-image", "imagen-4.0-generate-001"], signal);
    expect(result).toMatchObject({ key: "valid", listed: { "gemini-3.1-flash-image": true, "gemini-3-pro-image": false, "imagen-4.0-generate-001": false } });
    expect(fake.requests.map((r) => [r.method, r.path.split("?")[0], r.headers["x-goog-api-key"]])).toEqual([["GET", "/v1beta/models", GEMINI_FAKE_KEY]]);
    const wrong = await adapter({ apiKey: "AIzaWRONG-key-000" }).check(["gemini-3.1-flash-image"], signal);
    expect(wrong).toMatchObject({ key: "invalid", listed: { "gemini-3.1-flash-image": null } });
    expect(wrong.detail).not.toContain("AIzaWRONG");
  });

  it("redacts the key if the provider ever echoes it", async () => {
    fake.failNext({ kind: "bad-request", message: `Bad request for key ${GEMINI_FAKE_KEY}` });
    const error = await failure(adapter().create(createRequest(), signal));
    expect(error.message).toContain("[redacted]");
  });

  it("times out a slow answer with provider_error and does not retry it", async () => {
    fake.failNext({ kind: "slow", delayMs: 1500 });
    const started = Date.now();
    const error = await failure(adapter({ timeoutMs: 200 }).create(createRequest(), signal));
    expect(error.code).toBe("provider_error");
    expect(error.message).toMatch(/did not answer/);
    expect(Date.now() - started).toBeLessThan(1400);
    expect(fake.requests).toHaveLength(1);
  });

  it("throws on abort even after some images were delivered", async () => {
    const controller = new AbortController();
    fake.failNext({ kind: "slow", delayMs: 0 }, { kind: "slow", delayMs: 2000 });
    const promise = adapter().create(
      createRequest({ count: 3, onImage: () => setTimeout(() => controller.abort(new Error("job cancelled")), 50) }),
      controller.signal,
    );
    await expect(promise).rejects.toThrow("job cancelled");
    expect(fake.requests).toHaveLength(2);
  });

  it("reports a connection refused as provider_unavailable after retrying", async () => {
    const closed = await startGeminiFake();
    const url = closed.url;
    await closed.close();
    const error = await failure(adapter({ baseUrl: url }).create(createRequest(), signal));
    expect(error.code).toBe("provider_unavailable");
    expect(error.message).not.toContain(url);
  });
});

describe("the fake itself", () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = { "x-goog-api-key": GEMINI_FAKE_KEY }) =>
    fetch(fake.url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const good = { contents: [{ role: "user", parts: [{ text: "a cat" }] }], generationConfig: { responseModalities: ["TEXT", "IMAGE"] } };

  it("refuses a key in the URL, a missing key and a bad body; serves only today's models", async () => {
    const inUrl = await post(`/v1beta/models/gemini-3.1-flash-image:generateContent?key=${GEMINI_FAKE_KEY}`, good);
    expect(inUrl.status).toBe(400);
    fake.reset(); // that URL was on purpose; the afterEach check is for the adapter's requests
    expect((await post("/v1beta/models/gemini-3.1-flash-image:generateContent", good, {})).status).toBe(403);
    const extra = await post("/v1beta/models/gemini-3.1-flash-image:generateContent", { ...good, generationConfig: { ...good.generationConfig, candidateCount: 5 } });
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as { error: { status: string } }).error.status).toBe("INVALID_ARGUMENT");
    const brokenImage = await post("/v1beta/models/gemini-3.1-flash-image:generateContent", {
      contents: [{ role: "user", parts: [{ text: "x" }, { inlineData: { mimeType: "image/png", data: "bm90IGFuIGltYWdl" } }] }],
      generationConfig: { responseModalities: ["IMAGE"] },
    });
    expect(brokenImage.status).toBe(400);
    expect((await post("/v1beta/models/gemini-3.1-flash-image:generateContent", good)).status).toBe(200);
    // Shut down in 2026: Imagen (:predict) and gemini-2.5-flash-image answer 404 NOT_FOUND.
    for (const path of ["/v1beta/models/imagen-4.0-generate-001:predict", "/v1beta/models/gemini-2.5-flash-image:generateContent"]) {
      const gone = await post(path, good);
      expect(gone.status).toBe(404);
      expect(((await gone.json()) as { error: { status: string } }).error.status).toBe("NOT_FOUND");
    }
  });
});

describe("checkInput", () => {
  const gemini = new GeminiAdapter({ apiKey: GEMINI_FAKE_KEY });
  const check = (input: Parameters<GeminiAdapter["checkInput"]>[0]) => {
    try {
      gemini.checkInput(input);
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(ProviderError);
      return error as ProviderError;
    }
  };
  const png = (width: number, height: number, bytes = 1000) => ({ width, height, bytes, contentType: "image/png" as const });

  it("passes what Gemini takes", () => {
    expect(check({ operation: "create", model: FLASH, prompt: "a cat" })).toBeUndefined();
    expect(check({ operation: "edit.general", model: FLASH, prompt: "make it blue", image: png(1024, 768) })).toBeUndefined();
    // Too large but fixable by downscaling: passes.
    expect(check({ operation: "edit.general", model: FLASH, prompt: "make it blue", image: png(6000, 4000, 20 * 1024 * 1024) })).toBeUndefined();
  });

  it("refuses operations it does not do, and a create without a model", () => {
    expect(check({ operation: "edit.inpaint", prompt: "x" })?.code).toBe("invalid_request");
    expect(check({ operation: "upscale.fast" })?.code).toBe("invalid_request");
    expect(check({ operation: "create", prompt: "x" })?.code).toBe("invalid_request");
  });

  it("checks prompt presence and the model's length limit", () => {
    expect(check({ operation: "create", model: FLASH, prompt: " " })?.code).toBe("invalid_request");
    expect(check({ operation: "edit.general", model: FLASH, image: png(64, 64) })?.options.details).toMatchObject({ field: "prompt" });
    const tooLong = check({ operation: "edit.general", model: FLASH, prompt: "z".repeat(LIMITS.promptChars + 1), image: png(64, 64) });
    expect(tooLong?.options.details).toMatchObject({ limit: LIMITS.promptChars });
    // A catalog may give a model a shorter limit: it is the model's, not the adapter's.
    const strict = { ...FLASH, limits: { ...FLASH.limits, promptChars: 100 } };
    expect(check({ operation: "create", model: strict, prompt: "z".repeat(101) })?.options.details).toMatchObject({ limit: 100 });
  });

  it("refuses images it cannot use, naming the limit", () => {
    const gif = check({ operation: "edit.general", model: FLASH, prompt: "x", image: { ...png(64, 64), contentType: "image/gif" as "image/png" } });
    expect(gif?.code).toBe("unsupported_image");
    expect(gif?.options.details).toMatchObject({ limit: ["image/png", "image/jpeg", "image/webp"] });
    const tiny = check({ operation: "edit.general", model: FLASH, prompt: "x", image: png(8, 500) });
    expect(tiny?.code).toBe("unsupported_image");
    expect(tiny?.options.details).toMatchObject({ limit: { minSide: LIMITS.inputMinSide } });
    const heavy = check({ operation: "edit.general", model: FLASH, prompt: "x", image: png(2000, 2000, LIMITS.inputMaxBytes + 1) });
    expect(heavy?.code).toBe("payload_too_large");
    expect(heavy?.options.details).toMatchObject({ limit: LIMITS.inputMaxBytes });
    for (const e of [gif, tiny, heavy]) expect(e?.options.countsAgainstProvider).toBe(false);
  });
});
