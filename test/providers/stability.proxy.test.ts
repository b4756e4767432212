// Stability AI through the proxy's HTTP API: a real proxy configured only by env (key, base URL, timeout)
// talks to the Stability fake over 127.0.0.1. Every operation the adapter does is posted as the panel posts it
// and checked end to end (the documented request at the fake, downloadable canvas-ready assets, charged exactly
// the estimate); then every failure path, retries, the circuit breaker, routing and input limits.
//
// Stability's async paths (relight, creative upscale) are polled at its documented 10 s pace by default, so
// they run on a second proxy with the same fake and STABILITY_POLL_MS=50 (the only difference). The fake
// locks the key out for 60 s after a 429, as Stability documents; the proxy then leaves Stability alone.
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { catalogResponseSchema } from "../../core/api/responses.ts";
import type { RecordedRequest } from "../../server/test-support/fakes/fake-http.ts";
import { startStabilityFake, stabilityError, type StabilityFake } from "../../server/test-support/fakes/stability-fake.ts";
import { startTestServer, type TestServer, type TestTeam } from "../../server/test-support/harness.ts";
import { expectFailed, expectRefused, expectSucceeded, isolated, mask, picture, submit, until, type Rig } from "./support.ts";

const TIMEOUT_MS = 1500;
let fake: StabilityFake;
let s: TestServer;
/** Same fake, async results polled every 50 ms. */
let fast: TestServer;
let team: TestTeam;

const env = () => ({ STABILITY_API_KEY: fake.apiKey, STABILITY_BASE_URL: fake.url, STABILITY_TIMEOUT_MS: String(TIMEOUT_MS) });

beforeAll(async () => {
  fake = await startStabilityFake();
  s = await startTestServer({ env: env() });
  fast = await startTestServer({ env: { ...env(), STABILITY_POLL_MS: "50" } });
});
afterAll(async () => {
  await Promise.all([s?.close(), fast?.close()]);
  await fake?.close();
});
beforeEach(async () => {
  fake.reset();
  fake.pendingPolls = 2;
  team = await s.createTeam("pro");
});

