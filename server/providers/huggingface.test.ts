import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HF_FAKE_TOKEN, startHuggingFaceFake, type HuggingFaceFake } from "../test-support/fakes/huggingface-fake.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import type { Model } from "../../core/catalog/schema.ts";
import { HuggingFaceAdapter, type HuggingFaceOptions } from "./huggingface.ts";
import { pixelSize } from "./image-io.ts";
import { imagesOf, providerFailure } from "../test-support/provider-assertions.ts";
import type { CreateRequest, ProviderError } from "./types.ts";

const signal = new AbortController().signal;
let fake: HuggingFaceFake;
let adapter: HuggingFaceAdapter;

const SCHNELL = DEFAULT_CATALOG.models.find((m) => m.provider === "huggingface" && m.model === "flux-schnell")!;
/** A catalog model pointing at another repo, as an operator's CATALOG_PATH might. */
const repo = (upstream: string, over: Partial<Model> = {}): Model => ({ ...SCHNELL, model: "flux-custom", upstream, ...over });
const fluxSize = (width: number, height: number) => pixelSize(width, height, SCHNELL);

const make = (options: Partial<HuggingFaceOptions> = {}) =>
  new HuggingFaceAdapter({
    token: HF_FAKE_TOKEN,
    baseUrl: fake.url,
    hubUrl: fake.url,
    timeoutMs: 2000,
    http: { maxRetries: 2, baseDelayMs: 1, maxRetryAfterMs: 2000 },
    ...options,
  });

beforeEach(async () => {
  fake = await startHuggingFaceFake();
  adapter = make();
});
afterEach(() => fake.close());

const request = (over: Partial<CreateRequest> = {}): CreateRequest => ({
  model: SCHNELL,
  prompt: "a red fox in the snow",
  width: 512,
  height: 384,
  seed: 5,
  count: 1,
  ...over,
});


const failure = (promise: Promise<unknown>): Promise<ProviderError> => providerFailure(promise, [HF_FAKE_TOKEN, fake.url]);

