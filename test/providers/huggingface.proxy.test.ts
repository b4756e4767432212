// Hugging Face Inference through the proxy's HTTP API: a proxy configured only by env (HF_TOKEN, HF_BASE_URL,
// HF_TIMEOUT_MS) against the Hugging Face fake on 127.0.0.1, which serves only what hf-inference serves today
// (FLUX.1-schnell) and answers FLUX.1-dev 410. Hugging Face does create only: the documented JSON request,
// exact charges (including the free allowance), the repo as catalog data (CATALOG_PATH), a repo retired
// under the proxy, every failure path, the circuit breaker, routing and the prompt limit. (The Inference API
// documents no moderation answer, so there is no content_rejected path here.)
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { catalogResponseSchema } from "../../core/api/responses.ts";
import type { RecordedRequest } from "../../server/test-support/fakes/fake-http.ts";
import { HF_FAKE_TOKEN, startHuggingFaceFake, type HuggingFaceFake } from "../../server/test-support/fakes/huggingface-fake.ts";
import { startTestServer, type TestServer, type TestTeam } from "../../server/test-support/harness.ts";
import { expectFailed, expectRefused, expectSucceeded, isolated, me, picture, submit } from "./support.ts";

const TIMEOUT_MS = 1500;
let fake: HuggingFaceFake;
let s: TestServer;
let team: TestTeam;

const env = (over: Record<string, string> = {}) => ({ HF_TOKEN: HF_FAKE_TOKEN, HF_BASE_URL: fake.url, HF_TIMEOUT_MS: String(TIMEOUT_MS), ...over });

beforeAll(async () => {
  fake = await startHuggingFaceFake({ models: ["black-forest-labs/FLUX.1-schnell", "acme/flux-schnell-mirror"] });
  s = await startTestServer({ env: env() });
});
afterAll(async () => {
  await s?.close();
  await fake?.close();
});
beforeEach(async () => {
  fake.requests.length = 0;
  team = await s.createTeam("pro");
});

const json = (r: RecordedRequest | undefined) => r?.json as { inputs: string; parameters: Record<string, unknown> };
// fresh: every test here is about the provider call; an identical earlier job of the team would be reused.
const draft = { operation: "create", prompt: "a lighthouse on a cliff", quality: "draft", seed: 11, fresh: true };

/** One more job on the same proxy succeeds: the failure left nothing stuck. */
async function stillWorks(p: TestServer, t: TestTeam): Promise<void> {
  await expectSucceeded(p, t, await submit(p, t, draft));
}

// Each failure case gets its own fake and proxy, so the cases run concurrently (most of their time is the
// proxy's own backoffs and timeouts) and no scripted failure or circuit count leaks between them.
const envOf = (f: HuggingFaceFake, over: Record<string, string> = {}) => ({ HF_TOKEN: HF_FAKE_TOKEN, HF_BASE_URL: f.url, HF_TIMEOUT_MS: String(TIMEOUT_MS), ...over });
const rig = isolated(() => startHuggingFaceFake(), (f) => ({ env: envOf(f) }));

