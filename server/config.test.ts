import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, providerKeyLookup } from "./config.ts";

describe("parseConfig", () => {
  it("applies the documented defaults to an empty environment", () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      port: 8787,
      host: "127.0.0.1",
      dataDir: "./data",
      databaseUrl: undefined,
      catalogPath: undefined,
      logLevel: "info",
      jobTimeoutMs: 120_000,
    });
    expect(c.holdMarginMs).toBeGreaterThan(0);
    expect(c.providerKeys).toEqual({});
    // Async tasks are polled at the providers' documented minimum pace unless told otherwise.
    expect([c.providers.stability.pollAfterMs, c.providers.wavespeed.pollAfterMs]).toEqual([10_000, 2_000]);
  });

  it("reads the polling pace and the Hugging Face Hub URL", () => {
    const c = parseConfig({ STABILITY_POLL_MS: "50", WAVESPEED_POLL_MS: "20", HF_HUB_URL: "http://127.0.0.1:9/" });
    expect(c.providers).toMatchObject({ stability: { pollAfterMs: 50 }, wavespeed: { pollAfterMs: 20 }, huggingface: { hubUrl: "http://127.0.0.1:9/" } });
    expect(() => parseConfig({ WAVESPEED_POLL_MS: "0" })).toThrow(/WAVESPEED_POLL_MS: must be at least 10/);
  });

  it("reads every variable it knows", () => {
    const c = parseConfig({
      PORT: "9000",
      HOST: "0.0.0.0",
      DATA_DIR: "/srv/studio",
      DATABASE_URL: "postgres://db/studio",
      CATALOG_PATH: "/etc/catalog.json",
      LOG_LEVEL: "debug",
      JOB_TIMEOUT_MS: "5000",
      HOLD_MARGIN_MS: "1000",
      STABILITY_API_KEY: "sk-1",
      HF_TOKEN: "hf_2",
    });
    expect(c).toMatchObject({
      port: 9000,
      host: "0.0.0.0",
      dataDir: "/srv/studio",
      databaseUrl: "postgres://db/studio",
      catalogPath: "/etc/catalog.json",
      logLevel: "debug",
      jobTimeoutMs: 5000,
      holdMarginMs: 1000,
    });
    expect(c.providerKeys).toEqual({ STABILITY_API_KEY: "sk-1", HF_TOKEN: "hf_2" });
  });

  it("treats empty values as unset", () => {
    const c = parseConfig({ PORT: "", GEMINI_API_KEY: "  ", DATABASE_URL: "" });
    expect(c.port).toBe(8787);
    expect(c.providerKeys).toEqual({});
    expect(c.databaseUrl).toBeUndefined();
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["JOB_TIMEOUT_MS", "-5"],
    ["HOLD_MARGIN_MS", "1.5"],
    ["LOG_LEVEL", "loud"],
    ["DATABASE_URL", "mysql://x"],
  ])("refuses %s=%s with a message naming the variable", (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrowError(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrowError(new RegExp(`${name}: `));
  });

  it("never echoes a key's value in its error message", () => {
    // Keys are free-form strings, so they cannot fail; a bad PORT next to one must not print it.
    try {
      parseConfig({ PORT: "x", STABILITY_API_KEY: "sk-secret" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain("sk-secret");
    }
  });
});

describe("providerKeyLookup", () => {
  it("finds known keys from the config and other catalog keyEnvs in the env", () => {
    const config = parseConfig({ WAVESPEED_API_KEY: "ws" });
    const keyFor = providerKeyLookup(config, { WAVESPEED_API_KEY: "ws", ACME_KEY: "acme", EMPTY_KEY: "" });
    expect(keyFor("WAVESPEED_API_KEY")).toBe("ws");
    expect(keyFor("ACME_KEY")).toBe("acme");
    expect(keyFor("EMPTY_KEY")).toBeUndefined();
    expect(keyFor("HF_TOKEN")).toBeUndefined();
  });
});
