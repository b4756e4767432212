import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startWaveSpeedFake, WAVESPEED_FAKE_KEY, type WaveSpeedFake } from "../test-support/fakes/wavespeed-fake.ts";
import { ProviderError, type CreateRequest, type EditRequest, type ImageType, type InputImage, type PollResult, type ProviderImage, type ProviderOutcome } from "./types.ts";
import { providerFailure } from "../test-support/provider-assertions.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { nearestAspectRatio, pixelSize } from "./image-io.ts";
import { WAVESPEED_POLL_MS, WaveSpeedAdapter, type WaveSpeedOptions } from "./wavespeed.ts";

/** The catalog's WaveSpeed model: its upstream path, request shape (ratios or pixels, seed) and limits. */
const ws = (id: string) => {
  const model = DEFAULT_CATALOG.models.find((m) => m.provider === "wavespeed" && m.model === id);
  if (!model) throw new Error(`no catalog model wavespeed/${id}`);
  return model;
};
const EDIT = ws("qwen-image-edit");
const qwenSize = (width: number, height: number) => pixelSize(width, height, ws("qwen-image"));
const nearestRatio = (width: number, height: number) => nearestAspectRatio(width, height, ws("ideogram-v3-turbo").limits.aspectRatios!);

const signal = new AbortController().signal;
let fake: WaveSpeedFake;
let adapter: WaveSpeedAdapter;

const make = (options: Partial<WaveSpeedOptions> = {}) =>
  new WaveSpeedAdapter({
    apiKey: WAVESPEED_FAKE_KEY,
    baseUrl: fake.url,
    timeoutMs: 2000,
    pollAfterMs: 5,
    http: { maxRetries: 2, baseDelayMs: 1, maxRetryAfterMs: 2000 },
    ...options,
  });

beforeEach(async () => {
  fake = await startWaveSpeedFake();
  adapter = make();
});
afterEach(() => fake.close());

const createRequest = (over: Partial<Omit<CreateRequest, "model">> & { model?: string } = {}): CreateRequest => ({
  prompt: "a lighthouse at dusk",
  width: 512,
  height: 384,
  seed: 10,
  count: 1,
  ...over,
  model: ws(over.model ?? "qwen-image"),
});

async function pngInput(width: number, height: number): Promise<InputImage> {
  const bytes = await sharp({ create: { width, height, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 1 } } }).png().toBuffer();
  return { bytes, contentType: "image/png", width, height };
}

function tasksOf(outcome: ProviderOutcome) {
  if (!("tasks" in outcome)) throw new Error("expected tasks");
  return outcome.tasks;
}

/** Polls every task to its end, as the job runner would. */
async function finish(outcome: ProviderOutcome): Promise<ProviderImage[]> {
  const images: ProviderImage[] = [];
  for (const task of tasksOf(outcome)) {
    let result: PollResult = await adapter.poll(task.id, signal);
    for (let i = 0; i < 10 && result.state === "pending"; i++) result = await adapter.poll(task.id, signal);
    if (result.state !== "done") throw new Error("never finished");
    images.push(...result.images);
  }
  return images;
}

const failure = (promise: Promise<unknown>): Promise<ProviderError> => providerFailure(promise, [WAVESPEED_FAKE_KEY, fake.url]);

const posts = () => fake.requests.filter((r) => r.method === "POST");
const polls = () => fake.requests.filter((r) => r.method === "GET");

