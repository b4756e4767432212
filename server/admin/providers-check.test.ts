// `npm run admin -- providers check` against the four providers' fakes on 127.0.0.1: one cheap authenticated
// call each, key valid / invalid / without billing, which catalog models each lists, --json, the exit code,
// and a model marked gone that its provider lists again made usable again. No key reaches the output.
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { openStores } from "../compose.ts";
import { GEMINI_FAKE_KEY, startGeminiFake, type GeminiFake } from "../test-support/fakes/gemini-fake.ts";
import { HF_FAKE_TOKEN, startHuggingFaceFake, type HuggingFaceFake } from "../test-support/fakes/huggingface-fake.ts";
import { startStabilityFake, type StabilityFake } from "../test-support/fakes/stability-fake.ts";
import { startWaveSpeedFake, WAVESPEED_FAKE_KEY, type WaveSpeedFake } from "../test-support/fakes/wavespeed-fake.ts";
import { tempDir } from "../test-support/harness.ts";
import { runCli } from "./cli.ts";
import type { ProviderCheckRow } from "./providers-check.ts";

const exec = promisify(execFile);

let st: StabilityFake;
let ws: WaveSpeedFake;
let hf: HuggingFaceFake;
let gm: GeminiFake;
let dataDir: string;

beforeAll(async () => {
  [st, ws, hf, gm] = await Promise.all([startStabilityFake(), startWaveSpeedFake(), startHuggingFaceFake(), startGeminiFake()]);
  dataDir = await tempDir("studio-check-");
});
afterAll(async () => {
  await Promise.all([st?.close(), ws?.close(), hf?.close(), gm?.close()]);
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  st.reset();
  gm.reset();
  ws.requests.length = 0;
  hf.requests.length = 0;
  hf.canPay = true;
  ws.balance = 25.5;
});

function env(over: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    STABILITY_API_KEY: st.apiKey,
    STABILITY_BASE_URL: st.url,
    WAVESPEED_API_KEY: WAVESPEED_FAKE_KEY,
    WAVESPEED_BASE_URL: ws.url,
    HF_TOKEN: HF_FAKE_TOKEN,
    HF_BASE_URL: hf.url,
    HF_HUB_URL: hf.url,
    GEMINI_API_KEY: GEMINI_FAKE_KEY,
    GEMINI_BASE_URL: gm.url,
    ...over,
  };
}

const KEYS = () => [st.apiKey, WAVESPEED_FAKE_KEY, HF_FAKE_TOKEN, GEMINI_FAKE_KEY];

async function check(over: Record<string, string> = {}, json = true) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["providers", "check", ...(json ? ["--json"] : [])], env(over), { out: (t) => out.push(t), err: (t) => err.push(t) });
  const stdout = out.join("\n");
  for (const key of KEYS()) expect(stdout + err.join("\n")).not.toContain(key);
  return { code, stdout, body: json ? (JSON.parse(stdout) as { ok: boolean; providers: ProviderCheckRow[] }) : null };
}

const row = (rows: ProviderCheckRow[], id: string) => rows.find((r) => r.id === id)!;
const listed = (r: ProviderCheckRow) => Object.fromEntries(r.models.map((m) => [m.model, m.listed]));

