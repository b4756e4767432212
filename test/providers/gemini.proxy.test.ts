// Google Gemini through the proxy's HTTP API: a proxy configured only by env (GEMINI_API_KEY, GEMINI_BASE_URL,
// GEMINI_TIMEOUT_MS) against the Gemini fake on 127.0.0.1: Imagen 4 (predict) and gemini-2.5-flash-image
// (generateContent) creates, instruction edits, exact charges, every failure path, the circuit breaker, routing
// and input limits.
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { catalogResponseSchema } from "../../core/api/responses.ts";
import type { RecordedRequest } from "../../server/test-support/fakes/fake-http.ts";
import { GEMINI_FAKE_KEY, startGeminiFake, type GeminiFake } from "../../server/test-support/fakes/gemini-fake.ts";
import { startTestServer, type TestServer, type TestTeam } from "../../server/test-support/harness.ts";
import { expectFailed, expectRefused, expectSucceeded, isolated, me, picture, submit } from "./support.ts";

const TIMEOUT_MS = 1500;
let fake: GeminiFake;
let s: TestServer;
let team: TestTeam;

const env = (over: Record<string, string> = {}) => ({ GEMINI_API_KEY: GEMINI_FAKE_KEY, GEMINI_BASE_URL: fake.url, GEMINI_TIMEOUT_MS: String(TIMEOUT_MS), ...over });

beforeAll(async () => {
  fake = await startGeminiFake();
  s = await startTestServer({ env: env() });
});
afterAll(async () => {
  await s?.close();
  await fake?.close();
});
beforeEach(async () => {
  fake.reset();
  team = await s.createTeam("pro");
});

// Request bodies as the fake recorded them; checked field by field below.
type Body = Record<string, any>;
const json = (r: RecordedRequest | undefined) => r?.json as Body;
// fresh: every test here is about the provider call; an identical earlier job of the team would be reused.
const standard = { operation: "create", prompt: "a lighthouse on a cliff", quality: "standard", seed: 5, fresh: true };

function expectKeyInHeader(r: RecordedRequest | undefined) {
  expect(r?.method).toBe("POST");
  expect(r?.headers["x-goog-api-key"]).toBe(GEMINI_FAKE_KEY);
  expect(r?.path).not.toContain(GEMINI_FAKE_KEY);
  expect(r?.headers["content-type"]).toBe("application/json");
}

/** One more job on the same proxy succeeds: the failure left nothing stuck. */
async function stillWorks(p: TestServer, t: TestTeam): Promise<void> {
  await expectSucceeded(p, t, await submit(p, t, standard));
}

// Each failure case gets its own fake and proxy, so the cases run concurrently (most of their time is the
// proxy's own backoffs and timeouts) and no scripted failure or circuit count leaks between them.
const envOf = (f: GeminiFake, over: Record<string, string> = {}) => ({ GEMINI_API_KEY: GEMINI_FAKE_KEY, GEMINI_BASE_URL: f.url, GEMINI_TIMEOUT_MS: String(TIMEOUT_MS), ...over });
const rig = isolated(() => startGeminiFake(), (f) => ({ env: envOf(f) }));

