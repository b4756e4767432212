// WaveSpeed through the proxy's HTTP API. Every WaveSpeed model is submit-and-poll: the proxy submits, stores
// the prediction id with the job, and polls until the image arrives. A proxy configured only by env proves the
// wiring (key, base URL, timeout) at WaveSpeed's documented 2 s pace; the other cases set WAVESPEED_POLL_MS=50
// so the suite stays fast. Final statuses end a job at once, a failed variation keeps the delivered ones, and
// a model WaveSpeed stops serving leaves routing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { catalogResponseSchema } from "../../core/api/responses.ts";
import type { RecordedRequest } from "../../server/test-support/fakes/fake-http.ts";
import { startWaveSpeedFake, WAVESPEED_FAKE_KEY, type WaveSpeedFake } from "../../server/test-support/fakes/wavespeed-fake.ts";
import { startTestServer, type TestServer, type TestTeam } from "../../server/test-support/harness.ts";
import { expectFailed, expectRefused, expectSucceeded, isolated, picture, submit, until } from "./support.ts";

const TIMEOUT_MS = 1500;
let fake: WaveSpeedFake;
/** Configured by env only. */
let s: TestServer;
/** Same fake; results polled every 50 ms (WAVESPEED_POLL_MS). */
let p: TestServer;
let team: TestTeam;

const env = () => ({ WAVESPEED_API_KEY: WAVESPEED_FAKE_KEY, WAVESPEED_BASE_URL: fake.url, WAVESPEED_TIMEOUT_MS: String(TIMEOUT_MS) });

beforeAll(async () => {
  fake = await startWaveSpeedFake();
  s = await startTestServer({ env: env() });
  p = await startTestServer({ env: { ...env(), WAVESPEED_POLL_MS: "50" } });
});
afterAll(async () => {
  await Promise.all([s?.close(), p?.close()]);
  await fake?.close();
});
beforeEach(async () => {
  fake.requests.length = 0;
  fake.pollsToComplete = 2;
  team = await p.createTeam("pro");
});

const submitsOf = (f: WaveSpeedFake) => f.requests.filter((r) => r.method === "POST");
const pollsOf = (f: WaveSpeedFake) => f.requests.filter((r) => r.method === "GET");
const submits = () => submitsOf(fake);
const polls = () => pollsOf(fake);
const body = (r: RecordedRequest | undefined) => r?.json as Record<string, unknown>;
// fresh: every test here is about the provider call; an identical earlier job of the team would be reused.
const draft = { operation: "create", prompt: "a lighthouse on a cliff", quality: "draft", seed: 7, fresh: true };

/** One more job on the same proxy succeeds: the failure left nothing stuck. */
async function stillWorks(p: TestServer, team: TestTeam): Promise<void> {
  await expectSucceeded(p, team, await submit(p, team, draft));
}

// Each failure case gets its own fake and proxy, so the cases run concurrently (most of their time is the
// proxy's own backoffs, timeouts and polling) and no scripted failure or circuit count leaks between them.
const envOf = (f: WaveSpeedFake) => ({ WAVESPEED_API_KEY: WAVESPEED_FAKE_KEY, WAVESPEED_BASE_URL: f.url, WAVESPEED_TIMEOUT_MS: String(TIMEOUT_MS) });
const fastRig = isolated(
  () => startWaveSpeedFake(),
  (f) => ({ env: { ...envOf(f), WAVESPEED_POLL_MS: "50" } }),
);
const rig = isolated(() => startWaveSpeedFake(), (f) => ({ env: envOf(f) }));