describe("admin CLI: providers check", () => {
  it("asks each configured provider once, cheaply, and reports keys and listed models; exit 0 when all keys are valid", async () => {
    const { code, body } = await check();
    expect(code).toBe(0);
    expect(body!.ok).toBe(true);
    const rows = body!.providers;
    expect(rows.map((r) => [r.id, r.key])).toEqual([
      ["stability", "valid"],
      ["wavespeed", "valid"],
      ["huggingface", "valid"],
      ["gemini", "valid"],
      ["local", "valid"],
    ]);
    expect(row(rows, "stability").detail).toBe("42.5 credits left");
    expect(row(rows, "wavespeed").detail).toBe("balance 25.5 USD");
    // Stability publishes no model list: unknowable, not "missing".
    expect(Object.values(listed(row(rows, "stability")))).toEqual(Array(6).fill(null));
    expect(listed(row(rows, "wavespeed"))).toEqual({
      "ideogram-v3-turbo": true,
      "ideogram-v3-balanced": true,
      "ideogram-v3-quality": true,
      "qwen-image": true,
      "qwen-image-edit": true,
    });
    expect(listed(row(rows, "huggingface"))).toEqual({ "flux-schnell": true });
    expect(listed(row(rows, "gemini"))).toEqual({ "gemini-3.1-flash-image": true, "gemini-3-pro-image": true });
    // One cheap call each (plus Hugging Face's per-repo mapping and WaveSpeed's model list); nothing generated.
    expect(st.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/user/balance"]);
    expect(ws.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/v3/balance", "GET /api/v3/models"]);
    expect(hf.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/whoami-v2", "GET /api/models/black-forest-labs/FLUX.1-schnell?expand[]=inferenceProviderMapping"]);
    expect(gm.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1beta/models?pageSize=1000"]);
  });

  it("says invalid for a refused key and no-billing for an account that cannot pay; exit 1", async () => {
    hf.canPay = false;
    ws.balance = 0;
    const { code, body } = await check({ GEMINI_API_KEY: "AIzaWRONG-key-0000", STABILITY_API_KEY: "sk-wrong-0000" });
    expect(code).toBe(1);
    expect(body!.ok).toBe(false);
    expect(body!.providers.map((r) => [r.id, r.key])).toEqual([
      ["stability", "invalid"],
      ["wavespeed", "no-billing"],
      ["huggingface", "no-billing"],
      ["gemini", "invalid"],
      ["local", "valid"],
    ]);
    expect(JSON.stringify(body)).not.toMatch(/AIzaWRONG|sk-wrong/);
  });

  it("names a catalog model the provider no longer lists, and makes usable again a model marked gone that it lists again", async () => {
    gm.retire("gemini-3-pro-image");
    const stores = await openStores({ dataDir, databaseUrl: undefined }, DEFAULT_CATALOG);
    try {
      await stores.retiredModels.retire("gemini", "gemini-3.1-flash-image", "Gemini no longer serves gemini-3.1-flash-image (404)");
      const { body } = await check();
      const gemini = row(body!.providers, "gemini");
      expect(gemini.models).toEqual([
        { model: "gemini-3.1-flash-image", upstream: "gemini-3.1-flash-image", listed: true, restored: true },
        { model: "gemini-3-pro-image", upstream: "gemini-3-pro-image", listed: false },
      ]);
      expect(await stores.retiredModels.list()).toEqual([]);
    } finally {
      await stores.close();
    }
  });

  it("leaves unconfigured providers alone, saying why; prints readable text without --json", async () => {
    const { code, stdout } = await check({ STABILITY_API_KEY: "", WAVESPEED_API_KEY: "", HF_TOKEN: "" }, false);
    expect(code).toBe(0);
    expect(stdout).toContain("Stability AI (stability): not configured · Set STABILITY_API_KEY on the proxy to use Stability AI");
    expect(stdout).toContain("Google Gemini (gemini): key valid");
    expect(stdout).toMatch(/gemini-3\.1-flash-image\s+gemini-3\.1-flash-image\s+listed/);
    expect(st.requests).toHaveLength(0);
  });

  it("runs as `npm run admin -- providers check --json` in its own process", async () => {
    const { stdout } = await exec("npx", ["tsx", "server/admin/cli.ts", "providers", "check", "--json"], { env: { ...process.env, ...env() }, timeout: 30_000 });
    const body = JSON.parse(stdout) as { ok: boolean; providers: ProviderCheckRow[] };
    expect(body.ok).toBe(true);
    expect(body.providers.filter((r) => r.configured).map((r) => r.id)).toEqual(["stability", "wavespeed", "huggingface", "gemini", "local"]);
    for (const key of KEYS()) expect(stdout).not.toContain(key);
  });
});
