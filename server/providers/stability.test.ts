// The Stability adapter against its fake over real HTTP: request shapes, outputs, every failure's code,
// retry counts, timeouts, input limits and the key never leaking into an error.
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startStabilityFake, stabilityError, type StabilityFake } from "../test-support/fakes/stability-fake.ts";
import type { RecordedRequest } from "../test-support/fakes/fake-http.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { nearestAspectRatio } from "./image-io.ts";
import { StabilityAdapter, type StabilityOptions } from "./stability.ts";
import { imagesOf, providerFailure } from "../test-support/provider-assertions.ts";
import { ProviderError, type InputImage } from "./types.ts";

const KEY = "sk-test-secret-key-do-not-leak-9f8e7d";
let fake: StabilityFake;
const signal = new AbortController().signal;

beforeAll(async () => {
  fake = await startStabilityFake({ apiKey: KEY });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fake.pendingPolls = 2;
});

function adapter(options: Partial<StabilityOptions> = {}): StabilityAdapter {
  return new StabilityAdapter({ apiKey: KEY, baseUrl: fake.url, timeoutMs: 5_000, http: { baseDelayMs: 1, maxRetries: 2, maxRetryAfterMs: 1_000 }, ...options });
}

async function img(width: number, height: number, options: { alpha?: boolean; format?: "png" | "jpeg" } = {}): Promise<InputImage> {
  const base = sharp({ create: { width, height, channels: options.alpha ? 4 : 3, background: { r: 250, g: 250, b: 250, alpha: 1 } } });
  const bytes = options.format === "jpeg" ? await base.jpeg().toBuffer() : await base.png().toBuffer();
  return { bytes, contentType: options.format === "jpeg" ? "image/jpeg" : "image/png", width, height };
}

const images = imagesOf;

function field(request: RecordedRequest | undefined, name: string): string | undefined {
  const value = request?.form?.get(name);
  return typeof value === "string" ? value : undefined;
}

async function fileSize(request: RecordedRequest | undefined, name: string): Promise<{ width: number; height: number; type: string }> {
  const value = request?.form?.get(name);
  if (!value || typeof value === "string") throw new Error(`no file field ${name}`);
  const meta = await sharp(Buffer.from(await value.arrayBuffer())).metadata();
  return { width: meta.width!, height: meta.height!, type: value.type };
}

const failure = (promise: Promise<unknown>): Promise<ProviderError> => providerFailure(promise, [KEY, fake.url, "127.0.0.1", "v2beta"]);

function thrown(fn: () => void): ProviderError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error("expected a ProviderError");
}

const PNG_200 = async (headers: Record<string, string> = {}) => ({
  status: 200,
  headers: { "content-type": "image/png", "finish-reason": "SUCCESS", seed: "1", ...headers },
  body: (await img(64, 64)).bytes,
});

/** The catalog's Stability model: the adapter gets its upstream id and limits from there. */
const modelOf = (id: string) => {
  const model = DEFAULT_CATALOG.models.find((m) => m.provider === "stability" && m.model === id);
  if (!model) throw new Error(`no catalog model stability/${id}`);
  return model;
};
const RATIOS = modelOf("core").limits.aspectRatios!;

const create = (a: StabilityAdapter, model = "core", extra: Partial<Parameters<StabilityAdapter["create"]>[0]> = {}, s = signal) =>
  a.create({ model: modelOf(model), prompt: "a lighthouse at dusk", width: 1344, height: 768, seed: 42, count: 1, ...extra }, s);

describe("StabilityAdapter: supports", () => {
  it("does create (models are catalog data), every edit but general, and the three upscales", () => {
    const a = adapter();
    expect(a.supports("create")).toBe(true);
    for (const kind of ["remove-background", "inpaint", "outpaint", "search-replace", "search-recolor", "replace-background-relight", "erase"] as const)
      expect(a.supports(`edit.${kind}`)).toBe(true);
    expect(a.supports("edit.general")).toBe(false);
    for (const mode of ["fast", "conservative", "creative"] as const) expect(a.supports(`upscale.${mode}`)).toBe(true);
    expect(a.supports("social")).toBe(false);
    expect(a.id).toBe("stability");
  });
});