describe("Hugging Face through the proxy: every operation", () => {
  it("create, draft (auto): FLUX.1 schnell with the documented JSON, a PNG of the size asked, charged the quality price", async () => {
    const sub = await submit(s, team, { ...draft, aspectRatio: "16:9", negativePrompt: "fog" });
    expect(sub.job.route).toEqual({ provider: "huggingface", model: "flux-schnell" });
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(2);
    expect(images).toEqual([expect.objectContaining({ format: "png", width: 1344, height: 768 })]);
    expect(fake.requests).toHaveLength(1);
    const [r] = fake.requests;
    expect([r!.method, r!.path, r!.headers.authorization, r!.headers["content-type"]]).toEqual([
      "POST",
      "/hf-inference/models/black-forest-labs/FLUX.1-schnell",
      `Bearer ${HF_FAKE_TOKEN}`,
      "application/json",
    ]);
    expect(json(r)).toEqual({ inputs: "a lighthouse on a cliff", parameters: { width: 1344, height: 768, seed: 11, negative_prompt: "fog", num_inference_steps: 4 } });
  });

  it("create with explicit FLUX.1 schnell, 2 variations: one request per image with seed + i; the free allowance makes it 0, then its price", async () => {
    const sub = await submit(s, team, { ...draft, provider: "huggingface", model: "flux-schnell", variations: 2, aspectRatio: "1:1" });
    expect(sub.job.estimate.total).toBe(0);
    const { job, images } = await expectSucceeded(s, team, sub);
    expect(job.charged).toBe(0);
    expect(images).toHaveLength(2);
    expect(fake.requests.map((r) => [r.path, json(r).parameters.seed, json(r).parameters.num_inference_steps])).toEqual([
      ["/hf-inference/models/black-forest-labs/FLUX.1-schnell", 11, 4],
      ["/hf-inference/models/black-forest-labs/FLUX.1-schnell", 12, 4],
    ]);
    expect((await me(s, team.token)).freeUsed).toEqual({ "huggingface/flux-schnell": 2 });
    // 18 more use the rest of the 20; the next is charged its price (1).
    for (let i = 0; i < 2; i++) await expectSucceeded(s, team, await submit(s, team, { ...draft, provider: "huggingface", model: "flux-schnell", variations: 9, aspectRatio: { width: 256, height: 256 } }));
    const paid = await submit(s, team, { ...draft, provider: "huggingface", model: "flux-schnell", aspectRatio: { width: 256, height: 256 } });
    expect((await expectSucceeded(s, team, paid)).job.charged).toBe(1);
  });

  it("FLUX.1-dev, which hf-inference no longer serves, is not in the catalog: 400 naming the models there are", async () => {
    const error = await expectRefused(s, team, { ...draft, quality: "standard", provider: "huggingface", model: "flux-dev" }, "invalid_request");
    expect(error.details).toMatchObject({ fields: { model: 'unknown model "flux-dev" for huggingface; one of flux-schnell' } });
    expect(fake.requests).toHaveLength(0);
  });

  it("sizes are fitted to the model's limits (multiples of 16, 256..1536 per side); the repo is catalog data a CATALOG_PATH replaces", async () => {
    const catalog = structuredClone(DEFAULT_CATALOG);
    catalog.models.find((m) => m.model === "flux-schnell")!.upstream = "acme/flux-schnell-mirror";
    const catalogPath = join(s.dataDir, "mirror-catalog.json");
    await writeFile(catalogPath, JSON.stringify(catalog));
    const mirror = await startTestServer({ env: env({ CATALOG_PATH: catalogPath }) });
    try {
      const t = await mirror.createTeam("pro");
      const sub = await submit(mirror, t, { ...draft, aspectRatio: { width: 1000, height: 200 } });
      const { images } = await expectSucceeded(mirror, t, sub);
      expect(fake.requests.map((r) => r.path)).toEqual(["/hf-inference/models/acme/flux-schnell-mirror"]);
      expect(json(fake.requests[0]).parameters).toMatchObject({ width: 1280, height: 256 });
      expect(images[0]).toMatchObject({ width: 1280, height: 256 });
    } finally {
      await mirror.close();
    }
  });
});

