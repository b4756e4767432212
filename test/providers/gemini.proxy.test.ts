// Google Gemini through the proxy's HTTP API: a proxy configured only by env (GEMINI_API_KEY, GEMINI_BASE_URL,
// GEMINI_TIMEOUT_MS) against the Gemini fake on 127.0.0.1, which serves only today's image models
// (gemini-3.1-flash-image, gemini-3-pro-image) and answers retired ones 404 as Google does: creates,
// instruction edits, exact charges, every failure path (a key without billing, a model retired under the
// proxy's feet), the circuit breaker, routing and the catalog's limits.
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { catalogResponseSchema } from "../../core/api/responses.ts";
import type { RecordedRequest } from "../../server/test-support/fakes/fake-http.ts";
import { GEMINI_FAKE_KEY, startGeminiFake, type GeminiFake } from "../../server/test-support/fakes/gemini-fake.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
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
  it("create, standard (auto): gemini-3.1-flash-image through :generateContent, the key in the header, charged the quality price", async () => {
    const sub = await submit(s, team, { ...standard, aspectRatio: "16:9", stylePreset: "cinematic" });
    expect(sub.job.route).toEqual({ provider: "gemini", model: "gemini-3.1-flash-image" });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(4);
    expect(images).toEqual([expect.objectContaining({ format: "png", width: 1344, height: 768 })]);
    const [r] = fake.requests;
    expect(fake.requests).toHaveLength(1);
    expect(r!.path).toBe("/v1beta/models/gemini-3.1-flash-image:generateContent");
    expectKeyInHeader(r);
    expect(json(r).generationConfig).toEqual({ responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio: "16:9" }, seed: 5 });
    expect(json(r).contents[0].parts[0].text).toBe("a lighthouse on a cliff, cinematic style");
  });

  it("create, premium (auto, Gemini the only keyed provider): gemini-3-pro-image, one call per variation with its seed", async () => {
    const sub = await submit(s, team, { ...standard, quality: "premium", variations: 3, aspectRatio: "1:1" });
    expect(sub.job.route).toEqual({ provider: "gemini", model: "gemini-3-pro-image" });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(18);
    expect(images).toHaveLength(3);
    expect(fake.requests.map((r) => [r.path, json(r).generationConfig.seed])).toEqual([
      ["/v1beta/models/gemini-3-pro-image:generateContent", 5],
      ["/v1beta/models/gemini-3-pro-image:generateContent", 6],
      ["/v1beta/models/gemini-3-pro-image:generateContent", 7],
    ]);
  });

  it("create with explicit gemini-3.1-flash-image: its free allowance first, then its price", async () => {
    const sub = await submit(s, team, { ...standard, provider: "gemini", model: "gemini-3.1-flash-image", variations: 2, aspectRatio: "3:2", negativePrompt: "text" });
    expect(sub.job.estimate.total).toBe(0); // 10 free per period
    const { images } = await expectSucceeded(s, team, sub);
    expect(images.map((i) => [i.width, i.height])).toEqual([
      [1248, 832],
      [1248, 832],
    ]);
    const b = json(fake.requests[0]);
    expect(b.contents[0].parts[0].text).toMatch(/a lighthouse on a cliff[\s\S]*Avoid: text/);
    expect((await me(s, team.token)).freeUsed).toEqual({ "gemini/gemini-3.1-flash-image": 2 });
    // gemini-3-pro-image has no allowance: 8 a picture.
    const pro = await submit(s, team, { ...standard, provider: "gemini", model: "gemini-3-pro-image", aspectRatio: "1:1" });
    expect((await expectSucceeded(s, team, pro)).job.charged).toBe(8);
  });

  it("edit general (auto → Gemini): the routed model with the prompt and the image inline, keeping the input's proportions", async () => {
    const sub = await submit(s, team, { operation: "edit", kind: "general", prompt: "make it winter", seed: 8 }, { image: await picture(800, 400, { format: "jpeg" }) });
    expect(sub.job.route).toEqual({ provider: "gemini", model: "gemini-3.1-flash-image" });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(4);
    expect(images[0]!.width / images[0]!.height).toBeCloseTo(2, 1);
    const [r] = fake.requests;
    expect(r!.path).toBe("/v1beta/models/gemini-3.1-flash-image:generateContent");
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
    "moderation: the image withheld (IMAGE_SAFETY) or the prompt blocked → content_rejected",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ kind: "image-safety" });
      expect((await expectFailed(s, team, await submit(s, team, standard), "content_rejected")).message).toMatch(/IMAGE_SAFETY/);
      fake.failNext({ kind: "blocked" });
      const flash = { ...standard, provider: "gemini", model: "gemini-3-pro-image" };
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
    "429 RESOURCE_EXHAUSTED with a RetryInfo delay longer than the proxy waits: rate_limited at once, carrying it",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ kind: "rate-limited", retryDelay: "30s" });
      const error = await expectFailed(s, team, await submit(s, team, standard), "rate_limited");
      expect(error.details).toEqual({ retryAfterSeconds: 30 });
      expect(fake.requests).toHaveLength(1);
    }),
  );

  it(
    "429 once with RetryInfo 1.5s, then the image: the retry waits the stated delay, and the job is charged once",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ kind: "rate-limited", retryDelay: "1.5s" });
      expect((await expectSucceeded(s, team, await submit(s, team, standard))).job.charged).toBe(4);
      expect(fake.requests).toHaveLength(2);
      expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeGreaterThanOrEqual(1500);
    }),
  );

  it(
    "a key without billing (429 with quota limit 0) is a configuration error: provider_unavailable at once, never 'try later'",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ kind: "no-billing" });
      const error = await expectFailed(s, team, await submit(s, team, standard), "provider_unavailable");
      expect(error.message).toMatch(/no billing \(quota limit 0\)\. Enable billing for the project of GEMINI_API_KEY/);
      expect(error.details).toBeUndefined(); // no retryAfterSeconds: waiting will not help
      expect(fake.requests).toHaveLength(1);
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
      fake.failNext({ kind: "no-image" });
      expect((await expectFailed(s, team, await submit(s, team, standard), "provider_error")).message).toMatch(/returned no image \(NO_IMAGE\)/);
      fake.failNext({ kind: "empty" });
      expect((await expectFailed(s, team, await submit(s, team, standard), "provider_error")).message).toMatch(/returned no image/);
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
    "a model Google retires: the job fails with nothing charged, the model leaves routing for every proxy on the database, and the catalog says why",
    rig(async ({ fake, s, team }) => {
      fake.retire("gemini-3.1-flash-image");
      const error = await expectFailed(s, team, await submit(s, team, standard), "provider_unavailable");
      expect(error.message).toMatch(/^Gemini no longer serves gemini-3\.1-flash-image \(404: models\/gemini-3\.1-flash-image is not found/);
      expect(fake.requests).toHaveLength(1);
      // Persisted with the reason and the time.
      expect(await s.deps.stores.retiredModels.list()).toEqual([
        { provider: "gemini", upstream: "gemini-3.1-flash-image", reason: expect.stringContaining("404"), since: expect.stringMatching(/^\d{4}-/) },
      ]);
      // GET /v1/catalog says why and since when; the panel disables the model with that.
      const { providers } = catalogResponseSchema.parse(await (await s.call("/v1/catalog", { token: team.token })).json());
      expect(providers.find((p) => p.id === "gemini")?.unavailableModels).toEqual([
        { model: "gemini-3.1-flash-image", reason: error.message.replace(/\. Nothing was charged\.$/, ""), since: expect.any(String) },
      ]);
      // Auto routing skips it (standard lands on local); an explicit choice of it is refused before anything is held.
      const next = await submit(s, team, { ...standard, aspectRatio: { width: 256, height: 256 } });
      expect(next.job.route).toEqual({ provider: "local", model: "procedural" });
      await expectSucceeded(s, team, next);
      const refused = await expectRefused(s, team, { ...standard, provider: "gemini", model: "gemini-3.1-flash-image" }, "provider_unavailable");
      expect(refused.message).toMatch(/^Gemini 3\.1 Flash Image is no longer offered by Google Gemini: Gemini no longer serves/);
      // The general edit moves to the provider's other model that serves it.
      const edit = await submit(s, team, { operation: "edit", kind: "general", prompt: "snow" }, { image: await picture(256, 256) });
      expect(edit.job.route).toEqual({ provider: "gemini", model: "gemini-3-pro-image" });
      await expectSucceeded(s, team, edit);
      // Another proxy on the same database knows it too, without ever asking Google.
      const other = await startTestServer({ env: envOf(fake), dataDir: s.dataDir });
      try {
        const t = await other.createTeam("pro");
        expect((await submit(other, t, { ...standard, aspectRatio: { width: 256, height: 256 } })).job.route).toEqual({ provider: "local", model: "procedural" });
      } finally {
        await other.close();
      }
      expect(fake.requests.map((r) => r.path)).toEqual([
        "/v1beta/models/gemini-3.1-flash-image:generateContent",
        "/v1beta/models/gemini-3-pro-image:generateContent",
      ]);
      expect(await s.deps.stores.ledger.verify()).toEqual([]);
    }),
  );

  it(
    "five jobs on a retired model in a row do not open the circuit for the models that still work",
    rig(async ({ fake, s, team }) => {
      fake.retire("gemini-3-pro-image");
      const pro = { ...standard, quality: "premium" };
      // The first job meets the 404; the next ones are no longer routed to it at all.
      await expectFailed(s, team, await submit(s, team, pro), "provider_unavailable");
      for (let i = 0; i < 4; i++) {
        const next = await submit(s, team, { ...pro, aspectRatio: { width: 256, height: 256 } });
        expect(next.job.route?.provider).toBe("local");
        await expectSucceeded(s, team, next);
      }
      await stillWorks(s, team); // flash still reaches Gemini
      expect(fake.requests.map((r) => r.path)).toEqual(["/v1beta/models/gemini-3-pro-image:generateContent", "/v1beta/models/gemini-3.1-flash-image:generateContent"]);
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

  it("an explicit provider without a key (Hugging Face) is 503 at POST time, nothing held; a model no catalog lists is 400", async () => {
    await expectRefused(s, team, { ...standard, quality: "draft", provider: "huggingface", model: "flux-schnell" }, "provider_unavailable");
    const imagen = await expectRefused(s, team, { ...standard, provider: "gemini", model: "imagen-4" }, "invalid_request");
    expect(imagen.details).toMatchObject({ fields: { model: expect.stringContaining("one of gemini-3.1-flash-image, gemini-3-pro-image") } });
    expect(fake.requests).toHaveLength(0);
  });

  it("the model's limits are catalog data: a catalog with a shorter prompt or smaller input refuses before anything is held", async () => {
    const strict = structuredClone(DEFAULT_CATALOG);
    for (const m of strict.models.filter((x) => x.provider === "gemini")) m.limits = { ...m.limits, promptChars: 1400, inputMaxBytes: 200_000 };
    const own = await startTestServer({ env: env(), catalog: strict });
    try {
      const t = await own.createTeam("pro");
      const long = await expectRefused(own, t, { ...standard, prompt: "z".repeat(1401) }, "invalid_request");
      expect(long.details).toMatchObject({ provider: "gemini", limit: 1400 });
      const noisy = await sharp(Buffer.alloc(600 * 600 * 3).map(() => Math.floor(Math.random() * 256)), { raw: { width: 600, height: 600, channels: 3 } }).png().toBuffer();
      expect(noisy.length).toBeGreaterThan(200_000);
      const heavy = await expectRefused(own, t, { operation: "edit", kind: "general", prompt: "warmer" }, "payload_too_large", { image: noisy });
      expect(heavy.details).toMatchObject({ provider: "gemini", limit: 200_000 });
      expect(fake.requests).toHaveLength(0);
    } finally {
      await own.close();
    }
  });
});