describe("Gemini through the proxy: every operation", () => {
  it("create, standard (auto): Imagen 4 Fast through :predict, the key in the header, charged the quality price", async () => {
    const sub = await submit(s, team, { ...standard, aspectRatio: "16:9", stylePreset: "cinematic" });
    expect(sub.job.route).toEqual({ provider: "gemini", model: "imagen-4-fast" });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(4);
    expect(images).toEqual([expect.objectContaining({ format: "png", width: 1408, height: 768 })]);
    const [r] = fake.requests;
    expect(fake.requests).toHaveLength(1);
    expect(r!.path).toBe("/v1beta/models/imagen-4.0-fast-generate-001:predict");
    expectKeyInHeader(r);
    expect(json(r).parameters).toEqual({ sampleCount: 1, aspectRatio: "16:9" });
    expect(json(r).instances[0].prompt).toContain("a lighthouse on a cliff");
  });

  it("create with explicit Imagen 4 and 5 variations: batches of at most 4 per call", async () => {
    const sub = await submit(s, team, { ...standard, provider: "gemini", model: "imagen-4", variations: 5, aspectRatio: "1:1" });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(20);
    expect(images).toHaveLength(5);
    expect(fake.requests.map((r) => [r.path, json(r).parameters.sampleCount])).toEqual([
      ["/v1beta/models/imagen-4.0-generate-001:predict", 4],
      ["/v1beta/models/imagen-4.0-generate-001:predict", 1],
    ]);
  });

  it("create with explicit gemini-2.5-flash-image: :generateContent, one call per image with its seed; free allowance first", async () => {
    const sub = await submit(s, team, { ...standard, provider: "gemini", model: "gemini-2.5-flash-image", variations: 2, aspectRatio: "3:2", negativePrompt: "text" });
    expect(sub.job.estimate.total).toBe(0); // 10 free per period
    const { images } = await expectSucceeded(s, team, sub);
    expect(images.map((i) => [i.width, i.height])).toEqual([
      [1248, 832],
      [1248, 832],
    ]);
    expect(fake.requests.map((r) => r.path)).toEqual(Array(2).fill("/v1beta/models/gemini-2.5-flash-image:generateContent"));
    const b = json(fake.requests[0]);
    expect(b.generationConfig).toEqual({ responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio: "3:2" }, seed: 5 });
    expect(b.contents[0].parts[0].text).toMatch(/a lighthouse on a cliff[\s\S]*Avoid: text/);
    expect(json(fake.requests[1]).generationConfig.seed).toBe(6);
    expect((await me(s, team.token)).freeUsed).toEqual({ "gemini/gemini-2.5-flash-image": 2 });
  });

  it("edit general (auto → Gemini): flash with the prompt and the image inline, keeping the input's proportions", async () => {
    const sub = await submit(s, team, { operation: "edit", kind: "general", prompt: "make it winter", seed: 8 }, { image: await picture(800, 400, { format: "jpeg" }) });
    expect(sub.job.route).toEqual({ provider: "gemini", model: null });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(4);
    expect(images[0]!.width / images[0]!.height).toBeCloseTo(2, 1);
    const [r] = fake.requests;
    expect(r!.path).toBe("/v1beta/models/gemini-2.5-flash-image:generateContent");
    expectKeyInHeader(r);
    const parts = json(r).contents[0].parts;
    expect(parts[0]).toEqual({ text: "make it winter" });
    expect(parts[1].inlineData.mimeType).toBe("image/jpeg");
    expect(await sharp(Buffer.from(parts[1].inlineData.data, "base64")).metadata()).toMatchObject({ width: 800, height: 400 });
    expect(json(r).generationConfig).toEqual({ responseModalities: ["TEXT", "IMAGE"], seed: 8 });
  });

  it("an edit input over 2,048 px is downscaled before sending (faithful), not refused; billed on the input", async () => {
    const sub = await submit(s, team, { operation: "edit", kind: "general", prompt: "warmer light" }, { image: await picture(3000, 1500) });
    expect(sub.job.estimate.total).toBe(5); // 4.5 MP input: +1 for a large image
    await expectSucceeded(s, team, sub);
    const sent = json(fake.requests[0]).contents[0].parts[1].inlineData.data;
    expect(await sharp(Buffer.from(sent, "base64")).metadata()).toMatchObject({ width: 2048, height: 1024 });
  });
});