describe("WaveSpeed through the proxy: every operation", () => {
  it("create, draft (auto) with env-only config: qwen-image, the documented submit, polled no faster than WaveSpeed's 2 s", async () => {
    fake.pollsToComplete = 1;
    const t = await s.createTeam("pro");
    const sub = await submit(s, t, { ...draft, aspectRatio: "16:9" });
    expect(sub.job.route).toEqual({ provider: "wavespeed", model: "qwen-image" });
    const { job, images } = await expectSucceeded(s, t, sub);
    expect(job.charged).toBe(2);
    expect(images).toEqual([expect.objectContaining({ format: "png", width: 1344, height: 768 })]);
    const [submitted] = submits();
    expect(submitted!.path).toBe("/api/v3/wavespeed-ai/qwen-image/text-to-image");
    expect(submitted!.headers.authorization).toBe(`Bearer ${WAVESPEED_FAKE_KEY}`);
    expect(submitted!.headers["content-type"]).toBe("application/json");
    expect(body(submitted)).toEqual({ prompt: "a lighthouse on a cliff", size: "1344*768", seed: 7, output_format: "png", enable_base64_output: true });
    const id = [...fake.predictions.values()].at(-1)!.id;
    expect(polls().map((r) => r.path)).toEqual([`/api/v3/predictions/${id}/result`]);
    expect(polls()[0]!.headers.authorization).toBe(`Bearer ${WAVESPEED_FAKE_KEY}`);
    expect(polls()[0]!.at - submitted!.at).toBeGreaterThanOrEqual(2000);
  });

  it("create, standard (auto): Ideogram V3 Turbo with the nearest ratio; premium: Ideogram V3 Quality", async () => {
    const a = await submit(p, team, { ...draft, quality: "standard", aspectRatio: "3:4", stylePreset: "photographic" });
    expect(a.job.route).toEqual({ provider: "wavespeed", model: "ideogram-v3-turbo" });
    const ra = await expectSucceeded(p, team, a);
    const b = await submit(p, team, { ...draft, quality: "premium" });
    expect(b.job.route).toEqual({ provider: "wavespeed", model: "ideogram-v3-quality" });
    const rb = await expectSucceeded(p, team, b);
    expect([ra.job.charged, rb.job.charged]).toEqual([4, 6]);
    expect(ra.images[0]).toMatchObject({ width: 64, height: 85 }); // the fake's small 3:4
    const byPath = Object.fromEntries(submits().map((r) => [r.path, body(r)]));
    expect(byPath["/api/v3/ideogram-ai/ideogram-v3-turbo"]).toEqual({ prompt: "a lighthouse on a cliff", aspect_ratio: "3:4", style: "Realistic", enable_base64_output: true });
    expect(byPath["/api/v3/ideogram-ai/ideogram-v3-quality"]).toEqual({ prompt: "a lighthouse on a cliff", aspect_ratio: "1:1", enable_base64_output: true });
  });

  it("create with an explicit model and 3 variations: one prediction per image, polled in parallel, charged per image", async () => {
    const sub = await submit(p, team, { ...draft, quality: "standard", provider: "wavespeed", model: "ideogram-v3-balanced", variations: 3 });
    const { job, images } = await expectSucceeded(p, team, sub);
    expect(job.charged).toBe(18);
    expect(images).toHaveLength(3);
    expect(submits().map((r) => r.path)).toEqual(Array(3).fill("/api/v3/ideogram-ai/ideogram-v3-balanced"));
    expect(new Set(polls().map((r) => r.path)).size).toBe(3);
  });

  it("explicit qwen-image is billed by output size: 1 credit up to 1 MP", async () => {
    const sub = await submit(p, team, { ...draft, provider: "wavespeed", model: "qwen-image", aspectRatio: { width: 512, height: 512 } });
    expect((await expectSucceeded(p, team, sub)).job.charged).toBe(1);
    expect(body(submits()[0])).toMatchObject({ size: "512*512" });
  });

  it("edit general (auto → WaveSpeed): qwen-image/edit with the image as a data URI, downscaled to 1,536 px", async () => {
    const sub = await submit(p, team, { operation: "edit", kind: "general", prompt: "make it winter", seed: 3 }, { image: await picture(2000, 1000, { format: "jpeg" }) });
    expect(sub.job.route).toEqual({ provider: "wavespeed", model: "qwen-image-edit" });
    const { job, images } = await expectSucceeded(p, team, sub);
    expect(job.charged).toBe(4);
    expect(images[0]).toMatchObject({ width: 1536, height: 768 });
    const b = body(submits()[0]);
    expect(submits()[0]!.path).toBe("/api/v3/wavespeed-ai/qwen-image/edit");
    expect(b).toMatchObject({ prompt: "make it winter", seed: 3, enable_base64_output: true });
    expect(String(b.image)).toMatch(/^data:image\/png;base64,/);
  });
});