describe("StabilityAdapter: create", () => {
  it.each([
    ["ultra", "/v2beta/stable-image/generate/ultra", undefined],
    ["core", "/v2beta/stable-image/generate/core", undefined],
    ["sd3.5-large", "/v2beta/stable-image/generate/sd3", "sd3.5-large"],
    ["sd3.5-large-turbo", "/v2beta/stable-image/generate/sd3", "sd3.5-large-turbo"],
    ["sd3.5-medium", "/v2beta/stable-image/generate/sd3", "sd3.5-medium"],
    ["sd3.5-flash", "/v2beta/stable-image/generate/sd3", "sd3.5-flash"],
  ])("%s posts multipart to %s with the documented fields and headers", async (model, path, sentModel) => {
    const out = images(await create(adapter(), model, { negativePrompt: "blurry", stylePreset: "cinematic" }));
    expect(fake.requests).toHaveLength(1);
    const r = fake.requests[0]!;
    expect(r.method).toBe("POST");
    expect(r.path).toBe(path);
    expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(r.headers.accept).toBe("image/*");
    expect(r.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(Object.fromEntries(r.form!)).toEqual({
      prompt: "a lighthouse at dusk",
      negative_prompt: "blurry",
      style_preset: "cinematic",
      aspect_ratio: "16:9",
      seed: "42",
      output_format: "png",
      ...(sentModel ? { model: sentModel } : {}),
    });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ contentType: "image/png", width: 1344, height: 768 });
    const meta = await sharp(out[0]!.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", 1344, 768]);
  });

  it("picks the allowed aspect ratio nearest to width/height", async () => {
    expect(nearestAspectRatio(1024, 1024, RATIOS)).toBe("1:1");
    expect(nearestAspectRatio(1000, 500, RATIOS)).toBe("16:9");
    expect(nearestAspectRatio(864, 1152, RATIOS)).toBe("4:5");
    expect(nearestAspectRatio(640, 1536, RATIOS)).toBe("9:21");
    expect(nearestAspectRatio(3000, 1000, RATIOS)).toBe("21:9");
    expect(nearestAspectRatio(1216, 832, RATIOS)).toBe("3:2");
    await create(adapter(), "core", { width: 832, height: 1216 });
    expect(field(fake.requests[0], "aspect_ratio")).toBe("2:3");
  });

  it("makes a batch as one request per image with seed + i, reporting progress", async () => {
    const seen: number[] = [];
    const out = images(await create(adapter(), "ultra", { count: 3, seed: 10, onImage: (n) => seen.push(n) }));
    expect(out).toHaveLength(3);
    expect(seen).toEqual([1, 2, 3]);
    expect(fake.requests.map((r) => field(r, "seed"))).toEqual(["10", "11", "12"]);
  });

  it("keeps seeds within 0..4294967294, wrapping past the top without landing on 0 (random)", async () => {
    await create(adapter(), "core", { count: 3, seed: 4_294_967_293 });
    expect(fake.requests.map((r) => field(r, "seed"))).toEqual(["4294967293", "4294967294", "1"]);
  });

  it("returns the images already delivered when a later image of the batch fails", async () => {
    fake.passNext("generate/core");
    fake.failNext("generate/core", { status: 500, body: stabilityError("internal_error", ["An unexpected server error occurred"]) });
    const seen: number[] = [];
    const out = images(await create(adapter(), "core", { count: 3, onImage: (n) => seen.push(n) }));
    expect(out).toHaveLength(1);
    expect(seen).toEqual([1]);
    // It stops at the failure: a third request would risk paying for an image nobody will be charged for.
    expect(fake.requestsTo("generate/core")).toHaveLength(2);
  });

  it("returns delivered images when a later one is content filtered", async () => {
    fake.passNext("generate/core");
    fake.passNext("generate/core");
    fake.failNext("generate/core", await PNG_200({ "finish-reason": "CONTENT_FILTERED" }));
    const out = images(await create(adapter(), "core", { count: 4 }));
    expect(out).toHaveLength(2);
  });

  it("throws when the first image fails, so nothing is delivered", async () => {
    fake.failNext("generate/core", { status: 500, body: stabilityError("internal_error", ["boom"]) });
    const e = await failure(create(adapter(), "core", { count: 3 }));
    expect(e.code).toBe("provider_error");
    expect(fake.requests).toHaveLength(1);
  });

  it("throws when aborted mid-batch even though an image was delivered", async () => {
    const controller = new AbortController();
    fake.passNext("generate/core");
    fake.delayNext("generate/core", 2_000);
    const started = Date.now();
    const result = create(adapter(), "core", { count: 3, onImage: () => setTimeout(() => controller.abort(), 50) }, controller.signal);
    await expect(result).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(fake.requestsTo("generate/core")).toHaveLength(2);
  });

  it("reports a model Stability no longer offers as gone: an SD 3.5 model it refuses, or a generate path that is 404", async () => {
    fake.retire("sd3.5-medium");
    const medium = await failure(create(adapter(), "sd3.5-medium"));
    expect(medium).toMatchObject({ code: "provider_unavailable", options: { modelGone: true, countsAgainstProvider: false, details: { providerStatus: 400, upstream: "sd3/sd3.5-medium" } } });
    expect(medium.message).toMatch(/^Stability AI no longer serves sd3\/sd3\.5-medium \(400: model: must be one of/);
    fake.retire("generate/ultra");
    expect((await failure(create(adapter(), "ultra"))).options).toMatchObject({ modelGone: true, details: { providerStatus: 404 } });
    // The other models are untouched, and a bad request on an edit is never read as a model gone.
    expect(images(await create(adapter(), "sd3.5-large"))).toHaveLength(1);
  });
});

describe("StabilityAdapter: edits", () => {
  it("remove-background sends image and output_format png, and returns a PNG with alpha", async () => {
    const out = images(await adapter().edit({ kind: "remove-background", image: await img(300, 200, { format: "jpeg" }), seed: 5, prompt: "ignored" }, signal));
    const r = fake.requests[0]!;
    expect(r.path).toBe("/v2beta/stable-image/edit/remove-background");
    expect(r.headers.accept).toBe("image/*");
    expect([...r.form!.keys()].sort()).toEqual(["image", "output_format"]);
    expect(field(r, "output_format")).toBe("png");
    expect(await fileSize(r, "image")).toEqual({ width: 300, height: 200, type: "image/jpeg" });
    expect(out[0]).toMatchObject({ contentType: "image/png", width: 300, height: 200 });
    expect((await sharp(out[0]!.bytes).metadata()).hasAlpha).toBe(true);
  });

  it("inpaint sends image, mask, prompt, negative_prompt, seed", async () => {
    const out = images(
      await adapter().edit({ kind: "inpaint", image: await img(256, 256), mask: await img(256, 256), prompt: "a red door", negativePrompt: "text", seed: 9 }, signal),
    );
    const r = fake.requests[0]!;
    expect(r.path).toBe("/v2beta/stable-image/edit/inpaint");
    expect([...r.form!.keys()].sort()).toEqual(["image", "mask", "negative_prompt", "output_format", "prompt", "seed"]);
    expect([field(r, "prompt"), field(r, "negative_prompt"), field(r, "seed"), field(r, "output_format")]).toEqual(["a red door", "text", "9", "png"]);
    expect(out[0]).toMatchObject({ width: 256, height: 256 });
  });

  it("outpaint sends the expand amounts and returns the larger image; the prompt is optional", async () => {
    const out = images(await adapter().edit({ kind: "outpaint", image: await img(200, 100), expand: { left: 10, right: 20, up: 0, down: 30 }, seed: 1 }, signal));
    const r = fake.requests[0]!;
    expect(r.path).toBe("/v2beta/stable-image/edit/outpaint");
    expect([field(r, "left"), field(r, "right"), field(r, "up"), field(r, "down")]).toEqual(["10", "20", "0", "30"]);
    expect(r.form!.has("prompt")).toBe(false);
    expect(out[0]).toMatchObject({ width: 230, height: 130 });
  });

  it("outpaint with no side above 0 is refused before sending", async () => {
    const e = await failure(adapter().edit({ kind: "outpaint", image: await img(200, 100), expand: { left: 0, right: 0, up: 0, down: 0 }, seed: 1 }, signal));
    expect(e.code).toBe("invalid_request");
    expect(fake.requests).toHaveLength(0);
  });

  it("search-replace sends prompt and search_prompt; search-recolor sends prompt and select_prompt", async () => {
    const a = adapter();
    await a.edit({ kind: "search-replace", image: await img(128, 128), prompt: "a cat", searchPrompt: "a dog", seed: 3 }, signal);
    await a.edit({ kind: "search-recolor", image: await img(128, 128), prompt: "bright red", selectPrompt: "the car", seed: 3 }, signal);
    const [replace, recolor] = fake.requests;
    expect(replace!.path).toBe("/v2beta/stable-image/edit/search-and-replace");
    expect([field(replace, "prompt"), field(replace, "search_prompt")]).toEqual(["a cat", "a dog"]);
    expect(recolor!.path).toBe("/v2beta/stable-image/edit/search-and-recolor");
    expect([field(recolor, "prompt"), field(recolor, "select_prompt")]).toEqual(["bright red", "the car"]);
    const e = await failure(a.edit({ kind: "search-replace", image: await img(128, 128), prompt: "a cat", seed: 3 }, signal));
    expect(e.code).toBe("invalid_request");
    expect(fake.requests).toHaveLength(2);
  });

  it("inpaint and erase without a mask send the image alone: Stability derives the mask from its transparent pixels", async () => {
    const rgba = Buffer.alloc(128 * 96 * 4, 200);
    for (let y = 30; y < 62; y++) for (let x = 40; x < 72; x++) rgba[(y * 128 + x) * 4 + 3] = 0;
    const holed = await sharp(rgba, { raw: { width: 128, height: 96, channels: 4 } }).png().toBuffer();
    const image = { bytes: holed, contentType: "image/png" as const, width: 128, height: 96 };
    for (const kind of ["inpaint", "erase"] as const) {
      const out = images(await adapter().edit({ kind, image, prompt: "a window", seed: 3 }, signal));
      expect(out[0]).toMatchObject({ width: 128, height: 96 });
    }
    expect(fake.requests.map((r) => [...r.form!.keys()].includes("mask"))).toEqual([false, false]);
    // An opaque image without a mask is Stability's 400: nothing says what to change.
    fake.reset();
    const opaque = await failure(adapter().edit({ kind: "erase", image: await img(128, 96), seed: 3 }, signal));
    expect(opaque.message).toMatch(/mask: required/);
  });

  it("erase sends image and mask, no prompt", async () => {
    const out = images(await adapter().edit({ kind: "erase", image: await img(100, 80), mask: await img(100, 80), prompt: "ignored", seed: 2 }, signal));
    const r = fake.requests[0]!;
    expect(r.path).toBe("/v2beta/stable-image/edit/erase");
    expect([...r.form!.keys()].sort()).toEqual(["image", "mask", "output_format", "seed"]);
    expect(out[0]).toMatchObject({ width: 100, height: 80 });
  });

  it("replace-background-relight is async: it returns a task, and poll gives 202s then the image", async () => {
    const a = adapter({ pollAfterMs: 1234 });
    const outcome = await a.edit(
      {
        kind: "replace-background-relight",
        image: await img(160, 120, { alpha: true }),
        backgroundReference: await img(64, 64),
        lightReference: await img(80, 64),
        prompt: "a sunny beach",
        lightDirection: "left",
        seed: 8,
      },
      signal,
    );
    const r = fake.requests[0]!;
    expect(r.path).toBe("/v2beta/stable-image/edit/replace-background-and-relight");
    expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
    expect([...r.form!.keys()].sort()).toEqual(["background_prompt", "background_reference", "light_reference", "light_source_direction", "output_format", "seed", "subject_image"]);
    expect([field(r, "background_prompt"), field(r, "light_source_direction")]).toEqual(["a sunny beach", "left"]);
    expect(outcome).toEqual({ tasks: [{ id: fake.taskIds[0], pollAfterMs: 1234 }] });

    const id = fake.taskIds[0]!;
    expect(await a.poll(id, signal)).toEqual({ state: "pending", pollAfterMs: 1234 });
    expect(await a.poll(id, signal)).toEqual({ state: "pending", pollAfterMs: 1234 });
    const done = await a.poll(id, signal);
    expect(done.state).toBe("done");
    if (done.state !== "done") return;
    expect(done.images[0]).toMatchObject({ contentType: "image/png", width: 160, height: 120 });
    const polls = fake.requestsTo("results");
    expect(polls).toHaveLength(3);
    expect(polls[0]!.method).toBe("GET");
    expect(polls[0]!.path).toBe(`/v2beta/results/${id}`);
    expect(polls[0]!.headers).toMatchObject({ authorization: `Bearer ${KEY}`, accept: "image/*" });
    // Polling never re-submits the work.
    expect(fake.requestsTo("edit/replace-background-and-relight")).toHaveLength(1);
  });

  it("relight defaults pollAfterMs to Stability's 10 s pace and needs a background prompt or reference", async () => {
    const a = new StabilityAdapter({ apiKey: KEY, baseUrl: fake.url });
    const outcome = await a.edit({ kind: "replace-background-relight", image: await img(64, 64), backgroundReference: await img(64, 64), seed: 0 }, signal);
    expect(outcome).toEqual({ tasks: [{ id: fake.taskIds[0], pollAfterMs: 10_000 }] });
    expect(fake.requests[0]!.form!.has("background_prompt")).toBe(false);
    const e = await failure(a.edit({ kind: "replace-background-relight", image: await img(64, 64), seed: 0 }, signal));
    expect(e.code).toBe("invalid_request");
    expect(fake.requests).toHaveLength(1);
  });

  it("general edits are not Stability's", async () => {
    const e = await failure(adapter().edit({ kind: "general", image: await img(64, 64), prompt: "make it blue", seed: 0 }, signal));
    expect(e.code).toBe("invalid_request");
    expect(fake.requests).toHaveLength(0);
  });
});

describe("StabilityAdapter: upscales", () => {
  it("fast sends only the image and output_format and returns 4x", async () => {
    const out = images(await adapter().upscale({ mode: "fast", image: await img(100, 60), seed: 4, prompt: "ignored", creativity: 0.9 }, signal));
    const r = fake.requests[0]!;
    expect(r.path).toBe("/v2beta/stable-image/upscale/fast");
    expect([...r.form!.keys()].sort()).toEqual(["image", "output_format"]);
    expect(out[0]).toMatchObject({ width: 400, height: 240 });
  });

  it("conservative sends a neutral default prompt when none is given and clamps creativity to 0.2..0.5", async () => {
    const a = adapter();
    const out = images(await a.upscale({ mode: "conservative", image: await img(128, 128), creativity: 0.9, seed: 6 }, signal));
    await a.upscale({ mode: "conservative", image: await img(128, 128), prompt: "a fox", creativity: 0.05, seed: 6 }, signal);
    const [first, second] = fake.requests;
    expect(first!.path).toBe("/v2beta/stable-image/upscale/conservative");
    expect([field(first, "prompt"), field(first, "creativity"), field(first, "seed")]).toEqual(["high quality, detailed", "0.5", "6"]);
    expect([field(second, "prompt"), field(second, "creativity")]).toEqual(["a fox", "0.2"]);
    expect(out[0]!.width).toBeGreaterThan(128);
  });

  it("creative is async with creativity clamped to 0.1..0.5, and poll returns the upscaled image", async () => {
    const a = adapter({ pollAfterMs: 50 });
    fake.pendingPolls = 1;
    const outcome = await a.upscale({ mode: "creative", image: await img(128, 96), creativity: 0.9, seed: 7 }, signal);
    await a.upscale({ mode: "creative", image: await img(128, 96), creativity: 0, prompt: "watercolor", seed: 7 }, signal);
    const [first, second] = fake.requestsTo("upscale/creative");
    expect([field(first, "prompt"), field(first, "creativity")]).toEqual(["high quality, detailed", "0.5"]);
    expect([field(second, "prompt"), field(second, "creativity")]).toEqual(["watercolor", "0.1"]);
    expect(outcome).toEqual({ tasks: [{ id: fake.taskIds[0], pollAfterMs: 50 }] });
    const id = fake.taskIds[0]!;
    expect((await a.poll(id, signal)).state).toBe("pending");
    const done = await a.poll(id, signal);
    if (done.state !== "done") throw new Error("expected done");
    expect(done.images[0]!.width / done.images[0]!.height).toBeCloseTo(128 / 96, 1);
    expect(done.images[0]!.width).toBeGreaterThan(128);
  });
});

describe("StabilityAdapter: poll", () => {
  it("an expired or unknown task is a provider_error saying it expired", async () => {
    const a = adapter();
    await a.upscale({ mode: "creative", image: await img(128, 128), seed: 1 }, signal);
    const id = fake.taskIds[0]!;
    fake.expire(id);
    const e = await failure(a.poll(id, signal));
    expect(e.code).toBe("provider_error");
    expect(e.message).toMatch(/expired/);
    expect(e.options.countsAgainstProvider).toBe(false);
  });

  it("a busy results endpoint (503) is pending at the pace; a 429 keeps the task pending for the whole lock-out without asking", async () => {
    const a = adapter({ pollAfterMs: 100 });
    fake.pendingPolls = 0;
    await a.upscale({ mode: "creative", image: await img(128, 128), seed: 1 }, signal);
    const id = fake.taskIds[0]!;
    fake.failNext("results", { status: 503, body: "unavailable" });
    expect(await a.poll(id, signal)).toEqual({ state: "pending", pollAfterMs: 100 });
    fake.failNext("results", { status: 429, headers: { "retry-after": "30" }, body: stabilityError("rate_limit_exceeded", ["slow down"]) });
    expect(await a.poll(id, signal)).toEqual({ state: "pending", pollAfterMs: 30_000 });
    // Still locked out: the adapter does not ask (asking would only prolong the lock-out).
    const again = await a.poll(id, signal);
    expect(again.state).toBe("pending");
    expect(again.state === "pending" && again.pollAfterMs).toBeGreaterThan(29_000);
    expect(fake.requestsTo("results")).toHaveLength(2);
    expect(fake.requestsTo("upscale/creative")).toHaveLength(1);
  });

  it("a 5xx on a poll says nothing about the task: it is asked again at the pace, then delivers, never re-posted", async () => {
    const a = adapter({ pollAfterMs: 50 });
    fake.pendingPolls = 0;
    await a.upscale({ mode: "creative", image: await img(128, 128), seed: 1 }, signal);
    fake.failNext("results", { status: 500, body: stabilityError("internal_error", ["oops"]) });
    fake.failNext("results", { status: 502, body: "<html>Bad gateway</html>" });
    expect(await a.poll(fake.taskIds[0]!, signal)).toEqual({ state: "pending", pollAfterMs: 50 });
    expect(await a.poll(fake.taskIds[0]!, signal)).toEqual({ state: "pending", pollAfterMs: 50 });
    expect((await a.poll(fake.taskIds[0]!, signal)).state).toBe("done");
    expect(fake.requestsTo("results")).toHaveLength(3);
    expect(fake.requestsTo("upscale/creative")).toHaveLength(1);
  });

  it("refuses a malformed task id without a request", async () => {
    const e = await failure(adapter().poll("../../v1/user/account", signal));
    expect(e.code).toBe("provider_error");
    expect(fake.requests).toHaveLength(0);
  });
});

describe("StabilityAdapter: failures", () => {
  const cases: [string, { status: number; body: unknown; headers?: Record<string, string> }, string, boolean | undefined][] = [
    ["403 content_moderation", { status: 403, body: stabilityError("content_moderation", ["Your request was flagged by our content moderation system"]) }, "content_rejected", false],
    ["422 public_figure", { status: 422, body: stabilityError("public_figure", ["Our system detected a public figure"]) }, "content_rejected", false],
    ["422 invalid_language", { status: 422, body: stabilityError("invalid_language", ["English is the only supported language"]) }, "invalid_request", false],
    ["402 payment_required", { status: 402, body: stabilityError("payment_required", ["You lack sufficient credits"]) }, "provider_unavailable", undefined],
    ["413 payload_too_large", { status: 413, body: stabilityError("payload_too_large", ["body: too large"]) }, "payload_too_large", false],
    ["400 bad_request", { status: 400, body: stabilityError("bad_request", ["aspect_ratio: invalid"]) }, "provider_error", false],
    ["500 internal_error", { status: 500, body: stabilityError("internal_error", ["An unexpected server error occurred"]) }, "provider_error", undefined],
    ["500 with a non-JSON body", { status: 500, body: "<html>Bad gateway</html>" }, "provider_error", undefined],
  ];

  it.each(cases)("%s maps to %s and is not retried", async (_name, reply, code, counts) => {
    fake.failNext("generate/core", reply as never);
    const e = await failure(create(adapter()));
    expect(e.code).toBe(code);
    expect(e.options.countsAgainstProvider).toBe(counts);
    expect(e.options.details?.providerStatus ?? 413).toBe(reply.status);
    expect(fake.requests).toHaveLength(1);
  });

  it("content_moderation on an edit maps to content_rejected with Stability's words", async () => {
    fake.failNext("edit/inpaint", { status: 403, body: stabilityError("content_moderation", ["flagged by moderation"]) });
    const e = await failure(adapter().edit({ kind: "inpaint", image: await img(128, 128), mask: await img(128, 128), prompt: "x", seed: 1 }, signal));
    expect(e.code).toBe("content_rejected");
    expect(e.message).toContain("flagged by moderation");
  });

  it("a wrong key is Stability's 401, surfaced as provider_unavailable without the key", async () => {
    const a = new StabilityAdapter({ apiKey: "sk-wrong-key-123456", baseUrl: fake.url, http: { baseDelayMs: 1 } });
    const e = await failure(a.create({ model: modelOf("core"), prompt: "x", width: 64, height: 64, seed: 1, count: 1 }, signal));
    expect(e.code).toBe("provider_unavailable");
    expect(e.message).not.toContain("sk-wrong-key-123456");
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.headers.authorization).toBe("Bearer sk-wrong-key-123456");
  });

  it("redacts the key if Stability echoes it in an error", async () => {
    fake.failNext("generate/core", { status: 401, body: stabilityError("unauthorized", [`authorization: key ${KEY} is revoked`]) });
    const e = await failure(create(adapter()));
    expect(e.message).toContain("[redacted]");
  });

  it("retries a 429 that states a short wait, never within a second of the first attempt, and succeeds once", async () => {
    fake.failNext("generate/core", { status: 429, headers: { "retry-after": "0" }, body: stabilityError("rate_limit_exceeded", ["too many requests"]) });
    const out = images(await create(adapter()));
    expect(out).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it("a 429 without Retry-After is Stability's 60 s lock-out: rate_limited at once carrying it, and no call until it ends", async () => {
    fake.failNext("generate/core", { status: 429, body: stabilityError("rate_limit_exceeded", ["too many requests"]) });
    const a = adapter();
    const e = await failure(create(a));
    expect(e).toMatchObject({ code: "rate_limited", options: { retryAfterMs: 60_000, retryable: true } });
    expect(fake.requests).toHaveLength(1);
    // The same proxy's next call (another job) fails at once with what is left of the wait, sending nothing.
    const next = await failure(create(a, "ultra"));
    expect(next.code).toBe("rate_limited");
    expect(next.options.retryAfterMs).toBeGreaterThan(58_000);
    expect(fake.requests).toHaveLength(1);
  });

  it("retries 503 up to maxRetries, then is provider_unavailable and retryable", async () => {
    for (let i = 0; i < 3; i++) fake.failNext("generate/core", { status: 503, body: "Service Unavailable" });
    const e = await failure(create(adapter()));
    expect(e.code).toBe("provider_unavailable");
    expect(e.options.retryable).toBe(true);
    expect(fake.requests).toHaveLength(3);
  });

  it("429 with a Retry-After beyond the allowed wait is rate_limited at once, carrying the wait", async () => {
    fake.failNext("generate/core", { status: 429, headers: { "retry-after": "60" }, body: stabilityError("rate_limit_exceeded", ["locked out for 60 s"]) });
    const e = await failure(create(adapter()));
    expect(e.code).toBe("rate_limited");
    expect(e.options.retryAfterMs).toBe(60_000);
    expect(e.options.retryable).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it("an async start is retried on 429 (nothing accepted yet) but accepted work is never re-posted", async () => {
    fake.failNext("upscale/creative", { status: 429, headers: { "retry-after": "0" }, body: stabilityError("rate_limit_exceeded", ["slow"]) });
    const outcome = await adapter().upscale({ mode: "creative", image: await img(128, 128), seed: 1 }, signal);
    expect("tasks" in outcome).toBe(true);
    expect(fake.requestsTo("upscale/creative")).toHaveLength(2);
    expect(fake.taskIds).toHaveLength(1);
  });

  it("a 200 with finish-reason CONTENT_FILTERED is content_rejected", async () => {
    fake.failNext("generate/ultra", await PNG_200({ "finish-reason": "CONTENT_FILTERED" }));
    const e = await failure(create(adapter(), "ultra"));
    expect(e.code).toBe("content_rejected");
    expect(e.options.countsAgainstProvider).toBe(false);
  });

  it("a 200 with an empty or garbage body is provider_error", async () => {
    fake.failNext("generate/core", { status: 200, headers: { "content-type": "image/png", "finish-reason": "SUCCESS" }, body: "" });
    expect((await failure(create(adapter()))).code).toBe("provider_error");
    fake.failNext("generate/core", { status: 200, headers: { "content-type": "image/png", "finish-reason": "SUCCESS" }, body: Buffer.from("definitely not a png") });
    expect((await failure(create(adapter()))).code).toBe("provider_error");
    fake.failNext("edit/erase", { status: 200, headers: { "content-type": "application/json" }, body: { finish_reason: "SUCCESS" } });
    expect((await failure(adapter().edit({ kind: "erase", image: await img(64, 64), seed: 1 }, signal))).code).toBe("provider_error");
  });

  it("an async start that answers without an id is provider_error", async () => {
    fake.failNext("upscale/creative", { status: 200, body: { status: "ok" } });
    const e = await failure(adapter().upscale({ mode: "creative", image: await img(128, 128), seed: 1 }, signal));
    expect(e.code).toBe("provider_error");
  });

  it("tolerates a JSON answer with a base64 image", async () => {
    const png = (await img(72, 48)).bytes;
    fake.failNext("generate/core", { status: 200, body: { image: png.toString("base64"), finish_reason: "SUCCESS", seed: 1 } });
    const out = images(await create(adapter()));
    expect(out[0]).toMatchObject({ width: 72, height: 48, contentType: "image/png" });
    fake.failNext("generate/core", { status: 200, body: { image: png.toString("base64"), finish_reason: "CONTENT_FILTERED", seed: 1 } });
    expect((await failure(create(adapter()))).code).toBe("content_rejected");
  });

  it("times out a slow answer once, without retrying", async () => {
    fake.delayNext("generate/core", 1_500);
    const started = Date.now();
    const e = await failure(create(adapter({ timeoutMs: 200 })));
    expect(e.code).toBe("provider_error");
    expect(e.message).toMatch(/did not answer/);
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(fake.requests).toHaveLength(1);
  });

  it("a results poll that times out or finds Stability unreachable is pending: the accepted task keeps running", async () => {
    fake.pendingPolls = 0;
    const outcome = await adapter({ timeoutMs: 200 }).upscale({ mode: "creative", image: await img(128, 128), seed: 1 }, signal);
    if (!("tasks" in outcome)) throw new Error("expected a task");
    const id = outcome.tasks[0]!.id;
    fake.delayNext("results", 1_000);
    expect(await adapter({ timeoutMs: 200, pollAfterMs: 7 }).poll(id, signal)).toEqual({ state: "pending", pollAfterMs: 7 });
    const closed = await startStabilityFake({ apiKey: KEY });
    await closed.close();
    expect(await new StabilityAdapter({ apiKey: KEY, baseUrl: closed.url, pollAfterMs: 7 }).poll(id, signal)).toEqual({ state: "pending", pollAfterMs: 7 });
  });

  it("an unreachable provider is provider_unavailable", async () => {
    const closed = await startStabilityFake({ apiKey: KEY });
    const url = closed.url;
    await closed.close();
    const a = new StabilityAdapter({ apiKey: KEY, baseUrl: url, http: { baseDelayMs: 1, maxRetries: 1 } });
    const e = await failure(a.create({ model: modelOf("core"), prompt: "x", width: 64, height: 64, seed: 1, count: 1 }, signal));
    expect(e.code).toBe("provider_unavailable");
    expect(e.message).not.toContain(url);
  });
});

describe("StabilityAdapter: check", () => {
  it("reads the credit balance: valid with credits, no-billing at 0, invalid for a refused key; v2beta lists no models", async () => {
    const upstreams = ["core", "sd3/sd3.5-large"];
    expect(await adapter().check(upstreams, signal)).toEqual({ key: "valid", detail: "42.5 credits left", listed: { core: null, "sd3/sd3.5-large": null } });
    expect(fake.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([["GET", "/v1/user/balance", `Bearer ${KEY}`]]);
    fake.credits = 0;
    expect((await adapter().check(upstreams, signal)).key).toBe("no-billing");
    fake.credits = 42.5;
    const wrong = await new StabilityAdapter({ apiKey: "sk-wrong", baseUrl: fake.url }).check(upstreams, signal);
    expect(wrong.key).toBe("invalid");
    expect(wrong.detail).not.toContain("sk-wrong");
  });
});

describe("StabilityAdapter: input limits", () => {
  const a = () => adapter();
  const image = (width: number, height: number, bytes = 1000) => ({ width, height, bytes, contentType: "image/png" as const });

  it("accepts inputs within every documented range", () => {
    a().checkInput({ operation: "create", prompt: "a fox" });
    a().checkInput({ operation: "edit.remove-background", image: image(64, 64) });
    a().checkInput({ operation: "edit.inpaint", image: image(3072, 3072), prompt: "x" });
    a().checkInput({ operation: "edit.outpaint", image: image(250, 100) });
    a().checkInput({ operation: "upscale.fast", image: image(1536, 600) });
    a().checkInput({ operation: "upscale.fast", image: image(32, 32) });
    a().checkInput({ operation: "upscale.creative", image: image(1024, 1024) });
    a().checkInput({ operation: "upscale.conservative", image: image(3072, 3072) });
    a().checkInput({ operation: "edit.replace-background-relight", image: image(3000, 3000), parts: { backgroundReference: image(64, 160), lightReference: image(2000, 800) } });
  });

  it.each([
    ["edit.remove-background", 63, 64, "4,096 to 4,194,304 pixels"],
    ["edit.inpaint", 50, 50, "4,096 to 9,437,184 pixels"],
    ["edit.erase", 4095, 1, "4,096 to 9,437,184 pixels"],
    ["edit.outpaint", 300, 100, "aspect ratio between 1:2.5 and 2.5:1"],
    ["edit.search-replace", 100, 251, "aspect ratio between 1:2.5 and 2.5:1"],
    ["edit.search-recolor", 40, 40, "4,096 to 9,437,184 pixels"],
    ["upscale.fast", 31, 100, "each side 32 to 1,536 px"],
    ["upscale.fast", 1537, 100, "each side 32 to 1,536 px"],
    ["upscale.fast", 1200, 1000, "1,024 to 1,048,576 pixels"],
    ["upscale.conservative", 3100, 3100, "4,096 to 9,437,184 pixels"],
    ["upscale.conservative", 600, 200, "aspect ratio between 1:2.5 and 2.5:1"],
    ["upscale.creative", 1025, 1024, "4,096 to 1,048,576 pixels"],
    ["upscale.creative", 60, 60, "4,096 to 1,048,576 pixels"],
    ["edit.replace-background-relight", 63, 200, "each side at least 64 px"],
    ["edit.replace-background-relight", 3100, 3100, "4,096 to 9,437,184 pixels"],
    ["edit.replace-background-relight", 1000, 300, "aspect ratio between 1:2.5 and 2.5:1"],
  ] as const)("%s refuses %i×%i as unsupported_image naming %s", (operation, width, height, limit) => {
    const e = thrown(() => a().checkInput({ operation, image: image(width, height), prompt: "a prompt" }));
    expect(e.code).toBe("unsupported_image");
    expect(e.options.details).toEqual({ limit });
    expect(e.message).toContain(limit);
    expect(e.options.countsAgainstProvider).toBe(false);
  });

  it("holds relight's references to the subject's limits, naming the part", () => {
    const subject = image(512, 512);
    const bad = [
      [{ backgroundReference: image(64, 63) }, "each side at least 64 px", "background reference"],
      [{ lightReference: image(4000, 3000) }, "4,096 to 9,437,184 pixels", "light reference"],
      [{ backgroundReference: image(1000, 390) }, "aspect ratio between 1:2.5 and 2.5:1", "background reference"],
    ] as const;
    for (const [parts, limit, part] of bad) {
      const e = thrown(() => a().checkInput({ operation: "edit.replace-background-relight", image: subject, parts, prompt: "a beach" }));
      expect(e).toMatchObject({ code: "unsupported_image", options: { details: { limit } } });
      expect(e.message).toContain(`the ${part} image`);
    }
    // The mask of another edit is not held to them.
    a().checkInput({ operation: "edit.inpaint", image: subject, parts: { mask: image(512, 512) }, prompt: "x" });
  });

  it("lets an edit image over the pixel maximum pass (it is downscaled at call time) but not an upscale's", () => {
    a().checkInput({ operation: "edit.remove-background", image: image(4000, 4000) });
    a().checkInput({ operation: "edit.inpaint", image: image(4000, 4000), prompt: "x" });
    expect(thrown(() => a().checkInput({ operation: "upscale.fast", image: image(1100, 1000) })).code).toBe("unsupported_image");
  });

  it("refuses prompts that are missing where required or over 10,000 characters", () => {
    const long = "x".repeat(10_001);
    for (const [operation, prompt] of [
      ["create", undefined],
      ["create", "   "],
      ["create", long],
      ["edit.inpaint", undefined],
      ["edit.search-replace", ""],
      ["edit.outpaint", long],
      ["upscale.creative", long],
    ] as const) {
      const e = thrown(() => a().checkInput({ operation, prompt, image: image(512, 512) }));
      expect(e.code).toBe("invalid_request");
      expect(e.options.details?.limit).toBe("prompt: 1 to 10,000 characters");
    }
    // Optional or defaulted prompts may be absent; 10,000 characters (not bytes) is allowed.
    a().checkInput({ operation: "edit.outpaint", image: image(512, 512) });
    a().checkInput({ operation: "upscale.conservative", image: image(512, 512) });
    a().checkInput({ operation: "create", prompt: "é".repeat(10_000) });
  });

  it("refuses an image over the 10 MiB body as payload_too_large unless it will be downscaled", () => {
    const big = 10 * 1024 * 1024 + 1;
    const e = thrown(() => a().checkInput({ operation: "upscale.fast", image: image(1000, 1000, big) }));
    expect(e.code).toBe("payload_too_large");
    expect(e.options.details).toEqual({ limit: "10 MiB request body" });
    expect(thrown(() => a().checkInput({ operation: "edit.erase", image: image(2000, 2000, big) })).code).toBe("payload_too_large");
    a().checkInput({ operation: "edit.erase", image: image(4000, 4000, big) });
  });

  it("checks the real body size at call time and sends nothing over 10 MiB", async () => {
    const huge: InputImage = { ...(await img(64, 64)), bytes: Buffer.alloc(10 * 1024 * 1024 + 10) };
    const e = await failure(adapter().edit({ kind: "replace-background-relight", image: huge, prompt: "a beach", seed: 1 }, signal));
    expect(e.code).toBe("payload_too_large");
    expect(fake.requests).toHaveLength(0);
  });

  it("refuses at call time too, so skipping checkInput cannot produce an upstream 400", async () => {
    const e = await failure(adapter().upscale({ mode: "fast", image: await img(2000, 400), seed: 1 }, signal));
    expect(e.code).toBe("unsupported_image");
    expect(e.options.details?.limit).toBe("each side 32 to 1,536 px");
    const small = await failure(adapter().edit({ kind: "inpaint", image: await img(60, 60), prompt: "x", seed: 1 }, signal));
    expect(small.code).toBe("unsupported_image");
    expect(fake.requests).toHaveLength(0);
  });

  it("downscales an edit image over the maximum, with its mask, before sending", async () => {
    const out = images(await adapter().edit({ kind: "inpaint", image: await img(3100, 3100), mask: await img(3100, 3100), prompt: "x", seed: 1 }, signal));
    const r = fake.requests[0]!;
    const sent = await fileSize(r, "image");
    expect(sent.width * sent.height).toBeLessThanOrEqual(9_437_184);
    expect(sent.width).toBeGreaterThan(3000);
    expect(await fileSize(r, "mask")).toMatchObject({ width: sent.width, height: sent.height });
    expect(out[0]).toMatchObject({ width: sent.width, height: sent.height });
  });

  it("downscales for remove-background's lower maximum", async () => {
    await adapter().edit({ kind: "remove-background", image: await img(2100, 2100), seed: 1 }, signal);
    const sent = await fileSize(fake.requests[0], "image");
    expect(sent.width * sent.height).toBeLessThanOrEqual(4_194_304);
    expect(sent.width).toBe(sent.height);
  });

  it("scales outpaint's expand with a downscaled image, keeping the composition", async () => {
    const out = images(await adapter().edit({ kind: "outpaint", image: await img(4000, 3000), expand: { left: 400, right: 0, up: 0, down: 300 }, seed: 1 }, signal));
    const r = fake.requests[0]!;
    const sent = await fileSize(r, "image");
    const scale = sent.width / 4000;
    expect(scale).toBeLessThan(1);
    expect(Number(field(r, "left"))).toBe(Math.round(400 * scale));
    expect(Number(field(r, "down"))).toBe(Math.round(300 * scale));
    expect(out[0]!.width).toBe(sent.width + Number(field(r, "left")));
  });
});

describe("the Stability fake", () => {
  const post = (path: string, init: RequestInit) => fetch(`${fake.url}/v2beta/stable-image/${path}`, { method: "POST", ...init });

  it("answers an empty POST with Stability's content-type error", async () => {
    const response = await post("generate/core", { headers: { authorization: `Bearer ${KEY}` } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { id: string; name: string; errors: string[] };
    expect(body.name).toBe("bad_request");
    expect(body.errors[0]).toMatch(/^content-type: required/);
    expect(typeof body.id).toBe("string");
  });

  it("refuses a wrong key with 401 and a missing required field with 400", async () => {
    const form = new FormData();
    form.append("negative_prompt", "x");
    expect((await post("generate/core", { headers: { authorization: "Bearer nope" }, body: form })).status).toBe(401);
    const response = await post("generate/core", { headers: { authorization: `Bearer ${KEY}` }, body: form });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: string[] }).errors).toContain("prompt: required");
  });

  it("enforces the documented pixel limits", async () => {
    const form = new FormData();
    form.append("image", new Blob([new Uint8Array((await img(60, 60)).bytes)], { type: "image/png" }), "a.png");
    form.append("prompt", "x");
    const response = await post("edit/inpaint", { headers: { authorization: `Bearer ${KEY}` }, body: form });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/pixel count/);
  });

  it("locks the key out for 60 s after a 429: every request in the window is another 429", async () => {
    fake.failNext("generate/core", { status: 429, body: stabilityError("rate_limit_exceeded", ["too many"]) });
    const form = () => {
      const f = new FormData();
      f.append("prompt", "x");
      return f;
    };
    expect((await post("generate/core", { headers: { authorization: `Bearer ${KEY}` }, body: form() })).status).toBe(429);
    expect((await post("generate/ultra", { headers: { authorization: `Bearer ${KEY}` }, body: form() })).status).toBe(429);
  });

  it("sets finish-reason and seed headers on images", async () => {
    const form = new FormData();
    form.append("prompt", "x");
    form.append("seed", "77");
    const response = await post("generate/core", { headers: { authorization: `Bearer ${KEY}`, accept: "image/*" }, body: form });
    expect(response.status).toBe(200);
    expect(response.headers.get("finish-reason")).toBe("SUCCESS");
    expect(response.headers.get("seed")).toBe("77");
    expect(response.headers.get("content-type")).toBe("image/png");
  });
});