describe("WaveSpeed adapter: what it does", () => {
  it("does create and general edits (its models are catalog data), nothing else; polls at the documented 2 s by default", () => {
    expect(adapter.supports("create")).toBe(true);
    expect(adapter.supports("edit.general")).toBe(true);
    expect(adapter.supports("edit.inpaint")).toBe(false);
    expect(adapter.supports("upscale.fast")).toBe(false);
    expect(adapter.supports("social")).toBe(false);
    expect(WAVESPEED_POLL_MS).toBe(2000);
  });

  it("creates with qwen-image: one submission per variation with seed + i, then polls each to a real PNG", async () => {
    const outcome = await adapter.create(createRequest({ count: 2 }), signal);
    const tasks = tasksOf(outcome);
    expect(tasks).toHaveLength(2);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(2);
    expect(tasks.every((t) => t.pollAfterMs === 5)).toBe(true);
    expect(posts().map((r) => [r.path, r.json])).toEqual([1, 2].map((_, i) => [
      "/api/v3/wavespeed-ai/qwen-image/text-to-image",
      { prompt: "a lighthouse at dusk", size: "512*384", seed: 10 + i, output_format: "png", enable_base64_output: true },
    ]));
    for (const r of posts()) {
      expect(r.headers.authorization).toBe(`Bearer ${WAVESPEED_FAKE_KEY}`);
      expect(r.headers["content-type"]).toContain("application/json");
    }

    // created → processing → completed: the first poll is still pending.
    const first = await adapter.poll(tasks[0]!.id, signal);
    expect(first).toEqual({ state: "pending", pollAfterMs: 5 });
    const images = await finish(outcome);
    expect(images.map((i) => [i.contentType, i.width, i.height])).toEqual([["image/png", 512, 384], ["image/png", 512, 384]]);
    expect((await sharp(images[0]!.bytes).metadata()).format).toBe("png");
    expect(images[0]!.bytes.equals(images[1]!.bytes)).toBe(false);
    expect(polls().every((r) => r.path.startsWith("/api/v3/predictions/") && r.path.endsWith("/result"))).toBe(true);
    expect(polls().every((r) => r.headers.authorization === `Bearer ${WAVESPEED_FAKE_KEY}`)).toBe(true);
  });

  it("fits qwen-image sizes into 256..1536 per side, keeping the aspect", async () => {
    expect(qwenSize(1024, 1024)).toEqual({ width: 1024, height: 1024 });
    expect(qwenSize(1536, 640)).toEqual({ width: 1536, height: 640 });
    expect(qwenSize(2048, 1024)).toEqual({ width: 1536, height: 768 });
    expect(qwenSize(100, 50)).toEqual({ width: 512, height: 256 });
    expect(qwenSize(3000, 6000)).toEqual({ width: 768, height: 1536 });
    // Too extreme for both bounds: clamped per side.
    expect(qwenSize(4000, 100)).toEqual({ width: 1536, height: 256 });
    await finish(await adapter.create(createRequest({ width: 3072, height: 2048 }), signal));
    expect(posts()[0]!.json).toMatchObject({ size: "1536*1024" });
  });

  it("creates with each Ideogram V3 model, sending the nearest supported aspect ratio", async () => {
    const cases = [
      ["ideogram-v3-turbo", 1344, 768, "16:9", [114, 64]],
      ["ideogram-v3-balanced", 1216, 832, "4:3", [85, 64]],
      ["ideogram-v3-quality", 640, 1536, "9:16", [64, 114]],
      ["ideogram-v3-turbo", 1024, 1024, "1:1", [64, 64]],
      ["ideogram-v3-quality", 864, 1152, "3:4", [64, 85]],
    ] as const;
    for (const [model, width, height, ratio, [w, h]] of cases) {
      fake.requests.length = 0;
      const [image] = await finish(await adapter.create(createRequest({ model, width, height }), signal));
      expect(posts().map((r) => [r.path, r.json])).toEqual([
        [`/api/v3/ideogram-ai/${model}`, { prompt: "a lighthouse at dusk", aspect_ratio: ratio, enable_base64_output: true }],
      ]);
      expect([image!.width, image!.height]).toEqual([w, h]);
    }
    expect(nearestRatio(2000, 1000)).toBe("16:9");
    expect(nearestRatio(1000, 1100)).toBe("1:1");
  });

  it("maps style presets to Ideogram styles and submits each Ideogram variation separately", async () => {
    const outcome = await adapter.create(createRequest({ model: "ideogram-v3-turbo", count: 3, stylePreset: "photographic" }), signal);
    expect(tasksOf(outcome)).toHaveLength(3);
    expect(posts().map((r) => r.json)).toEqual(Array(3).fill({ prompt: "a lighthouse at dusk", aspect_ratio: "4:3", style: "Realistic", enable_base64_output: true }));
    fake.requests.length = 0;
    await adapter.create(createRequest({ model: "ideogram-v3-turbo", stylePreset: "cinematic" }), signal);
    await adapter.create(createRequest({ model: "ideogram-v3-turbo", stylePreset: "pixel-art" }), signal);
    expect(posts().map((r) => (r.json as { style?: string }).style)).toEqual(["Realistic", undefined]);
  });

  it("decodes outputs sent as data: URIs too", async () => {
    fake.dataUriOutputs = true;
    const [image] = await finish(await adapter.create(createRequest(), signal));
    expect([image!.contentType, image!.width, image!.height]).toEqual(["image/png", 512, 384]);
  });

  it("edits (general) with qwen-image/edit: prompt and the image as a base64 data URI", async () => {
    const image = await pngInput(320, 280);
    const edit: EditRequest = { kind: "general", model: EDIT, image, prompt: "make it winter", seed: 7 };
    const outcome = await adapter.edit(edit, signal);
    expect(tasksOf(outcome)).toHaveLength(1);
    expect(posts().map((r) => [r.path, r.json])).toEqual([
      ["/api/v3/wavespeed-ai/qwen-image/edit", { prompt: "make it winter", image: `data:image/png;base64,${image.bytes.toString("base64")}`, seed: 7, enable_base64_output: true }],
    ]);
    const [result] = await finish(outcome);
    expect([result!.width, result!.height]).toEqual([320, 280]);
  });

  it("downscales a too-large edit input to 1536 px at call time instead of refusing it", async () => {
    const image = await pngInput(3072, 1024);
    expect(() => adapter.checkInput({ operation: "edit.general", model: EDIT, prompt: "x", image: { width: 3072, height: 1024, bytes: image.bytes.length, contentType: "image/png" } })).not.toThrow();
    await adapter.edit({ kind: "general", model: EDIT, image, prompt: "make it winter", seed: 1 }, signal);
    const sent = (posts()[0]!.json as { image: string }).image;
    const meta = await sharp(Buffer.from(sent.slice(sent.indexOf(",") + 1), "base64")).metadata();
    expect([meta.width, meta.height]).toEqual([1536, 512]);
  });

  it("refuses other edits and missing prompts before sending anything", async () => {
    const image = await pngInput(300, 300);
    expect((await failure(adapter.edit({ kind: "inpaint", model: EDIT, image, prompt: "x", seed: 1 }, signal))).code).toBe("invalid_request");
    expect((await failure(adapter.edit({ kind: "general", model: EDIT, image, seed: 1 }, signal))).code).toBe("invalid_request");
    expect((await failure(adapter.create(createRequest({ prompt: "  " }), signal))).code).toBe("invalid_request");
    expect(fake.requests).toHaveLength(0);
  });

  it("reports a model WaveSpeed no longer serves (404 on submit) as gone, not as WaveSpeed failing", async () => {
    fake.retire("ideogram-ai/ideogram-v3-balanced");
    const error = await failure(adapter.create(createRequest({ model: "ideogram-v3-balanced" }), signal));
    expect(error).toMatchObject({ code: "provider_unavailable", options: { modelGone: true, countsAgainstProvider: false, details: { upstream: "ideogram-ai/ideogram-v3-balanced" } } });
    expect(posts()).toHaveLength(1);
    expect(tasksOf(await adapter.create(createRequest({ model: "ideogram-v3-turbo" }), signal))).toHaveLength(1);
  });

  it("checks the key with the balance and lists the catalog's models from WaveSpeed's model list", async () => {
    const upstreams = ["wavespeed-ai/qwen-image/text-to-image", "ideogram-ai/ideogram-v3-balanced"];
    fake.retire("ideogram-ai/ideogram-v3-balanced");
    expect(await adapter.check(upstreams, signal)).toEqual({
      key: "valid",
      detail: "balance 25.5 USD",
      listed: { "wavespeed-ai/qwen-image/text-to-image": true, "ideogram-ai/ideogram-v3-balanced": false },
    });
    expect(fake.requests.map((r) => [r.method, r.path])).toEqual([["GET", "/api/v3/balance"], ["GET", "/api/v3/models"]]);
    fake.balance = 0;
    expect((await adapter.check(upstreams, signal)).key).toBe("no-billing");
    expect((await make({ apiKey: "ws-wrong" }).check(upstreams, signal)).key).toBe("invalid");
  });
});