describe.concurrent("Hugging Face through the proxy: failures charge nothing and release the hold", () => {
  it(
    "402 (monthly included credits used) → provider_unavailable, not retried",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ status: 402, message: "You have exceeded your monthly included credits" });
      const error = await expectFailed(s, team, await submit(s, team, draft), "provider_unavailable");
      expect(error.message).toMatch(/included credits/);
      expect(fake.requests).toHaveLength(1);
      await stillWorks(s, team);
    }),
  );

  it(
    "a token Hugging Face refuses (401) → provider_unavailable, and the token is never in the message",
    rig(async ({ fake }) => {
      const wrong = await startTestServer({ env: envOf(fake, { HF_TOKEN: "hf_wrong_token_abcdefghijklmnop" }) });
      try {
        const t = await wrong.createTeam("pro");
        const error = await expectFailed(wrong, t, await submit(wrong, t, draft), "provider_unavailable");
        expect(error.message).toMatch(/refused the proxy's token/);
        expect(error.message).not.toContain("hf_wrong_token");
      } finally {
        await wrong.close();
      }
    }),
  );

  it(
    "429 without Retry-After: retried, then rate_limited after 3 requests",
    rig(async ({ fake, s, team }) => {
      fake.failNext(...Array(3).fill({ status: 429, message: "Rate limit reached" }));
      await expectFailed(s, team, await submit(s, team, draft), "rate_limited");
      expect(fake.requests).toHaveLength(3);
      await stillWorks(s, team);
    }),
  );

  it(
    "429 with Retry-After: 1 once, then the image: charged once",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ status: 429, retryAfter: "1" });
      expect((await expectSucceeded(s, team, await submit(s, team, draft))).job.charged).toBe(2);
      expect(fake.requests).toHaveLength(2);
    }),
  );

  it(
    "429 with a Retry-After longer than the proxy waits → rate_limited at once with the wait; the next job within it does not ask again",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ status: 429, retryAfter: "90" });
      const error = await expectFailed(s, team, await submit(s, team, draft), "rate_limited");
      expect(error.details).toEqual({ retryAfterSeconds: 90 });
      expect(fake.requests).toHaveLength(1);
      const next = await expectFailed(s, team, await submit(s, team, draft), "rate_limited");
      expect((next.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(85);
      expect(fake.requests).toHaveLength(1);
    }),
  );

  it(
    "500 → provider_error, not retried",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ status: 500, message: "CUDA out of memory", errorShape: "object" });
      const error = await expectFailed(s, team, await submit(s, team, draft), "provider_error");
      expect(error.message).toMatch(/CUDA out of memory/);
      expect(fake.requests).toHaveLength(1);
      await stillWorks(s, team);
    }),
  );

  it(
    "503 → retried, then provider_unavailable; a model still loading says how long",
    rig(async ({ fake, s, team }) => {
      fake.failNext(...Array(3).fill({ status: 503, message: "Service Unavailable" }));
      await expectFailed(s, team, await submit(s, team, draft), "provider_unavailable");
      expect(fake.requests).toHaveLength(3);
      await stillWorks(s, team);
      fake.requests.length = 0;
      // Loading for longer than the proxy waits inside a job: fail at once, carrying the wait.
      fake.failNext({ loading: 20 });
      const error = await expectFailed(s, team, await submit(s, team, draft), "provider_unavailable");
      expect(error.message).toMatch(/still loading the model \(about 20 s\)/);
      expect(error.details).toEqual({ retryAfterSeconds: 20 });
      expect(fake.requests).toHaveLength(1);
      await stillWorks(s, team);
    }),
  );

  it(
    "no answer within HF_TIMEOUT_MS → provider_error, not retried",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ delayMs: TIMEOUT_MS + 1000 });
      const error = await expectFailed(s, team, await submit(s, team, draft), "provider_error");
      expect(error.message).toMatch(/did not answer within 2 s/);
      expect(fake.requests).toHaveLength(1);
      await stillWorks(s, team);
    }),
  );

  it(
    "a 200 with JSON instead of an image, or with garbage bytes → provider_error",
    rig(async ({ fake, s, team }) => {
      fake.failNext({ jsonOn200: "upstream worker error" });
      expect((await expectFailed(s, team, await submit(s, team, draft), "provider_error")).message).toMatch(/without an image: upstream worker error/);
      await stillWorks(s, team);
      fake.failNext({ garbage: true });
      expect((await expectFailed(s, team, await submit(s, team, draft), "provider_error")).message).toMatch(/cannot be decoded/);
      await stillWorks(s, team);
    }),
  );

  it(
    "a batch that fails after its first image charges only the delivered share (and says so in the ledger)",
    rig(async ({ fake, s, team }) => {
      fake.requests.length = 0;
      // The first image is made, the second fails with a 500: the runner keeps the first and charges 6 * 1/3.
      fake.failNext({ delayMs: 0 }, { status: 500, message: "died" });
      const sub = await submit(s, team, { ...draft, variations: 3, aspectRatio: { width: 256, height: 256 } });
      expect(sub.job.estimate.total).toBe(6);
      const job = await s.waitForJob(team.token, sub.job.id);
      expect(job).toMatchObject({ status: "succeeded", charged: 2, held: 0 });
      expect(job.assets).toHaveLength(1);
      expect(fake.requests).toHaveLength(2);
      const after = await me(s, team.token);
      expect(after.balance.available).toBe(sub.before.balance.available! - 2);
      const entries = await s.deps.stores.ledger.entries(team.team.id, { jobId: job.id });
      expect(entries.map((e) => [e.kind, e.amount])).toEqual([["hold", 6], ["capture", 2], ["release", 4]]);
    }),
  );

  it(
    "a repo hf-inference retires (410): the job fails with nothing charged, draft routing moves on, the catalog says why",
    rig(async ({ fake, s, team }) => {
      fake.retire("black-forest-labs/FLUX.1-schnell");
      const error = await expectFailed(s, team, await submit(s, team, draft), "provider_unavailable");
      expect(error.message).toMatch(/^Hugging Face no longer serves black-forest-labs\/FLUX\.1-schnell \(410: /);
      const { providers } = catalogResponseSchema.parse(await (await s.call("/v1/catalog", { token: team.token })).json());
      expect(providers.find((p) => p.id === "huggingface")?.unavailableModels?.map((m) => m.model)).toEqual(["flux-schnell"]);
      const next = await submit(s, team, { ...draft, aspectRatio: { width: 256, height: 256 } });
      expect(next.job.route).toEqual({ provider: "local", model: "procedural" });
      await expectSucceeded(s, team, next);
      expect(fake.requests).toHaveLength(1);
    }),
  );

  it(
    "circuit breaker: after 5 failing jobs the next fails fast with provider_unavailable without reaching Hugging Face",
    rig(async ({ fake, s, team }) => {
      for (let i = 0; i < 5; i++) {
        fake.failNext({ status: 500, message: "down" });
        await expectFailed(s, team, await submit(s, team, draft), "provider_error");
      }
      expect(fake.requests).toHaveLength(5);
      const error = await expectFailed(s, team, await submit(s, team, draft), "provider_unavailable");
      expect(error.message).toMatch(/^Hugging Face failed repeatedly; trying again in \d+ s\. Nothing was charged\.$/);
      expect(fake.requests).toHaveLength(5);
    }),
  );
});

