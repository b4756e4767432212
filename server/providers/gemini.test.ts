import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GEMINI_FAKE_KEY, startGeminiFake, type GeminiFake } from "../test-support/fakes/gemini-fake.ts";
import { GEMINI_LIMITS, GeminiAdapter } from "./gemini.ts";
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
  return new GeminiAdapter({ apiKey: GEMINI_FAKE_KEY, baseUrl: fake.url, http: { baseDelayMs: 1, maxRetries: 2 }, ...overrides });
}

function createRequest(overrides: Partial<CreateRequest> = {}): CreateRequest {
  return { model: "imagen-4-fast", prompt: "a lighthouse at dusk", width: 1024, height: 1024, seed: 42, count: 1, ...overrides };
}

async function inputImage(width: number, height: number, format: "png" | "jpeg" = "png"): Promise<InputImage> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } })[format]().toBuffer();
  return { bytes, contentType: `image/${format}`, width, height };
}

function editRequest(image: InputImage, overrides: Partial<EditRequest> = {}): EditRequest {
  return { kind: "general", image, prompt: "make the sky pink", seed: 7, ...overrides };
}

const failure = (promise: Promise<unknown>): Promise<ProviderError> => providerFailure(promise, [GEMINI_FAKE_KEY]);

function codeOf(error: unknown): string | undefined {
  return error instanceof ProviderError ? error.code : undefined;
}

describe("GeminiAdapter.supports", () => {
  const gemini = new GeminiAdapter({ apiKey: "k" });
  it("creates with the three catalog models and edits only with flash", () => {
    for (const model of ["imagen-4-fast", "imagen-4", "gemini-2.5-flash-image"]) expect(gemini.supports("create", model)).toBe(true);
    expect(gemini.supports("create", "ultra")).toBe(false);
    expect(gemini.supports("edit.general")).toBe(true);
    expect(gemini.supports("edit.general", "gemini-2.5-flash-image")).toBe(true);
    expect(gemini.supports("edit.general", "imagen-4")).toBe(false);
    for (const op of ["edit.inpaint", "edit.remove-background", "upscale.fast", "social", "library"] as const) expect(gemini.supports(op)).toBe(false);
    expect(gemini.id).toBe("gemini");
  });
});