describe("WaveSpeed adapter: input checks", () => {
  const png = (width: number, height: number, bytes = 1000, contentType: ImageType = "image/png") => ({ width, height, bytes, contentType });

  it("refuses empty and over-long prompts as invalid_request, naming the limit", () => {
    const thrown = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return e as ProviderError;
      }
      throw new Error("did not throw");
    };
    expect(thrown(() => adapter.checkInput({ operation: "create", model: ws("qwen-image"), prompt: "" })).code).toBe("invalid_request");
    const long = thrown(() => adapter.checkInput({ operation: "create", model: ws("qwen-image"), prompt: "x".repeat(2001) }));
    expect(long.code).toBe("invalid_request");
    expect(long.options.details).toMatchObject({ limit: 2000 });
    expect(long.options.countsAgainstProvider).toBe(false);
    expect(() => adapter.checkInput({ operation: "create", model: ws("qwen-image"), prompt: "x".repeat(2000) })).not.toThrow();
    expect(thrown(() => adapter.checkInput({ operation: "edit.general", model: EDIT, image: png(512, 512) })).code).toBe("invalid_request");
  });

  it("refuses edit images that are too small, too heavy or of another format", () => {
    const code = (image: ReturnType<typeof png>) => {
      try {
        adapter.checkInput({ operation: "edit.general", model: EDIT, prompt: "make it winter", image });
        return "ok";
      } catch (e) {
        const error = e as ProviderError;
        return [error.code, error.options.details?.limit];
      }
    };
    expect(code(png(200, 600))).toEqual(["unsupported_image", { minSide: 256 }]);
    expect(code(png(1024, 1024, 21 * 1024 * 1024))).toEqual(["payload_too_large", 20 * 1024 * 1024]);
    expect(code(png(1024, 1024, 1000, "image/gif" as ImageType))).toEqual(["unsupported_image", ["image/png", "image/jpeg", "image/webp"]]);
    expect(code(png(256, 256))).toBe("ok");
    expect(code(png(6000, 4000))).toBe("ok");
  });
});