describe("Hugging Face through the proxy: routing, catalog and input limits", () => {
  it("GET /v1/catalog: Hugging Face and local configured; the others name their env var", async () => {
    const { providers } = catalogResponseSchema.parse(await (await s.call("/v1/catalog", { token: team.token })).json());
    expect(providers.filter((x) => x.configured).map((x) => x.id)).toEqual(["huggingface", "local"]);
    expect(providers.find((x) => x.id === "gemini")?.reason).toBe("Set GEMINI_API_KEY on the proxy to use Google Gemini");
  });

  it("standard (auto) has no Hugging Face route: it lands on local; an explicit Gemini model without a key is 503", async () => {
    const sub = await submit(s, team, { ...draft, quality: "standard", aspectRatio: { width: 256, height: 256 } });
    expect(sub.job.route).toEqual({ provider: "local", model: "procedural" });
    await expectSucceeded(s, team, sub);
    await expectRefused(s, team, { ...draft, quality: "standard", provider: "gemini", model: "gemini-3.1-flash-image" }, "provider_unavailable");
    await expectRefused(s, team, { operation: "edit", kind: "replace-background-relight", prompt: "a beach" }, "provider_unavailable", { image: await picture(256, 256) });
    expect(fake.requests).toHaveLength(0);
  });

  it("a prompt over 2,000 characters → 400 naming the limit, before anything is held", async () => {
    const error = await expectRefused(s, team, { ...draft, prompt: "y".repeat(2001) }, "invalid_request");
    expect(error.details).toMatchObject({ provider: "huggingface", limit: 2000 });
    expect(fake.requests).toHaveLength(0);
  });
});