describe.concurrent("Gemini through the proxy: failures charge nothing and release the hold", () => {
  it(
    "moderation: Imagen filtering every image, or flash blocking the prompt → content_rejected",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ kind: "image-safety" });
      expect((await expectFailed(s, team, await submit(s, team, standard), "content_rejected")).message).toMatch(/safety filters/);
      fake.failNext({ kind: "blocked" });
      const flash = { ...standard, provider: "gemini", model: "gemini-2.5-flash-image" };
      expect((await expectFailed(s, team, await submit(s, team, flash), "content_rejected")).message).toMatch(/PROHIBITED_CONTENT/);
      fake.failNext({ kind: "image-safety" });
      await expectFailed(s, team, await submit(s, team, { operation: "edit", kind: "general", prompt: "x" }, { image: await picture(256, 256) }), "content_rejected");
      expect(fake.requests).toHaveLength(3);
    }),
  );

  it(
    "billing not enabled / region not served (400 FAILED_PRECONDITION, Gemini's 'payment required') → provider_unavailable",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ kind: "precondition" });
      const error = await expectFailed(s, team, await submit(s, team, standard), "provider_unavailable");
      expect(error.message).toMatch(/cannot serve the proxy/);
      expect(fake.requests).toHaveLength(1);
      await stillWorks(s, team);
    }),
  );

  it(
    "a key Google refuses → provider_unavailable, the key never in the message",
    rig(async ({ fake }) => {
      const wrong = await startTestServer({ env: envOf(fake, { GEMINI_API_KEY: "AIzaWRONG-key-000000000000000" }) });
      try {
        const t = await wrong.createTeam("pro");
        const error = await expectFailed(wrong, t, await submit(wrong, t, standard), "provider_unavailable");
        expect(error.message).toMatch(/refused the proxy's key/);
        expect(error.message).not.toContain("AIzaWRONG");
      } finally {
        await wrong.close();
      }
    }),
  );

  it(
    "429 RESOURCE_EXHAUSTED: retried with backoff, then rate_limited carrying the RetryInfo delay",
    rig(async ({ fake, s, team }) => {
      fake.failNext(...Array(3).fill({ kind: "rate-limited", retryDelay: "30s" }));
      const error = await expectFailed(s, team, await submit(s, team, standard), "rate_limited");
      expect(error.details).toEqual({ retryAfterSeconds: 30 });
      expect(fake.requests).toHaveLength(3);
      await stillWorks(s, team);
    }),
  );

  it(
    "429 once, then the image: charged once",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ kind: "rate-limited" });
      expect((await expectSucceeded(s, team, await submit(s, team, standard))).job.charged).toBe(4);
      expect(fake.requests).toHaveLength(2);
    }),
  );

  it(
    "500 → provider_error, not retried",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ kind: "server-error" });
      await expectFailed(s, team, await submit(s, team, standard), "provider_error");
      expect(fake.requests).toHaveLength(1);
      await stillWorks(s, team);
    }),
  );

  it(
    "503 (model overloaded) → retried, then provider_unavailable",
    rig(async ({ fake, s, team }) => {
      fake.failNext(...Array(3).fill({ kind: "unavailable" }));
      const error = await expectFailed(s, team, await submit(s, team, standard), "provider_unavailable");
      expect(error.message).toMatch(/overloaded/);
      expect(fake.requests).toHaveLength(3);
      await stillWorks(s, team);
    }),
  );

  it(
    "no answer within GEMINI_TIMEOUT_MS → provider_error, not retried",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ kind: "slow", delayMs: TIMEOUT_MS + 1000 });
      expect((await expectFailed(s, team, await submit(s, team, standard), "provider_error")).message).toMatch(/did not answer within 2 s/);
      expect(fake.requests).toHaveLength(1);
      await stillWorks(s, team);
    }),
  );

  it(
    "a 200 with no image (NO_IMAGE, empty), garbage base64 or a body that is not JSON → provider_error",
    rig(async ({ fake, s, team }) => {
      const flash = { ...standard, provider: "gemini", model: "gemini-2.5-flash-image" };
      fake.failNext({ kind: "no-image" });
      expect((await expectFailed(s, team, await submit(s, team, flash), "provider_error")).message).toMatch(/returned no image \(NO_IMAGE\)/);
      fake.failNext({ kind: "empty" });
      expect((await expectFailed(s, team, await submit(s, team, flash), "provider_error")).message).toMatch(/returned no image/);
      await stillWorks(s, team);
      fake.failNext({ kind: "garbage" });
      expect((await expectFailed(s, team, await submit(s, team, standard), "provider_error")).message).toMatch(/cannot be decoded/);
      await stillWorks(s, team);
      fake.failNext({ kind: "not-json" });
      expect((await expectFailed(s, team, await submit(s, team, standard), "provider_error")).message).toMatch(/not JSON/);
      await stillWorks(s, team);
    }),
  );

  it(
    "a retired model (404) → provider_unavailable, and it does not open the circuit for the others",
    rig(async ({ fake, s, team }) => {
      for (let i = 0; i < 5; i++) {
        fake.failNext({ kind: "model-gone" });
        expect((await expectFailed(s, team, await submit(s, team, standard), "provider_unavailable")).message).toMatch(/no longer offers/);
      }
      await stillWorks(s, team); // five in a row, yet the circuit is still closed
      expect(fake.requests).toHaveLength(6);
    }),
  );

  it(
    "circuit breaker: after 5 failing jobs the next fails fast with provider_unavailable without reaching Gemini",
    rig(async ({ fake, s, team }) => {
      for (let i = 0; i < 5; i++) {
        fake.failNext({ kind: "server-error" });
        await expectFailed(s, team, await submit(s, team, standard), "provider_error");
      }
      expect(fake.requests).toHaveLength(5);
      const error = await expectFailed(s, team, await submit(s, team, standard), "provider_unavailable");
      expect(error.message).toMatch(/^Google Gemini failed repeatedly; trying again in \d+ s\. Nothing was charged\.$/);
      expect(fake.requests).toHaveLength(5);
    }),
  );
});

describe("Gemini through the proxy: routing, catalog and input limits", () => {
  it("GET /v1/catalog: Gemini and local configured; draft (no Gemini route) lands on local", async () => {
    const { providers } = catalogResponseSchema.parse(await (await s.call("/v1/catalog", { token: team.token })).json());
    expect(providers.filter((x) => x.configured).map((x) => x.id)).toEqual(["gemini", "local"]);
    const sub = await submit(s, team, { ...standard, quality: "draft", aspectRatio: { width: 256, height: 256 } });
    expect(sub.job.route).toEqual({ provider: "local", model: "procedural" });
    await expectSucceeded(s, team, sub);
    expect(fake.requests).toHaveLength(0);
  });

  it("an explicit provider without a key (Hugging Face) is 503 at POST time, nothing held", async () => {
    await expectRefused(s, team, { ...standard, quality: "draft", provider: "huggingface", model: "flux-schnell" }, "provider_unavailable");
    expect(fake.requests).toHaveLength(0);
  });

  it("an Imagen prompt over 1,400 characters → 400 naming the limit, before anything is held", async () => {
    const error = await expectRefused(s, team, { ...standard, prompt: "z".repeat(1401) }, "invalid_request");
    expect(error.details).toMatchObject({ provider: "gemini", limit: 1400 });
  });

  it("an edit image over 50 megapixels → 415 naming the limit, before anything is held", async () => {
    const big = await sharp({ create: { width: 8000, height: 6500, channels: 3, background: "#336699" } }).png().toBuffer();
    const error = await expectRefused(s, team, { operation: "edit", kind: "general", prompt: "warmer" }, "unsupported_image", { image: big });
    expect(error.details).toMatchObject({ provider: "gemini", limit: { maxPixels: 50_000_000 } });
    expect(fake.requests).toHaveLength(0);
  });
});