describe("Imagen create (:predict)", () => {
  it("sends the documented request with the key only in the header", async () => {
    const progress: number[] = [];
    const outcome = await adapter().create(createRequest({ onImage: (n) => progress.push(n) }), signal);
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req!.method).toBe("POST");
    expect(req!.path).toBe("/v1beta/models/imagen-4.0-fast-generate-001:predict");
    expect(req!.headers["x-goog-api-key"]).toBe(GEMINI_FAKE_KEY);
    expect(req!.headers["content-type"]).toBe("application/json");
    expect(req!.json).toEqual({ instances: [{ prompt: "a lighthouse at dusk" }], parameters: { sampleCount: 1, aspectRatio: "1:1" } });
    expect("images" in outcome && outcome.images).toHaveLength(1);
    const image = "images" in outcome ? outcome.images[0]! : undefined;
    expect(image).toMatchObject({ contentType: "image/png", width: 1024, height: 1024 });
    expect((await sharp(image!.bytes).metadata()).format).toBe("png");
    expect(progress).toEqual([1]);
  });

  it("maps imagen-4 to its model and picks the nearest supported aspect ratio", async () => {
    const cases: [number, number, string][] = [
      [1344, 768, "16:9"],
      [768, 1344, "9:16"],
      [1152, 864, "4:3"],
      [864, 1152, "3:4"],
      [1216, 832, "4:3"], // 3:2
      [1536, 640, "16:9"], // 21:9
      [1120, 896, "4:3"], // 5:4
      [896, 1120, "3:4"], // 4:5
    ];
    for (const [width, height, ratio] of cases) {
      fake.requests.length = 0;
      const outcome = await adapter().create(createRequest({ model: "imagen-4", width, height, stylePreset: "digital-art" }), signal);
      expect(fake.requests[0]!.path).toBe("/v1beta/models/imagen-4.0-generate-001:predict");
      expect(fake.requests[0]!.json).toEqual({
        instances: [{ prompt: "a lighthouse at dusk, digital art style" }],
        parameters: { sampleCount: 1, aspectRatio: ratio },
      });
      expect("images" in outcome && outcome.images[0]!.width > 0).toBe(true);
    }
  });

  it("asks for big batches in chunks of four and reports each image", async () => {
    const progress: number[] = [];
    const outcome = await adapter().create(createRequest({ count: 6, onImage: (n) => progress.push(n) }), signal);
    expect(fake.requests.map((r) => (r.json as { parameters: { sampleCount: number } }).parameters.sampleCount)).toEqual([4, 2]);
    expect("images" in outcome && outcome.images).toHaveLength(6);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("returns fewer images when some were filtered (partial delivery)", async () => {
    fake.failNext({ kind: "filtered", keep: 2 });
    const progress: number[] = [];
    const outcome = await adapter().create(createRequest({ count: 4, onImage: (n) => progress.push(n) }), signal);
    expect(fake.requests).toHaveLength(1);
    expect("images" in outcome && outcome.images).toHaveLength(2);
    expect(progress).toEqual([1, 2]);
  });

  it("keeps going after a partly filtered chunk, without re-asking for the filtered images", async () => {
    fake.failNext({ kind: "filtered", keep: 3 });
    const outcome = await adapter().create(createRequest({ count: 6 }), signal);
    expect(fake.requests.map((r) => (r.json as { parameters: { sampleCount: number } }).parameters.sampleCount)).toEqual([4, 2]);
    expect("images" in outcome && outcome.images).toHaveLength(5);
  });

  it("is content_rejected when every image was filtered, and that is not the provider's fault", async () => {
    fake.failNext({ kind: "filtered", keep: 0 });
    const error = await failure(adapter().create(createRequest({ count: 3 }), signal));
    expect(error.code).toBe("content_rejected");
    expect(error.options.countsAgainstProvider).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  it("returns the first chunk's images when a later chunk fails", async () => {
    fake.failNext({ kind: "slow", delayMs: 0 }, { kind: "server-error" });
    const outcome = await adapter().create(createRequest({ count: 8 }), signal);
    expect("images" in outcome && outcome.images).toHaveLength(4);
    expect(fake.requests).toHaveLength(2);
  });

  it("returns delivered images when a later chunk is entirely filtered", async () => {
    fake.failNext({ kind: "slow", delayMs: 0 }, { kind: "image-safety" });
    const outcome = await adapter().create(createRequest({ count: 8 }), signal);
    expect("images" in outcome && outcome.images).toHaveLength(4);
  });

  it("is a provider_error when the images are not images", async () => {
    fake.failNext({ kind: "garbage" });
    const error = await failure(adapter().create(createRequest({ count: 2 }), signal));
    expect(error.code).toBe("provider_error");
    expect(error.message).toMatch(/cannot be decoded/);
  });

  it("refuses a prompt over Imagen's limit before sending anything", async () => {
    const error = await failure(adapter().create(createRequest({ prompt: "x".repeat(GEMINI_LIMITS.imagenPromptChars + 1) }), signal));
    expect(error.code).toBe("invalid_request");
    expect(error.options.details).toMatchObject({ limit: GEMINI_LIMITS.imagenPromptChars });
    expect(fake.requests).toHaveLength(0);
  });

  it("refuses a model it does not have", async () => {
    const error = await failure(adapter().create(createRequest({ model: "imagen-9" }), signal));
    expect(error.code).toBe("invalid_request");
    expect(fake.requests).toHaveLength(0);
  });
});

describe("Flash create (:generateContent)", () => {
  const flash = (overrides: Partial<CreateRequest> = {}) => createRequest({ model: "gemini-2.5-flash-image", ...overrides });

  it("makes one call per image, each with its own seed", async () => {
    const progress: number[] = [];
    const outcome = await adapter().create(flash({ count: 3, width: 1216, height: 832, negativePrompt: "people", onImage: (n) => progress.push(n) }), signal);
    expect(fake.requests).toHaveLength(3);
    fake.requests.forEach((req, i) => {
      expect(req.path).toBe("/v1beta/models/gemini-2.5-flash-image:generateContent");
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

  it("uses flash's own ratio list (21:9, 4:5) and keeps seeds in int32", async () => {
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

  it("takes a long prompt that Imagen would refuse", async () => {
    await adapter().create(flash({ prompt: "y".repeat(GEMINI_LIMITS.imagenPromptChars + 500) }), signal);
    expect(fake.requests).toHaveLength(1);
  });
});

describe("general edit", () => {
  it("sends the instruction and the image inline", async () => {
    const image = await inputImage(640, 480, "jpeg");
    const outcome = await adapter().edit!(editRequest(image, { negativePrompt: "clouds" }), signal);
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req.path).toBe("/v1beta/models/gemini-2.5-flash-image:generateContent");
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

  it("accepts the flash model named explicitly", async () => {
    await adapter().edit!(editRequest(await inputImage(64, 64), { model: "gemini-2.5-flash-image" }), signal);
    expect(fake.requests).toHaveLength(1);
  });

  it("downscales a too-large input instead of refusing it", async () => {
    const outcome = await adapter().edit!(editRequest(await inputImage(4000, 2000)), signal);
    const sent = (fake.requests[0]!.json as { contents: [{ parts: [unknown, { inlineData: { mimeType: string; data: string } }] }] }).contents[0].parts[1].inlineData;
    const meta = await sharp(Buffer.from(sent.data, "base64")).metadata();
    expect([meta.width, meta.height]).toEqual([GEMINI_LIMITS.editMaxSide, GEMINI_LIMITS.editMaxSide / 2]);
    expect(sent.mimeType).toBe("image/png");
    expect("images" in outcome && outcome.images).toHaveLength(1);
  });

  it("shrinks an input whose bytes are over the inline budget even within the side limit", async () => {
    // Noise does not compress: 2000 x 2000 RGBA noise is about 16 MB as PNG.
    const raw = randomBytes(2000 * 2000 * 4);
    const bytes = await sharp(raw, { raw: { width: 2000, height: 2000, channels: 4 } }).png({ compressionLevel: 1 }).toBuffer();
    expect(bytes.length).toBeGreaterThan(GEMINI_LIMITS.inlineImageBytes);
    await adapter().edit!(editRequest({ bytes, contentType: "image/png", width: 2000, height: 2000 }), signal);
    const sent = (fake.requests[0]!.json as { contents: [{ parts: [unknown, { inlineData: { data: string } }] }] }).contents[0].parts[1].inlineData;
    const sentBytes = Buffer.from(sent.data, "base64");
    expect(sentBytes.length).toBeLessThanOrEqual(GEMINI_LIMITS.inlineImageBytes);
    const meta = await sharp(sentBytes).metadata();
    expect(meta.width).toBeLessThan(2000);
  }, 60_000);

  it("refuses edit kinds and models it does not do, before sending", async () => {
    const image = await inputImage(64, 64);
    expect(codeOf(await adapter().edit!(editRequest(image, { kind: "inpaint" }), signal).catch((e: unknown) => e))).toBe("invalid_request");
    expect(codeOf(await adapter().edit!(editRequest(image, { model: "imagen-4" }), signal).catch((e: unknown) => e))).toBe("invalid_request");
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

  it("retries a 429 and succeeds when the quota frees up", async () => {
    fake.failNext({ kind: "rate-limited" });
    const outcome = await adapter().create(createRequest(), signal);
    expect("images" in outcome && outcome.images).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
  });

  it("gives up after the retries with rate_limited and the RetryInfo delay", async () => {
    fake.failNext({ kind: "rate-limited", retryDelay: "7s" }, { kind: "rate-limited" }, { kind: "rate-limited", retryDelay: "12.5s" });
    const error = await failure(adapter().create(createRequest(), signal));
    expect(error.code).toBe("rate_limited");
    expect(error.options.retryAfterMs).toBe(12_500);
    expect(error.options.retryable).toBe(true);
    expect(fake.requests).toHaveLength(3);
  });

  it("retries a 503 (no work done) and reports provider_unavailable when it persists", async () => {
    fake.failNext({ kind: "unavailable" });
    await adapter().create(createRequest({ model: "gemini-2.5-flash-image" }), signal);
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
    const error = await failure(adapter().create(createRequest({ model: "gemini-2.5-flash-image" }), signal));
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

  it("maps a retired model (404) to provider_unavailable that does not open the circuit", async () => {
    fake.failNext({ kind: "model-gone" });
    const error = await failure(adapter().create(createRequest({ model: "imagen-4" }), signal));
    expect(error.code).toBe("provider_unavailable");
    expect(error.options.countsAgainstProvider).toBe(false);
    expect(fake.requests).toHaveLength(1);
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
      createRequest({ model: "gemini-2.5-flash-image", count: 3, onImage: () => setTimeout(() => controller.abort(new Error("job cancelled")), 50) }),
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
  const good = { instances: [{ prompt: "a cat" }], parameters: { sampleCount: 1, aspectRatio: "1:1" } };

  it("refuses a key in the URL, a missing key and a bad body", async () => {
    const inUrl = await post(`/v1beta/models/imagen-4.0-generate-001:predict?key=${GEMINI_FAKE_KEY}`, good);
    expect(inUrl.status).toBe(400);
    fake.reset(); // that URL was on purpose; the afterEach check is for the adapter's requests
    expect((await post("/v1beta/models/imagen-4.0-generate-001:predict", good, {})).status).toBe(403);
    const extra = await post("/v1beta/models/imagen-4.0-generate-001:predict", { ...good, parameters: { ...good.parameters, sampleCount: 5 } });
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as { error: { status: string } }).error.status).toBe("INVALID_ARGUMENT");
    const wrongMethod = await post("/v1beta/models/imagen-4.0-generate-001:generateContent", good);
    expect(wrongMethod.status).toBe(404);
    const brokenImage = await post("/v1beta/models/gemini-2.5-flash-image:generateContent", {
      contents: [{ role: "user", parts: [{ text: "x" }, { inlineData: { mimeType: "image/png", data: "bm90IGFuIGltYWdl" } }] }],
      generationConfig: { responseModalities: ["IMAGE"] },
    });
    expect(brokenImage.status).toBe(400);
    expect((await post("/v1beta/models/imagen-4.0-generate-001:predict", good)).status).toBe(200);
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
    expect(check({ operation: "create", prompt: "a cat" })).toBeUndefined();
    expect(check({ operation: "edit.general", prompt: "make it blue", image: png(1024, 768) })).toBeUndefined();
    // Too large but fixable by downscaling: passes.
    expect(check({ operation: "edit.general", prompt: "make it blue", image: png(6000, 4000, 20 * 1024 * 1024) })).toBeUndefined();
  });

  it("refuses operations it does not do", () => {
    expect(check({ operation: "edit.inpaint", prompt: "x" })?.code).toBe("invalid_request");
    expect(check({ operation: "upscale.fast" })?.code).toBe("invalid_request");
    expect(check({ operation: "create", prompt: "x", model: "sd3.5-large" })?.code).toBe("invalid_request");
  });

  it("checks prompt presence and length per model", () => {
    expect(check({ operation: "create", prompt: " " })?.code).toBe("invalid_request");
    expect(check({ operation: "edit.general", image: png(64, 64) })?.options.details).toMatchObject({ field: "prompt" });
    const long = "z".repeat(GEMINI_LIMITS.imagenPromptChars + 1);
    const imagen = check({ operation: "create", prompt: long });
    expect(imagen?.code).toBe("invalid_request");
    expect(imagen?.options.details).toEqual({ field: "prompt", limit: GEMINI_LIMITS.imagenPromptChars });
    expect(check({ operation: "create", prompt: long, model: "imagen-4" })?.code).toBe("invalid_request");
    expect(check({ operation: "create", prompt: long, model: "gemini-2.5-flash-image" })).toBeUndefined();
    expect(check({ operation: "edit.general", prompt: long, image: png(64, 64) })).toBeUndefined();
    const tooLong = check({ operation: "edit.general", prompt: "z".repeat(GEMINI_LIMITS.flashPromptChars + 1), image: png(64, 64) });
    expect(tooLong?.options.details).toMatchObject({ limit: GEMINI_LIMITS.flashPromptChars });
  });

  it("refuses images it cannot use, naming the limit", () => {
    const gif = check({ operation: "edit.general", prompt: "x", image: { ...png(64, 64), contentType: "image/gif" as "image/png" } });
    expect(gif?.code).toBe("unsupported_image");
    expect(gif?.options.details).toMatchObject({ limit: ["image/png", "image/jpeg", "image/webp"] });
    const tiny = check({ operation: "edit.general", prompt: "x", image: png(8, 500) });
    expect(tiny?.code).toBe("unsupported_image");
    expect(tiny?.options.details).toMatchObject({ limit: { minSide: GEMINI_LIMITS.inputMinSide } });
    const huge = check({ operation: "edit.general", prompt: "x", image: png(10_000, 10_000) });
    expect(huge?.code).toBe("unsupported_image");
    expect(huge?.options.details).toMatchObject({ limit: { maxPixels: GEMINI_LIMITS.inputMaxPixels } });
    const heavy = check({ operation: "edit.general", prompt: "x", image: png(2000, 2000, GEMINI_LIMITS.inputMaxBytes + 1) });
    expect(heavy?.code).toBe("payload_too_large");
    expect(heavy?.options.details).toMatchObject({ limit: GEMINI_LIMITS.inputMaxBytes });
    for (const e of [gif, tiny, huge, heavy]) expect(e?.options.countsAgainstProvider).toBe(false);
  });
});