describe.concurrent("WaveSpeed through the proxy: failures charge nothing and release the hold", () => {
  it(
    "moderation (the prediction fails as NSFW) → content_rejected, submitted once",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext({ prediction: "failed" });
      const error = await expectFailed(s, team, await submit(s, team, draft), "content_rejected");
      expect(error.message).toMatch(/NSFW/);
      expect(submitsOf(fake)).toHaveLength(1);
    }),
  );

  it.each(["cancelled", "timeout", "deleted"] as const)(
    "a prediction that ends %s ends the job at once → provider_error, nothing charged, no further polls",
    (status) =>
      fastRig(async ({ fake, s, team }) => {
        fake.pollsToComplete = 1;
        fake.failNext({ prediction: status });
        const error = await expectFailed(s, team, await submit(s, team, draft), "provider_error");
        expect(error.message).toContain(`ended the prediction (${status})`);
        expect(submitsOf(fake)).toHaveLength(1);
        await new Promise((r) => setTimeout(r, 300));
        expect(pollsOf(fake)).toHaveLength(1);
      })(),
  );

  it(
    "one failed variation does not discard the others: 2 of 3 delivered, charged what the estimate prices for 2, the rest released",
    fastRig(async ({ fake, s, team }) => {
      fake.pollsToComplete = 1;
      fake.failNext({ prediction: "completed" }, { prediction: "failed", error: "worker crashed" }, { prediction: "completed" });
      const sub = await submit(s, team, { ...draft, quality: "standard", variations: 3 });
      expect(sub.job.estimate.total).toBe(12);
      const job = await s.waitForJob(team.token, sub.job.id);
      expect(job).toMatchObject({ status: "succeeded", charged: 8, held: 0 });
      expect(job.assets).toHaveLength(2);
      expect(job.assets.reduce((n, a) => n + a.cost, 0)).toBe(8);
      const entries = await s.deps.stores.ledger.entries(team.team.id, { jobId: job.id });
      expect(entries.map((e) => [e.kind, e.amount])).toEqual([["hold", 12], ["capture", 8], ["release", 4]]);
      expect(submitsOf(fake)).toHaveLength(3);
      expect(await s.deps.stores.ledger.verify()).toEqual([]);
    }),
  );

  it(
    "a results endpoint answering 5xx is asked again within the job's time: the prediction is delivered and charged once",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext({ status: 500, on: "poll" }, { status: 502, on: "poll" }, { status: 500, on: "poll" });
      expect((await expectSucceeded(s, team, await submit(s, team, draft))).job.charged).toBe(2);
      expect(submitsOf(fake)).toHaveLength(1);
      expect(pollsOf(fake).length).toBeGreaterThanOrEqual(5);
    }),
  );

  it(
    "a model WaveSpeed stops serving (404 on submit) fails the job with nothing charged and leaves routing",
    fastRig(async ({ fake, s, team }) => {
      fake.retire("ideogram-ai/ideogram-v3-quality");
      const premium = { ...draft, quality: "premium" };
      const error = await expectFailed(s, team, await submit(s, team, premium), "provider_unavailable");
      expect(error.message).toMatch(/^WaveSpeed no longer serves ideogram-ai\/ideogram-v3-quality \(404: model ideogram-ai\/ideogram-v3-quality not found\)/);
      const next = await submit(s, team, { ...premium, aspectRatio: { width: 256, height: 256 } });
      expect(next.job.route).toEqual({ provider: "local", model: "procedural" });
      await expectSucceeded(s, team, next);
      await stillWorks(s, team); // qwen-image still reaches WaveSpeed
      expect(submitsOf(fake).map((r) => r.path)).toEqual(["/api/v3/ideogram-ai/ideogram-v3-quality", "/api/v3/wavespeed-ai/qwen-image/text-to-image"]);
    }),
  );

  it(
    "a prediction that fails for another reason → provider_error, never resubmitted",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext({ prediction: "failed", error: "worker crashed" });
      const error = await expectFailed(s, team, await submit(s, team, draft), "provider_error");
      expect(error.message).toMatch(/worker crashed/);
      expect(submitsOf(fake)).toHaveLength(1);
      await stillWorks(s, team);
    }),
  );

  it(
    "402 on submit → provider_unavailable (the proxy's account), not retried",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext({ status: 402, message: "Insufficient balance", on: "submit" });
      const error = await expectFailed(s, team, await submit(s, team, draft), "provider_unavailable");
      expect(error.message).toMatch(/out of credit/);
      expect(submitsOf(fake)).toHaveLength(1);
      await stillWorks(s, team);
    }),
  );

  it(
    "429 without Retry-After on submit: retried (nothing accepted), then rate_limited after 3 submits",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext(...Array(3).fill({ status: 429, message: "rate limit", on: "submit" }));
      await expectFailed(s, team, await submit(s, team, draft), "rate_limited");
      expect(submitsOf(fake)).toHaveLength(3);
      expect(pollsOf(fake)).toHaveLength(0);
      await stillWorks(s, team);
    }),
  );

  it(
    "429 with Retry-After: 1 once, then accepted: one prediction, charged once",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext({ status: 429, retryAfter: "1", on: "submit" });
      expect((await expectSucceeded(s, team, await submit(s, team, draft))).job.charged).toBe(2);
      expect(submitsOf(fake)).toHaveLength(2);
    }),
  );

  it(
    "429 with a Retry-After longer than the proxy waits → rate_limited at once with the wait",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext({ status: 429, retryAfter: "120", on: "submit" });
      const error = await expectFailed(s, team, await submit(s, team, draft), "rate_limited");
      expect(error.details).toEqual({ retryAfterSeconds: 120 });
      expect(submitsOf(fake)).toHaveLength(1);
      // Within the wait WaveSpeed asked for, the next job fails at once without submitting anything.
      await expectFailed(s, team, await submit(s, team, draft), "rate_limited");
      expect(submitsOf(fake)).toHaveLength(1);
    }),
  );

  it(
    "500 on submit → provider_error, not retried",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext({ status: 500, message: "internal", on: "submit" });
      await expectFailed(s, team, await submit(s, team, draft), "provider_error");
      expect(submitsOf(fake)).toHaveLength(1);
      await stillWorks(s, team);
    }),
  );

  it(
    "503 on submit → retried, then provider_unavailable",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext(...Array(3).fill({ status: 503, message: "overloaded", on: "submit" }));
      await expectFailed(s, team, await submit(s, team, draft), "provider_unavailable");
      expect(submitsOf(fake)).toHaveLength(3);
      await stillWorks(s, team);
    }),
  );

  it(
    "no answer to the submit within WAVESPEED_TIMEOUT_MS → provider_error, not retried",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext({ delayMs: TIMEOUT_MS + 1000, on: "submit" });
      const error = await expectFailed(s, team, await submit(s, team, draft), "provider_error");
      expect(error.message).toMatch(/did not answer within 2 s/);
      expect(submitsOf(fake)).toHaveLength(1);
      await stillWorks(s, team);
    }),
  );

  it(
    "an HTTP 200 whose envelope says code != 200 → provider_error",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext({ code: 5004, message: "sync mode timed out", on: "submit" });
      const error = await expectFailed(s, team, await submit(s, team, draft), "provider_error");
      expect(error.message).toMatch(/sync mode timed out/);
      await stillWorks(s, team);
    }),
  );

  it(
    "a completed prediction with no outputs, or with garbage → provider_error",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext({ prediction: "empty" });
      expect((await expectFailed(s, team, await submit(s, team, draft), "provider_error")).message).toMatch(/without an image/);
      await stillWorks(s, team);
      fake.failNext({ prediction: "garbage" });
      expect((await expectFailed(s, team, await submit(s, team, draft), "provider_error")).message).toMatch(/cannot be decoded/);
      await stillWorks(s, team);
    }),
  );

  it(
    "a prediction that expires (404 on poll) → provider_error, never resubmitted",
    fastRig(async ({ fake, s, team }) => {
      fake.pollsToComplete = 1_000;
      const sub = await submit(s, team, draft);
      await until("a poll", () => pollsOf(fake).length > 0);
      fake.predictions.clear();
      await expectFailed(s, team, sub, "provider_error");
      expect(submitsOf(fake)).toHaveLength(1);
    }),
  );

  it(
    "a busy results endpoint (429 / 503 on a poll) is 'ask later': the job still succeeds, submitted once",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext({ status: 429, on: "poll" }, { status: 503, on: "poll" });
      expect((await expectSucceeded(s, team, await submit(s, team, draft))).job.charged).toBe(2);
      expect(submitsOf(fake)).toHaveLength(1);
      expect(pollsOf(fake).length).toBeGreaterThanOrEqual(4);
    }),
  );

  it(
    "a poll that times out once is asked again: the accepted prediction is not thrown away",
    fastRig(async ({ fake, s, team }) => {
      fake.failNext({ delayMs: TIMEOUT_MS + 1000, on: "poll" });
      expect((await expectSucceeded(s, team, await submit(s, team, draft))).job.charged).toBe(2);
      expect(submitsOf(fake)).toHaveLength(1);
    }),
  );

  it(
    "circuit breaker: after 5 failing jobs the next fails fast with provider_unavailable without reaching WaveSpeed",
    rig(async ({ fake, s, team }) => {
      for (let i = 0; i < 5; i++) {
        fake.failNext({ status: 500, message: "down", on: "submit" });
        await expectFailed(s, team, await submit(s, team, draft), "provider_error");
      }
      expect(submitsOf(fake)).toHaveLength(5);
      const error = await expectFailed(s, team, await submit(s, team, draft), "provider_unavailable");
      expect(error.message).toMatch(/^WaveSpeed failed repeatedly; trying again in \d+ s\. Nothing was charged\.$/);
      expect(submitsOf(fake)).toHaveLength(5);
    }),
  );
});