describe("Hugging Face adapter: what it does", () => {
  it("does create only; which repos is catalog data", () => {
    expect(adapter.supports("create")).toBe(true);
    expect(adapter.supports("edit.general")).toBe(false);
    expect(adapter.supports("upscale.fast")).toBe(false);
  });

  it("makes flux-schnell images one call each, seed + i, reporting progress after each", async () => {
    const seen: number[] = [];
    const images = imagesOf(await adapter.create(request({ count: 2, negativePrompt: "blurry", onImage: (n) => seen.push(n) }), signal));
    expect(seen).toEqual([1, 2]);
    expect(fake.requests.map((r) => [r.method, r.path, r.json])).toEqual([0, 1].map((i) => [
      "POST",
      "/hf-inference/models/black-forest-labs/FLUX.1-schnell",
      { inputs: "a red fox in the snow", parameters: { width: 512, height: 384, seed: 5 + i, negative_prompt: "blurry", num_inference_steps: 4 } },
    ]));
    for (const r of fake.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${HF_FAKE_TOKEN}`);
      expect(r.headers["content-type"]).toContain("application/json");
    }
    expect(images.map((i) => [i.contentType, i.width, i.height])).toEqual([["image/png", 512, 384], ["image/png", 512, 384]]);
    expect((await sharp(images[0]!.bytes).metadata()).format).toBe("png");
    expect(images[0]!.bytes.equals(images[1]!.bytes)).toBe(false);
  });

  it("sends the catalog model's repo and params: another repo without fixed steps sends none, nor a negative prompt when none is given", async () => {
    await fake.close();
    fake = await startHuggingFaceFake({ models: ["someone/flux-mirror"] });
    const [image] = imagesOf(await make().create(request({ model: repo("someone/flux-mirror", { params: {} }), width: 1344, height: 768 }), signal));
    expect(fake.requests.map((r) => [r.path, r.json])).toEqual([
      ["/hf-inference/models/someone/flux-mirror", { inputs: "a red fox in the snow", parameters: { width: 1344, height: 768, seed: 5 } }],
    ]);
    expect([image!.width, image!.height]).toEqual([1344, 768]);
  });

  it("rounds sizes to multiples of 16 within 256..1536, keeping the aspect", async () => {
    expect(fluxSize(1024, 1024)).toEqual({ width: 1024, height: 1024 });
    expect(fluxSize(1000, 1000)).toEqual({ width: 1008, height: 1008 });
    expect(fluxSize(1536, 640)).toEqual({ width: 1536, height: 640 });
    expect(fluxSize(1120, 900)).toEqual({ width: 1120, height: 896 });
    expect(fluxSize(2048, 1024)).toEqual({ width: 1536, height: 768 });
    expect(fluxSize(100, 50)).toEqual({ width: 512, height: 256 });
    expect(fluxSize(4000, 100)).toEqual({ width: 1536, height: 256 });
    for (const [w, h] of [[333, 777], [1500, 999], [257, 1535]] as const) {
      const s = fluxSize(w, h);
      expect(s.width % 16 + s.height % 16).toBe(0);
      expect(Math.min(s.width, s.height)).toBeGreaterThanOrEqual(256);
      expect(Math.max(s.width, s.height)).toBeLessThanOrEqual(1536);
    }
    await adapter.create(request({ width: 3000, height: 1000 }), signal);
    expect(fake.requests[0]!.json).toMatchObject({ parameters: { width: 1536, height: 512 } });
  });

  it("refuses empty prompts before sending anything", async () => {
    expect((await failure(adapter.create(request({ prompt: " " }), signal))).code).toBe("invalid_request");
    expect(fake.requests).toHaveLength(0);
  });

  it("checks prompts: empty and over-long ones are invalid_request, naming the limit", () => {
    const thrown = (prompt: string) => {
      try {
        adapter.checkInput({ operation: "create", model: SCHNELL, prompt });
        return undefined;
      } catch (e) {
        return e as ProviderError;
      }
    };
    expect(thrown("")?.code).toBe("invalid_request");
    expect(thrown("x".repeat(2001))).toMatchObject({ code: "invalid_request", options: { countsAgainstProvider: false, details: { limit: 2000 } } });
    expect(thrown("x".repeat(2000))).toBeUndefined();
  });
});

describe("Hugging Face adapter: failures", () => {
  it("a wrong token is provider_unavailable, not retried, and no token appears", async () => {
    const wrong = make({ token: "hf_wrongToken" });
    const error = await failure(wrong.create(request(), signal));
    expect(error.code).toBe("provider_unavailable");
    expect(error.message).toContain("token");
    expect(error.message).not.toContain("hf_wrongToken");
    expect(fake.requests).toHaveLength(1);
  });

  it("403 and 402 are provider_unavailable; a token echoed by the provider is scrubbed", async () => {
    fake.failNext({ status: 403, message: `token ${HF_FAKE_TOKEN} lacks inference permission` });
    const forbidden = await failure(adapter.create(request(), signal));
    expect(forbidden.code).toBe("provider_unavailable");
    expect(forbidden.message).toContain("[redacted]");
    fake.failNext({ status: 402, message: "You have exceeded your monthly included credits", errorShape: "object" });
    const credits = await failure(adapter.create(request(), signal));
    expect(credits.code).toBe("provider_unavailable");
    expect(credits.message).toContain("monthly included credits");
    expect(fake.requests).toHaveLength(2);
  });

  it("retries 503 (model loading) and 429 before any image, then succeeds", async () => {
    fake.failNext({ loading: 0.01 }, { status: 429, retryAfter: "0" });
    expect(imagesOf(await adapter.create(request(), signal))).toHaveLength(1);
    expect(fake.requests).toHaveLength(3);
  });

  it("a model loading for longer than the proxy waits fails at once, retryable after its estimated time", async () => {
    fake.failNext({ loading: 20.5 });
    expect(await failure(adapter.create(request(), signal))).toMatchObject({
      code: "provider_unavailable",
      options: { retryable: true, retryAfterMs: 20_500 },
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("a plain 503 after the retries is provider_unavailable (retryable)", async () => {
    fake.failNext({ status: 503 }, { status: 503 }, { status: 503 });
    expect(await failure(adapter.create(request(), signal))).toMatchObject({ code: "provider_unavailable", options: { retryable: true } });
    expect(fake.requests).toHaveLength(3);
  });

  it("429 after the retries is rate_limited (retryable); a Retry-After over the cap stops at once", async () => {
    fake.failNext({ status: 429, retryAfter: "0" }, { status: 429, retryAfter: "0" }, { status: 429, retryAfter: "0" });
    expect(await failure(adapter.create(request(), signal))).toMatchObject({ code: "rate_limited", options: { retryable: true } });
    expect(fake.requests).toHaveLength(3);
    fake.requests.length = 0;
    fake.failNext({ status: 429, retryAfter: "30" });
    expect(await failure(adapter.create(request(), signal))).toMatchObject({ code: "rate_limited", options: { retryAfterMs: 30_000 } });
    expect(fake.requests).toHaveLength(1);
  });

  it("never retries a 500, and reads both error shapes", async () => {
    fake.failNext({ status: 500, message: "CUDA out of memory", errorShape: "object" });
    const error = await failure(adapter.create(request(), signal));
    expect(error.code).toBe("provider_error");
    expect(error.message).toContain("CUDA out of memory");
    expect(error.options.retryable).toBeFalsy();
    expect(fake.requests).toHaveLength(1);
    fake.failNext({ status: 400, message: "Input validation error" });
    expect((await failure(adapter.create(request(), signal))).message).toContain("Input validation error");
  });

  it("a repo hf-inference no longer serves (410) or never served (400 'not supported by provider') is reported gone", async () => {
    const dev = await failure(adapter.create(request({ model: repo("black-forest-labs/FLUX.1-dev") }), signal));
    expect(dev).toMatchObject({ code: "provider_unavailable", options: { modelGone: true, countsAgainstProvider: false, details: { providerStatus: 410 } } });
    expect(dev.message).toMatch(/^Hugging Face no longer serves black-forest-labs\/FLUX\.1-dev \(410: /);
    const other = await failure(adapter.create(request({ model: repo("someone/never-served") }), signal));
    expect(other).toMatchObject({ code: "provider_unavailable", options: { modelGone: true, details: { providerStatus: 400 } } });
    expect(other.message).toContain("Model not supported by provider hf-inference");
    // A 400 about our input is not a model gone.
    fake.failNext({ status: 400, message: "Input validation error: width" });
    expect((await failure(adapter.create(request(), signal))).options.modelGone).toBeUndefined();
  });

  it("checks the token with whoami-v2 and each repo's hf-inference mapping", async () => {
    const upstreams = ["black-forest-labs/FLUX.1-schnell", "black-forest-labs/FLUX.1-dev", "someone/unknown"];
    expect(await adapter.check(upstreams, signal)).toEqual({
      key: "valid",
      detail: "user studio-bot",
      listed: { "black-forest-labs/FLUX.1-schnell": true, "black-forest-labs/FLUX.1-dev": false, "someone/unknown": false },
    });
    expect(fake.requests[0]).toMatchObject({ method: "GET", path: "/api/whoami-v2" });
    expect(fake.requests[1]!.path).toBe("/api/models/black-forest-labs/FLUX.1-schnell?expand[]=inferenceProviderMapping");
    fake.canPay = false;
    expect(await adapter.check(upstreams.slice(0, 1), signal)).toMatchObject({ key: "no-billing", detail: expect.stringContaining("included credits") });
    const wrong = await make({ token: "hf_wrongToken" }).check(upstreams, signal);
    expect(wrong.key).toBe("invalid");
    expect(wrong.detail).not.toContain("hf_wrongToken");
  });

  it("a JSON body on 200 is a failure, not an image", async () => {
    fake.failNext({ jsonOn200: "Generation failed" });
    const error = await failure(adapter.create(request(), signal));
    expect(error.code).toBe("provider_error");
    expect(error.message).toContain("Generation failed");
  });

  it("bytes that are not an image are provider_error", async () => {
    fake.failNext({ garbage: true });
    expect((await failure(adapter.create(request(), signal))).code).toBe("provider_error");
  });

  it("a slow answer times out as provider_error and is not retried", async () => {
    const slow = make({ timeoutMs: 100 });
    fake.failNext({ delayMs: 400 });
    const error = await failure(slow.create(request(), signal));
    expect(error.code).toBe("provider_error");
    expect(error.message).toContain("did not answer");
    expect(fake.requests).toHaveLength(1);
  });

  it("returns the images made when a later call of the batch fails", async () => {
    const seen: number[] = [];
    fake.failNext({ delayMs: 0 }, { delayMs: 0 }, { status: 500 });
    const images = imagesOf(await adapter.create(request({ count: 4, onImage: (n) => seen.push(n) }), signal));
    expect(images).toHaveLength(2);
    expect(seen).toEqual([1, 2]);
    expect(fake.requests).toHaveLength(3);
  });

  it("also returns them when the later failure is a rate limit longer than the proxy waits", async () => {
    fake.failNext({ delayMs: 0 }, { status: 429, retryAfter: "60" });
    expect(imagesOf(await adapter.create(request({ count: 3 }), signal))).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
  });

  it("throws when the first image fails", async () => {
    fake.failNext({ status: 500 });
    expect((await failure(adapter.create(request({ count: 3 }), signal))).code).toBe("provider_error");
    expect(fake.requests).toHaveLength(1);
  });

  it("throws when the job is stopped mid-batch, even with images made", async () => {
    const controller = new AbortController();
    const stopped = adapter.create(request({ count: 3, onImage: () => controller.abort() }), controller.signal);
    await expect(stopped).rejects.toThrow();
    expect(fake.requests).toHaveLength(1);
  });
});
