// Routing with several providers configured at once: provider "auto" takes the first configured provider of
// each quality's route and each operation's list (docs/pricing.md order), both in the quote (POST /v1/estimate) and
// in the job that really runs, which reaches the routed fake and no other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogResponseSchema, estimateSchema } from "../../core/api/responses.ts";
import { GEMINI_FAKE_KEY, startGeminiFake, type GeminiFake } from "../../server/test-support/fakes/gemini-fake.ts";
import { HF_FAKE_TOKEN, startHuggingFaceFake, type HuggingFaceFake } from "../../server/test-support/fakes/huggingface-fake.ts";
import { startStabilityFake, type StabilityFake } from "../../server/test-support/fakes/stability-fake.ts";
import { startWaveSpeedFake, WAVESPEED_FAKE_KEY, type WaveSpeedFake } from "../../server/test-support/fakes/wavespeed-fake.ts";
import { startTestServer, type TestServer } from "../../server/test-support/harness.ts";
import { expectSucceeded, picture, submit } from "./support.ts";

let st: StabilityFake;
let ws: WaveSpeedFake;
let hf: HuggingFaceFake;
let gm: GeminiFake;
let all: TestServer;
let some: TestServer;

beforeAll(async () => {
  [st, ws, hf, gm] = await Promise.all([startStabilityFake(), startWaveSpeedFake({ pollsToComplete: 1 }), startHuggingFaceFake(), startGeminiFake()]);
  const keys = {
    stability: { STABILITY_API_KEY: st.apiKey, STABILITY_BASE_URL: st.url },
    wavespeed: { WAVESPEED_API_KEY: WAVESPEED_FAKE_KEY, WAVESPEED_BASE_URL: ws.url },
    huggingface: { HF_TOKEN: HF_FAKE_TOKEN, HF_BASE_URL: hf.url },
    gemini: { GEMINI_API_KEY: GEMINI_FAKE_KEY, GEMINI_BASE_URL: gm.url },
  };
  [all, some] = await Promise.all([
    startTestServer({ env: { ...keys.stability, ...keys.wavespeed, ...keys.huggingface, ...keys.gemini } }),
    startTestServer({ env: { ...keys.huggingface, ...keys.gemini } }),
  ]);
});
afterAll(async () => {
  await Promise.all([all?.close(), some?.close()]);
  await Promise.all([st?.close(), ws?.close(), hf?.close(), gm?.close()]);
});

const IMAGE = { width: 512, height: 512 };
const SPECS = {
  draft: { operation: "create", prompt: "a lighthouse", quality: "draft", aspectRatio: { width: 512, height: 512 } },
  standard: { operation: "create", prompt: "a lighthouse", quality: "standard" },
  premium: { operation: "create", prompt: "a lighthouse", quality: "premium" },
  general: { operation: "edit", kind: "general", prompt: "make it winter", input: IMAGE },
  removeBackground: { operation: "edit", kind: "remove-background", input: IMAGE },
  creativeUpscale: { operation: "upscale", mode: "creative", input: IMAGE },
} as const;

async function routes(s: TestServer): Promise<Record<string, unknown>> {
  const { token } = await s.createTeam("pro");
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SPECS)) {
    const res = await s.call("/v1/estimate", { token, json: spec });
    expect(res.status).toBe(200);
    out[name] = estimateSchema.parse(await res.json()).steps[0]!.route;
  }
  return out;
}

describe("auto routing across configured providers", () => {
  it("all four keys: GET /v1/catalog lists all five configured; estimates route by docs/pricing.md order", async () => {
    const { token } = await all.createTeam("pro");
    const { providers } = catalogResponseSchema.parse(await (await all.call("/v1/catalog", { token })).json());
    expect(providers.map((p) => [p.id, p.configured])).toEqual([
      ["stability", true],
      ["wavespeed", true],
      ["huggingface", true],
      ["gemini", true],
      ["local", true],
    ]);
    expect(await routes(all)).toEqual({
      draft: { provider: "wavespeed", model: "qwen-image" },
      standard: { provider: "stability", model: "core" },
      premium: { provider: "wavespeed", model: "ideogram-v3-quality" },
      general: { provider: "wavespeed", model: "qwen-image-edit" },
      removeBackground: { provider: "stability", model: null },
      creativeUpscale: { provider: "stability", model: null },
    });
  });

  it("all four keys: the jobs really run at the routed provider, and nowhere else", async () => {
    const run = async (spec: Record<string, unknown>, images = {}) => {
      const t = await all.createTeam("pro");
      const { input: _input, ...body } = spec;
      return expectSucceeded(all, t, await submit(all, t, body, images));
    };
    const [draft, standard, premium, general] = await Promise.all([
      run(SPECS.draft),
      run(SPECS.standard),
      run(SPECS.premium),
      run(SPECS.general, { image: await picture(512, 512) }),
    ]);
    expect([draft, standard, premium, general].map((r) => r.job.route)).toEqual([
      { provider: "wavespeed", model: "qwen-image" },
      { provider: "stability", model: "core" },
      { provider: "wavespeed", model: "ideogram-v3-quality" },
      { provider: "wavespeed", model: "qwen-image-edit" },
    ]);
    expect(st.requests.map((r) => r.path)).toEqual(["/v2beta/stable-image/generate/core"]);
    expect(ws.requests.filter((r) => r.method === "POST").map((r) => r.path).sort()).toEqual([
      "/api/v3/ideogram-ai/ideogram-v3-quality",
      "/api/v3/wavespeed-ai/qwen-image/edit",
      "/api/v3/wavespeed-ai/qwen-image/text-to-image",
    ]);
    expect(hf.requests).toHaveLength(0);
    expect(gm.requests).toHaveLength(0);
  });

  it("Hugging Face and Gemini only: draft → FLUX schnell, standard → Gemini 3.1 Flash Image, premium → Gemini 3 Pro Image; edits by who does them", async () => {
    expect(await routes(some)).toEqual({
      draft: { provider: "huggingface", model: "flux-schnell" },
      standard: { provider: "gemini", model: "gemini-3.1-flash-image" },
      premium: { provider: "gemini", model: "gemini-3-pro-image" },
      general: { provider: "gemini", model: "gemini-3.1-flash-image" },
      removeBackground: { provider: "local", model: null },
      creativeUpscale: { provider: "local", model: null },
    });
  });
});