describe("WaveSpeed adapter: failures", () => {
  it("a wrong key is provider_unavailable, not retried, and the key never appears", async () => {
    const wrong = make({ apiKey: "ws-not-the-right-key" });
    const error = await failure(wrong.create(createRequest(), signal));
    expect(error.code).toBe("provider_unavailable");
    expect(error.message).not.toContain("ws-not-the-right-key");
    expect(fake.requests).toHaveLength(1);
  });

  it("scrubs the key from provider messages that echo it", async () => {
    fake.failNext({ status: 400, message: `invalid request from key ${WAVESPEED_FAKE_KEY}` }, { code: 401, message: `key ${WAVESPEED_FAKE_KEY} is disabled` });
    const first = await failure(adapter.create(createRequest(), signal));
    expect(first.message).toContain("[redacted]");
    const second = await failure(adapter.create(createRequest(), signal));
    expect(second.code).toBe("provider_unavailable");
  });

  it("402 is provider_unavailable", async () => {
    fake.failNext({ status: 402, message: "Insufficient balance" });
    const error = await failure(adapter.create(createRequest(), signal));
    expect(error.code).toBe("provider_unavailable");
    expect(error.message).toContain("Insufficient balance");
  });

  it("retries 429 and 503 on a submission (nothing was accepted), never two attempts within a second, then succeeds", async () => {
    fake.failNext({ status: 429, retryAfter: "0", on: "submit" }, { status: 503, on: "submit" });
    const tasks = tasksOf(await adapter.create(createRequest(), signal));
    expect(tasks).toHaveLength(1);
    expect(posts()).toHaveLength(3);
    const at = posts().map((r) => r.at);
    expect([at[1]! - at[0]!, at[2]! - at[1]!].every((gap) => gap >= 1000)).toBe(true);
    expect(fake.predictions.size).toBe(1);
  });

  it("never sends a submission twice when the connection broke after it went out (it may have been accepted)", async () => {
    const { createServer } = await import("node:net");
    // A server that reads the request and hangs up without answering.
    const hangUp = createServer((socket) => socket.once("data", () => socket.destroy()));
    await new Promise<void>((resolve) => hangUp.listen(0, "127.0.0.1", resolve));
    let received = 0;
    hangUp.on("connection", () => received++);
    const port = (hangUp.address() as { port: number }).port;
    try {
      const error = await failure(make({ baseUrl: `http://127.0.0.1:${port}` }).create(createRequest(), signal));
      expect(error.code).toBe("provider_error");
      expect(error.message).toMatch(/closed the connection before answering/);
      expect(received).toBe(1);
    } finally {
      hangUp.close();
    }
  });

  it("honours Retry-After between attempts", async () => {
    fake.failNext({ status: 429, retryAfter: "1", on: "submit" });
    const started = Date.now();
    await adapter.create(createRequest(), signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(posts()).toHaveLength(2);
  });

  it("gives up after the retries as rate_limited (retryable), and at once when Retry-After is too long", async () => {
    fake.failNext({ status: 429, retryAfter: "0" }, { status: 429, retryAfter: "0" }, { status: 429, retryAfter: "0" });
    const exhausted = await failure(adapter.create(createRequest(), signal));
    expect(exhausted).toMatchObject({ code: "rate_limited", options: { retryable: true } });
    expect(posts()).toHaveLength(3);

    fake.requests.length = 0;
    fake.failNext({ status: 429, retryAfter: "60" });
    const long = await failure(adapter.create(createRequest(), signal));
    expect(long).toMatchObject({ code: "rate_limited", options: { retryable: true, retryAfterMs: 60_000 } });
    expect(posts()).toHaveLength(1);
  });

  it("503 that outlasts the retries is provider_unavailable (retryable)", async () => {
    fake.failNext({ status: 503 }, { status: 503 }, { status: 503 });
    expect(await failure(adapter.create(createRequest(), signal))).toMatchObject({ code: "provider_unavailable", options: { retryable: true } });
    expect(posts()).toHaveLength(3);
  });

  it("never retries a 500", async () => {
    fake.failNext({ status: 500, message: "internal error" });
    const error = await failure(adapter.create(createRequest(), signal));
    expect(error.code).toBe("provider_error");
    expect(error.options.retryable).toBeFalsy();
    expect(posts()).toHaveLength(1);
  });

  it("reads failures reported as code != 200 inside an HTTP 200", async () => {
    const cases = [
      [{ code: 500, message: "internal server error" }, "provider_error"],
      [{ code: 5004, message: "sync mode timed out" }, "provider_error"],
      [{ code: 401, message: "invalid api key" }, "provider_unavailable"],
      [{ code: 400, message: "NSFW content detected in the prompt" }, "content_rejected"],
    ] as const;
    for (const [reply, code] of cases) {
      fake.requests.length = 0;
      fake.failNext(reply);
      const error = await failure(adapter.create(createRequest(), signal));
      expect(error.code).toBe(code);
      expect(error.message).toContain(reply.message);
      expect(posts()).toHaveLength(1);
    }
    expect(fake.predictions.size).toBe(0);
  });

  it("a prediction that fails for NSFW content is content_rejected and does not count against WaveSpeed", async () => {
    fake.failNext({ prediction: "failed" });
    const [task] = tasksOf(await adapter.create(createRequest(), signal));
    await adapter.poll(task!.id, signal);
    const error = await failure(adapter.poll(task!.id, signal));
    expect(error.code).toBe("content_rejected");
    expect(error.options.countsAgainstProvider).toBe(false);
    expect(error.message).toContain("NSFW");
  });

  it.each(["cancelled", "timeout", "deleted"] as const)("a prediction that ends %s ends the task at once as provider_error", async (status) => {
    fake.pollsToComplete = 1;
    fake.failNext({ prediction: status });
    const [task] = tasksOf(await adapter.create(createRequest(), signal));
    const error = await failure(adapter.poll(task!.id, signal));
    expect(error.code).toBe("provider_error");
    expect(error.message).toContain(`ended the prediction (${status})`);
    expect(polls()).toHaveLength(1);
  });

  it("a prediction that fails otherwise is provider_error with WaveSpeed's words", async () => {
    fake.pollsToComplete = 1;
    fake.failNext({ prediction: "failed", error: "GPU worker crashed" });
    const [task] = tasksOf(await adapter.create(createRequest(), signal));
    const error = await failure(adapter.poll(task!.id, signal));
    expect(error.code).toBe("provider_error");
    expect(error.message).toContain("GPU worker crashed");
  });

  it("a completed prediction with no outputs, or with bytes that are not an image, is provider_error", async () => {
    fake.pollsToComplete = 1;
    fake.failNext({ prediction: "empty" });
    const [empty] = tasksOf(await adapter.create(createRequest(), signal));
    expect((await failure(adapter.poll(empty!.id, signal))).code).toBe("provider_error");
    fake.failNext({ prediction: "garbage" });
    const [garbage] = tasksOf(await adapter.create(createRequest(), signal));
    expect((await failure(adapter.poll(garbage!.id, signal))).code).toBe("provider_error");
  });

  it("never resubmits once a task was accepted: poll failures stay polls", async () => {
    const [task] = tasksOf(await adapter.create(createRequest(), signal));
    // A 5xx on a poll says nothing about the prediction, which WaveSpeed may still finish and bill: ask again.
    fake.failNext({ status: 500, on: "poll" }, { status: 502, on: "poll" });
    expect(await adapter.poll(task!.id, signal)).toEqual({ state: "pending", pollAfterMs: 5 });
    expect(await adapter.poll(task!.id, signal)).toEqual({ state: "pending", pollAfterMs: 5 });
    expect(polls()).toHaveLength(2);
    // A 429 on a poll: the prediction still runs there, so ask again later at the pace it asks for.
    fake.failNext({ status: 429, retryAfter: "1", on: "poll" });
    expect(await adapter.poll(task!.id, signal)).toEqual({ state: "pending", pollAfterMs: 1000 });
    expect(polls()).toHaveLength(3); // one GET per poll: a poll is never retried inside itself
    expect(await finish({ tasks: [task!] })).toHaveLength(1);
    expect(posts()).toHaveLength(1);
  });

  it("an unknown prediction id is provider_error", async () => {
    expect((await failure(adapter.poll("pred-does-not-exist", signal))).code).toBe("provider_error");
  });

  it("a submission that times out is provider_error and is not retried (it may have been accepted)", async () => {
    const slow = make({ timeoutMs: 100 });
    fake.failNext({ delayMs: 400, on: "submit" });
    const error = await failure(slow.create(createRequest(), signal));
    expect(error.code).toBe("provider_error");
    expect(error.message).toContain("did not answer");
    expect(posts()).toHaveLength(1);
  });

  it("a poll that times out is pending (the accepted prediction still runs); a submission that times out is provider_error", async () => {
    const slow = make({ timeoutMs: 100 });
    const [task] = tasksOf(await slow.create(createRequest(), signal));
    fake.failNext({ delayMs: 400, on: "poll" });
    expect(await slow.poll(task!.id, signal)).toEqual({ state: "pending", pollAfterMs: 5 });
    fake.failNext({ delayMs: 400, on: "submit" });
    expect((await failure(slow.create(createRequest(), signal))).code).toBe("provider_error");
  });

  it("an unreachable WaveSpeed fails the submission as provider_unavailable, but a poll just waits", async () => {
    const [task] = tasksOf(await adapter.create(createRequest(), signal));
    const url = fake.url;
    await fake.close();
    const gone = make({ baseUrl: url });
    expect(await failure(gone.create(createRequest(), signal))).toMatchObject({ code: "provider_unavailable", options: { retryable: true } });
    expect(await gone.poll(task!.id, signal)).toEqual({ state: "pending", pollAfterMs: 5 });
    fake = await startWaveSpeedFake(); // afterEach closes it
  });

  it("returns the accepted tasks when a later submission of the batch fails", async () => {
    fake.failNext({ delayMs: 0, on: "submit" }, { status: 500, on: "submit" });
    const tasks = tasksOf(await adapter.create(createRequest({ count: 3 }), signal));
    expect(tasks).toHaveLength(1);
    expect(posts()).toHaveLength(2);
    expect(await finish({ tasks })).toHaveLength(1);
  });

  it("throws when the first submission fails or the job was stopped", async () => {
    fake.failNext({ status: 500 });
    expect((await failure(adapter.create(createRequest({ count: 3 }), signal))).code).toBe("provider_error");
    expect(posts()).toHaveLength(1);

    const controller = new AbortController();
    controller.abort();
    await expect(adapter.create(createRequest(), controller.signal)).rejects.toThrow();
    await expect(adapter.poll("pred-1", controller.signal)).rejects.toThrow();
  });
});