const field = (r: RecordedRequest | undefined, name: string) => {
  const v = r?.form?.get(name);
  return typeof v === "string" ? v : undefined;
};
async function fileMeta(r: RecordedRequest | undefined, name: string) {
  const v = r?.form?.get(name);
  if (!v || typeof v === "string") throw new Error(`no file part ${name}`);
  const meta = await sharp(Buffer.from(await v.arrayBuffer())).metadata();
  return { width: meta.width!, height: meta.height!, format: meta.format };
}
function expectAuthorized(r: RecordedRequest | undefined, accept = "image/*") {
  expect(r?.method).toBe("POST");
  expect(r?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
  expect(r?.headers.accept).toBe(accept);
  expect(r?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
}

// fresh: every test here is about the provider call; an identical earlier job of the team would be reused.
const core = { operation: "create", prompt: "a lighthouse on a cliff", quality: "standard", seed: 42, fresh: true };

describe("Stability through the proxy: every operation", () => {
  it("create, quality standard (auto): Stable Image Core, the documented multipart request, charged the estimate", async () => {
    const sub = await submit(s, team, { ...core, aspectRatio: "16:9", negativePrompt: "blurry", stylePreset: "cinematic" });
    expect(sub.job.route).toEqual({ provider: "stability", model: "core" });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(4);
    expect(images).toEqual([expect.objectContaining({ format: "png", width: 1344, height: 768 })]);
    const [r] = fake.requestsTo("generate/core");
    expect(fake.requests).toHaveLength(1);
    expectAuthorized(r);
    expect(Object.fromEntries([...r!.form!].map(([k, v]) => [k, String(v)]))).toEqual({
      prompt: "a lighthouse on a cliff",
      negative_prompt: "blurry",
      style_preset: "cinematic",
      aspect_ratio: "16:9",
      seed: "42",
      output_format: "png",
    });
  });

  it("create, quality premium (auto, WaveSpeed not configured): Stable Image Ultra", async () => {
    const sub = await submit(s, team, { ...core, quality: "premium" });
    expect(sub.job.route).toEqual({ provider: "stability", model: "ultra" });
    expect((await expectSucceeded(s, team, sub)).job.charged).toBe(6);
    expect(fake.requestsTo("generate/ultra")).toHaveLength(1);
  });

  it("create with an explicit SD 3.5 model and 2 variations: one request per image with seed + i", async () => {
    const sub = await submit(s, team, { ...core, provider: "stability", model: "sd3.5-large", variations: 2, aspectRatio: "1:1" });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(14);
    expect(images).toHaveLength(2);
    const rs = fake.requestsTo("generate/sd3");
    expect(rs.map((r) => [field(r, "model"), field(r, "seed"), field(r, "aspect_ratio")])).toEqual([
      ["sd3.5-large", "42", "1:1"],
      ["sd3.5-large", "43", "1:1"],
    ]);
  });

  it("edit remove-background: image part → a PNG with alpha of the same size", async () => {
    const sub = await submit(s, team, { operation: "edit", kind: "remove-background" }, { image: await picture(640, 480, { format: "jpeg" }) });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(3);
    expect(images[0]).toMatchObject({ format: "png", width: 640, height: 480 });
    expect((await sharp(images[0]!.bytes).metadata()).hasAlpha).toBe(true);
    const [r] = fake.requestsTo("edit/remove-background");
    expectAuthorized(r);
    expect(await fileMeta(r, "image")).toEqual({ width: 640, height: 480, format: "jpeg" });
    expect(field(r, "output_format")).toBe("png");
  });

  it("edit inpaint: image, mask and prompt", async () => {
    const sub = await submit(s, team, { operation: "edit", kind: "inpaint", prompt: "a red door", negativePrompt: "text", seed: 9 }, {
      image: await picture(512, 384),
      mask: await mask(512, 384),
    });
    expect((await expectSucceeded(s, team, sub)).job.charged).toBe(4);
    const [r] = fake.requestsTo("edit/inpaint");
    expectAuthorized(r);
    expect(await fileMeta(r, "image")).toMatchObject({ width: 512, height: 384 });
    expect(await fileMeta(r, "mask")).toMatchObject({ width: 512, height: 384 });
    expect([field(r, "prompt"), field(r, "negative_prompt"), field(r, "seed"), field(r, "output_format")]).toEqual(["a red door", "text", "9", "png"]);
  });

  it("edit outpaint: the expand amounts, and a larger image back", async () => {
    const sub = await submit(s, team, { operation: "edit", kind: "outpaint", expand: { left: 100, right: 0, up: 0, down: 60 } }, { image: await picture(400, 300) });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(5);
    expect(images[0]).toMatchObject({ width: 500, height: 360 });
    const [r] = fake.requestsTo("edit/outpaint");
    expect(["left", "right", "up", "down"].map((k) => field(r, k))).toEqual(["100", "0", "0", "60"]);
  });

  it("edit search-replace and search-recolor: prompt with search_prompt / select_prompt", async () => {
    const a = await submit(s, team, { operation: "edit", kind: "search-replace", prompt: "a cat", searchPrompt: "the dog" }, { image: await picture(320, 320) });
    expect((await expectSucceeded(s, team, a)).job.charged).toBe(5);
    const b = await submit(s, team, { operation: "edit", kind: "search-recolor", prompt: "bright red", selectPrompt: "the car" }, { image: await picture(320, 320) });
    expect((await expectSucceeded(s, team, b)).job.charged).toBe(4);
    const [replace] = fake.requestsTo("edit/search-and-replace");
    const [recolor] = fake.requestsTo("edit/search-and-recolor");
    expect([field(replace, "prompt"), field(replace, "search_prompt")]).toEqual(["a cat", "the dog"]);
    expect([field(recolor, "prompt"), field(recolor, "select_prompt")]).toEqual(["bright red", "the car"]);
  });

  it("edit erase: image and mask, no prompt", async () => {
    const sub = await submit(s, team, { operation: "edit", kind: "erase" }, { image: await picture(300, 200), mask: await mask(300, 200) });
    expect((await expectSucceeded(s, team, sub)).job.charged).toBe(3);
    const [r] = fake.requestsTo("edit/erase");
    expect(await fileMeta(r, "mask")).toMatchObject({ width: 300, height: 200 });
    expect(field(r, "prompt")).toBeUndefined();
  });

  it("upscale fast: 4x, only the image and output_format", async () => {
    const sub = await submit(s, team, { operation: "upscale", mode: "fast" }, { image: await picture(256, 192) });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(2);
    expect(images[0]).toMatchObject({ width: 1024, height: 768 });
    const [r] = fake.requestsTo("upscale/fast");
    expect([...r!.form!.keys()].sort()).toEqual(["image", "output_format"]);
  });

  it("upscale conservative: to about 4 MP, with the default prompt and creativity clamped to Stability's range", async () => {
    const sub = await submit(s, team, { operation: "upscale", mode: "conservative", creativity: 0.9 }, { image: await picture(512, 512) });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(6);
    expect(images[0]).toMatchObject({ width: 2048, height: 2048 });
    const [r] = fake.requestsTo("upscale/conservative");
    expect([field(r, "prompt"), field(r, "creativity")]).toEqual(["high quality, detailed", "0.5"]);
  });

  it("edit replace-background-relight (async): subject, background prompt and reference; polled until the image", async () => {
    const t = await fast.createTeam("pro");
    const sub = await submit(fast, t, { operation: "edit", kind: "replace-background-relight", prompt: "a beach at dusk", lightDirection: "left" }, {
      image: await picture(384, 512),
      backgroundReference: await picture(256, 256, { format: "jpeg" }),
    });
    const { job, images } = await expectSucceeded(fast, t, sub);
    expect(job.charged).toBe(6);
    expect(images[0]).toMatchObject({ width: 384, height: 512 });
    const [r] = fake.requestsTo("edit/replace-background-and-relight");
    expectAuthorized(r, "application/json");
    expect(await fileMeta(r, "subject_image")).toMatchObject({ width: 384, height: 512 });
    expect(await fileMeta(r, "background_reference")).toMatchObject({ width: 256, height: 256, format: "jpeg" });
    expect([field(r, "background_prompt"), field(r, "light_source_direction")]).toEqual(["a beach at dusk", "left"]);
    // Submitted once, polled until done: two 202s, then the image.
    const polls = fake.requestsTo("results");
    expect(polls).toHaveLength(3);
    expect(polls.every((p) => p.method === "GET" && p.path === `/v2beta/results/${fake.taskIds[0]}` && p.headers.authorization === `Bearer ${fake.apiKey}`)).toBe(true);
  });

  it("upscale creative (async): prompt, creativity, polled to about 4 MP", async () => {
    const t = await fast.createTeam("pro");
    const sub = await submit(fast, t, { operation: "upscale", mode: "creative", prompt: "crisp details", creativity: 0.3 }, { image: await picture(512, 512) });
    const { job, images } = await expectSucceeded(fast, t, sub);
    expect(job.charged).toBe(6);
    expect(images[0]).toMatchObject({ width: 2048, height: 2048 });
    const [r] = fake.requestsTo("upscale/creative");
    expect([field(r, "prompt"), field(r, "creativity")]).toEqual(["crisp details", "0.3"]);
    expect(fake.requestsTo("upscale/creative")).toHaveLength(1);
    expect(fake.requestsTo("results")).toHaveLength(3);
  });
});

// Each failure case gets its own fake and proxy, so the cases run concurrently (most of their time is the
// proxy's own backoffs and timeouts) and no scripted failure or circuit count leaks between them.
const envOf = (f: StabilityFake) => ({ STABILITY_API_KEY: f.apiKey, STABILITY_BASE_URL: f.url, STABILITY_TIMEOUT_MS: String(TIMEOUT_MS) });
const rig = isolated(() => startStabilityFake(), (f) => ({ env: envOf(f) }));
const fastRig = isolated(
  () => startStabilityFake(),
  (f) => ({ env: { ...envOf(f), STABILITY_POLL_MS: "50" } }),
);

/** One more job on the same proxy succeeds: the failure left nothing stuck. */
async function stillWorks({ s, team }: Rig<StabilityFake>): Promise<void> {
  await expectSucceeded(s, team, await submit(s, team, core));
}

describe.concurrent("Stability through the proxy: failures charge nothing and release the hold", () => {
  const failing = (fake: StabilityFake, reply: Parameters<StabilityFake["failNext"]>[1], times = 1) => {
    for (let i = 0; i < times; i++) fake.failNext("generate/core", reply);
  };

  it(
    "moderation (403 content_moderation) → content_rejected, not retried",
    rig(async (r) => {
      failing(r.fake, { status: 403, body: stabilityError("content_moderation", ["Your request was flagged by our content moderation system"]) });
      const error = await expectFailed(r.s, r.team, await submit(r.s, r.team, core), "content_rejected");
      expect(error.message).toContain("content policy");
      expect(r.fake.requestsTo("generate/core")).toHaveLength(1);
    }),
  );

  it(
    "a 200 with finish-reason CONTENT_FILTERED → content_rejected",
    rig(async (r) => {
      failing(r.fake, { status: 200, headers: { "content-type": "image/png", "finish-reason": "CONTENT_FILTERED" }, body: await picture(64, 64) });
      await expectFailed(r.s, r.team, await submit(r.s, r.team, core), "content_rejected");
    }),
  );

  it(
    "402 payment_required → provider_unavailable (the proxy's account), not retried",
    rig(async (r) => {
      failing(r.fake, { status: 402, body: stabilityError("payment_required", ["insufficient balance"]) });
      const error = await expectFailed(r.s, r.team, await submit(r.s, r.team, core), "provider_unavailable");
      expect(error.message).toMatch(/out of credit/);
      expect(r.fake.requestsTo("generate/core")).toHaveLength(1);
      await stillWorks(r);
    }),
  );

  it(
    "429 without Retry-After is Stability's 60 s lock-out: rate_limited at once carrying it; the next job fails at once without calling",
    rig(async (r) => {
      failing(r.fake, { status: 429, body: stabilityError("rate_limit_exceeded", ["too many requests"]) });
      const error = await expectFailed(r.s, r.team, await submit(r.s, r.team, core), "rate_limited");
      expect(error.details).toEqual({ retryAfterSeconds: 60 });
      expect(r.fake.requestsTo("generate/core")).toHaveLength(1);
      // Asking again inside the lock-out would only prolong it: the proxy does not.
      const next = await expectFailed(r.s, r.team, await submit(r.s, r.team, { ...core, quality: "premium" }), "rate_limited");
      expect((next.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(55);
      expect(r.fake.requests).toHaveLength(1);
    }),
  );

  it(
    "429 with Retry-After: 1 once, then success: the retry waits at least a second and the job is charged once",
    rig(async (r) => {
      failing(r.fake, { status: 429, headers: { "retry-after": "1" }, body: stabilityError("rate_limit_exceeded", ["slow down"]) });
      const { job } = await expectSucceeded(r.s, r.team, await submit(r.s, r.team, core));
      expect(job.charged).toBe(4);
      const [first, second] = r.fake.requestsTo("generate/core");
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
    }),
  );

  it(
    "500 → provider_error, not retried (the provider may have done the work)",
    rig(async (r) => {
      failing(r.fake, { status: 500, body: stabilityError("internal_error", ["boom"]) });
      await expectFailed(r.s, r.team, await submit(r.s, r.team, core), "provider_error");
      expect(r.fake.requestsTo("generate/core")).toHaveLength(1);
      await stillWorks(r);
    }),
  );

  it(
    "503 → retried, then provider_unavailable",
    rig(async (r) => {
      failing(r.fake, { status: 503, body: stabilityError("service_unavailable", ["down for maintenance"]) }, 3);
      await expectFailed(r.s, r.team, await submit(r.s, r.team, core), "provider_unavailable");
      expect(r.fake.requestsTo("generate/core")).toHaveLength(3);
      await stillWorks(r);
    }),
  );

  it(
    "no answer within STABILITY_TIMEOUT_MS → provider_error naming the wait, not retried",
    rig(async (r) => {
      r.fake.delayNext("generate/core", TIMEOUT_MS + 1000);
      const error = await expectFailed(r.s, r.team, await submit(r.s, r.team, core), "provider_error");
      expect(error.message).toMatch(/did not answer within 2 s/);
      expect(r.fake.requestsTo("generate/core")).toHaveLength(1);
      await stillWorks(r);
    }),
  );

  it(
    "a 200 with garbage bytes, or with no image at all → provider_error",
    rig(async (r) => {
      failing(r.fake, { status: 200, headers: { "content-type": "image/png", "finish-reason": "SUCCESS" }, body: "definitely not a png" });
      await expectFailed(r.s, r.team, await submit(r.s, r.team, core), "provider_error");
      failing(r.fake, { status: 200, headers: { "content-type": "application/json" }, body: { finish_reason: "SUCCESS", seed: 1 } });
      const error = await expectFailed(r.s, r.team, await submit(r.s, r.team, core), "provider_error");
      expect(error.message).toMatch(/without an image/);
      await stillWorks(r);
    }),
  );

  it(
    "an async task that expires (404 generation_not_found) fails the job; the work is never re-posted",
    fastRig(async ({ fake, s, team }) => {
      fake.pendingPolls = 1_000;
      const sub = await submit(s, team, { operation: "upscale", mode: "creative" }, { image: await picture(256, 256) });
      await until("a poll", () => fake.requestsTo("results").length > 0);
      fake.expire(fake.taskIds[0]!);
      const error = await expectFailed(s, team, sub, "provider_error");
      expect(error.message).toMatch(/expired/);
      expect(fake.requestsTo("upscale/creative")).toHaveLength(1);
    }),
  );

  it(
    "a results poll that times out is asked again at the pace: the accepted task is kept and delivered",
    fastRig(async ({ fake, s, team }) => {
      fake.delayNext("results", TIMEOUT_MS + 1000);
      const sub = await submit(s, team, { operation: "upscale", mode: "creative" }, { image: await picture(256, 256) });
      expect((await expectSucceeded(s, team, sub)).job.charged).toBe(6);
      expect(fake.requestsTo("upscale/creative")).toHaveLength(1);
    }),
  );

  it(
    "a results poll answering 5xx is asked again within the job's time: the task is delivered and charged once, never re-posted",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext("results", { status: 500, body: stabilityError("internal_error", ["try again"]) });
      fake.failNext("results", { status: 502, body: "<html>Bad gateway</html>" });
      const sub = await submit(s, team, { operation: "edit", kind: "replace-background-relight", prompt: "a forest" }, { image: await picture(256, 256) });
      expect((await expectSucceeded(s, team, sub)).job.charged).toBe(6);
      expect(fake.requestsTo("edit/replace-background-and-relight")).toHaveLength(1);
      expect(fake.requestsTo("results").length).toBeGreaterThanOrEqual(5); // 2 failures, 2 in progress, the image
    }),
  );

  it(
    "a model Stability stops offering (SD 3.5 Medium refused) fails the job with nothing charged and is not routed to again",
    rig(async ({ fake, s, team }) => {
      fake.retire("sd3.5-medium");
      const medium = { ...core, provider: "stability", model: "sd3.5-medium" };
      const error = await expectFailed(s, team, await submit(s, team, medium), "provider_unavailable");
      expect(error.message).toMatch(/^Stability AI no longer serves sd3\/sd3\.5-medium \(400: model: /);
      const again = await expectRefused(s, team, medium, "provider_unavailable");
      expect(again.message).toMatch(/^SD 3\.5 Medium is no longer offered by Stability AI/);
      await stillWorks({ fake, s, team });
    }),
  );

  it(
    "circuit breaker: after 5 failing jobs in a row the next fails fast with provider_unavailable without reaching Stability",
    rig(async ({ fake, s, team }) => {
      for (let i = 0; i < 5; i++) {
        fake.failNext("generate/core", { status: 500, body: stabilityError("internal_error", ["down"]) });
        await expectFailed(s, team, await submit(s, team, core), "provider_error");
      }
      expect(fake.requestsTo("generate/core")).toHaveLength(5);
      const error = await expectFailed(s, team, await submit(s, team, core), "provider_unavailable");
      expect(error.message).toMatch(/^Stability AI failed repeatedly; trying again in \d+ s\. Nothing was charged\.$/);
      expect((error.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
      expect(fake.requestsTo("generate/core")).toHaveLength(5); // never reached the provider
    }),
  );
});

describe("Stability through the proxy: routing and catalog", () => {
  it("GET /v1/catalog says Stability and local are configured, the others not, with the env var to set", async () => {
    const res = await s.call("/v1/catalog", { token: team.token });
    const { providers } = catalogResponseSchema.parse(await res.json());
    expect(providers).toEqual([
      { id: "stability", name: "Stability AI", configured: true },
      { id: "wavespeed", name: "WaveSpeed", configured: false, reason: "Set WAVESPEED_API_KEY on the proxy to use WaveSpeed" },
      { id: "huggingface", name: "Hugging Face", configured: false, reason: "Set HF_TOKEN on the proxy to use Hugging Face" },
      { id: "gemini", name: "Google Gemini", configured: false, reason: "Set GEMINI_API_KEY on the proxy to use Google Gemini" },
      { id: "local", name: "Local (offline)", configured: true },
    ]);
  });

  it("draft (auto) skips Stability (not in draft's route) and lands on the first configured: local", async () => {
    const sub = await submit(s, team, { ...core, quality: "draft", aspectRatio: { width: 256, height: 256 } });
    expect(sub.job.route).toEqual({ provider: "local", model: "procedural" });
    await expectSucceeded(s, team, sub);
    expect(fake.requests).toHaveLength(0);
  });

  it("an explicit provider without a key is 503 provider_unavailable at POST time, nothing held", async () => {
    const error = await expectRefused(s, team, { ...core, provider: "wavespeed", model: "ideogram-v3-turbo" }, "provider_unavailable");
    expect(error.details).toMatchObject({ provider: "wavespeed" });
    await expectRefused(s, team, { operation: "edit", kind: "general", prompt: "make it blue" }, "provider_unavailable", { image: await picture(256, 256) });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("Stability through the proxy: input limits are checked before anything is held", () => {
  it("relight's references have the subject's limits: a background reference wider than 2.5:1 → 415 naming the part and the limit", async () => {
    const error = await expectRefused(s, team, { operation: "edit", kind: "replace-background-relight", prompt: "a beach" }, "unsupported_image", {
      image: await picture(512, 512),
      backgroundReference: await picture(700, 200),
    });
    expect(error.message).toMatch(/the background reference image is 700×200/);
    expect(error.details).toMatchObject({ provider: "stability", limit: "aspect ratio between 1:2.5 and 2.5:1" });
    const subject = await expectRefused(s, team, { operation: "edit", kind: "replace-background-relight", prompt: "a beach" }, "unsupported_image", {
      image: await picture(3100, 3100),
    });
    expect(subject.details).toMatchObject({ limit: "4,096 to 9,437,184 pixels" });
    expect(fake.requests).toHaveLength(0);
  });

  it("an unknown style preset is 400 before anything is held, naming the field", async () => {
    const error = await expectRefused(s, team, { ...core, stylePreset: "watercolour" }, "invalid_request");
    expect(error.details).toMatchObject({ fields: { stylePreset: expect.stringMatching(/^unknown style preset "watercolour"; one of enhance/) } });
    expect(fake.requests).toHaveLength(0);
  });

  it("inpaint and erase take an image whose transparent pixels are the mask; an opaque one without a mask is 400", async () => {
    const rgba = Buffer.alloc(256 * 192 * 4, 220);
    for (let y = 64; y < 128; y++) for (let x = 96; x < 160; x++) rgba[(y * 256 + x) * 4 + 3] = 0;
    const holed = await sharp(rgba, { raw: { width: 256, height: 192, channels: 4 } }).png().toBuffer();
    const sub = await submit(s, team, { operation: "edit", kind: "inpaint", prompt: "a window" }, { image: holed });
    expect((await expectSucceeded(s, team, sub)).job.charged).toBe(4);
    const [r] = fake.requestsTo("edit/inpaint");
    expect([...r!.form!.keys()]).not.toContain("mask");
    const opaque = await expectRefused(s, team, { operation: "edit", kind: "erase" }, "invalid_request", { image: await picture(256, 192) });
    expect(opaque.details).toMatchObject({ fields: { mask: expect.stringMatching(/unless the image's transparent pixels mark that area/) } });
  });

  it("fast upscale of an image with a side over 1,536 px → 415 naming the limit", async () => {
    const error = await expectRefused(s, team, { operation: "upscale", mode: "fast" }, "unsupported_image", { image: await picture(1600, 800) });
    expect(error.details).toMatchObject({ provider: "stability", limit: "each side 32 to 1,536 px" });
  });

  it("creative upscale over 1,048,576 pixels → 415 naming the limit (an upscale is never shrunk first)", async () => {
    const error = await expectRefused(s, team, { operation: "upscale", mode: "creative" }, "unsupported_image", { image: await picture(1100, 1000) });
    expect(error.details).toMatchObject({ limit: "4,096 to 1,048,576 pixels" });
  });

  it("outpaint of an image wider than 2.5:1 → 415 naming the aspect limit", async () => {
    const error = await expectRefused(s, team, { operation: "edit", kind: "outpaint", expand: { left: 10, right: 0, up: 0, down: 0 } }, "unsupported_image", {
      image: await picture(1000, 300),
    });
    expect(error.details).toMatchObject({ limit: "aspect ratio between 1:2.5 and 2.5:1" });
  });

  it("relight with an image over the 10 MiB body → 413 naming the limit", async () => {
    const noise = await sharp(randomBytes(1900 * 1900 * 3), { raw: { width: 1900, height: 1900, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(noise.length).toBeGreaterThan(10 * 1024 * 1024);
    const error = await expectRefused(s, team, { operation: "edit", kind: "replace-background-relight", prompt: "a beach" }, "payload_too_large", { image: noise });
    expect(error.details).toMatchObject({ limit: "10 MiB request body" });
    expect(fake.requests).toHaveLength(0);
  });

  it("remove-background of an image over 4,194,304 pixels is downscaled (faithful), not refused; billed on the input size", async () => {
    const sub = await submit(s, team, { operation: "edit", kind: "remove-background" }, { image: await picture(2200, 2000) });
    // 4.4 MP input: 3 credits + 1 for a large image.
    expect(sub.job.estimate.total).toBe(4);
    const { images } = await expectSucceeded(s, team, sub);
    const sent = await fileMeta(fake.requestsTo("edit/remove-background")[0], "image");
    expect(sent.width * sent.height).toBeLessThanOrEqual(4_194_304);
    expect(sent.width / sent.height).toBeCloseTo(2200 / 2000, 2);
    expect(images[0]).toMatchObject({ width: sent.width, height: sent.height });
  });
});