describe("WaveSpeed through the proxy: routing, catalog and input limits", () => {
  it("GET /v1/catalog: WaveSpeed and local configured; Stability, Hugging Face and Gemini name their env var", async () => {
    const t = await s.createTeam("basic");
    const { providers } = catalogResponseSchema.parse(await (await s.call("/v1/catalog", { token: t.token })).json());
    expect(Object.fromEntries(providers.map((x) => [x.id, x.configured ? true : x.reason]))).toEqual({
      stability: "Set STABILITY_API_KEY on the proxy to use Stability AI",
      wavespeed: true,
      huggingface: "Set HF_TOKEN on the proxy to use Hugging Face",
      gemini: "Set GEMINI_API_KEY on the proxy to use Google Gemini",
      local: true,
    });
  });

  it("an explicit provider without a key (Stability) is 503 at POST time, nothing held; so is an edit only Stability does", async () => {
    const t = await s.createTeam("pro");
    await expectRefused(s, t, { ...draft, quality: "standard", provider: "stability", model: "core" }, "provider_unavailable");
    await expectRefused(s, t, { operation: "edit", kind: "search-replace", prompt: "a cat", searchPrompt: "the dog" }, "provider_unavailable", { image: await picture(256, 256) });
    expect(fake.requests).toHaveLength(0);
  });

  it("an edit image under 256 px on a side → 415 naming the limit, before anything is held", async () => {
    const error = await expectRefused(p, team, { operation: "edit", kind: "general", prompt: "warmer" }, "unsupported_image", { image: await picture(400, 200) });
    expect(error.details).toMatchObject({ provider: "wavespeed", limit: { minSide: 256 } });
  });

  it("a prompt over 2,000 characters → 400 naming the limit", async () => {
    const error = await expectRefused(p, team, { ...draft, prompt: "x".repeat(2001) }, "invalid_request");
    expect(error.details).toMatchObject({ limit: 2000 });
    expect(fake.requests).toHaveLength(0);
  });
});
