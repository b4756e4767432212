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

describe("parseConfig: several instances (blob store, shutdown)", () => {
  it("keeps asset bytes in files and waits 25 s on SIGTERM by default", () => {
    const c = parseConfig({});
    expect(c.blobStore).toEqual({ kind: "files" });
    expect(c.shutdownGraceMs).toBe(25_000);
    expect(parseConfig({ SHUTDOWN_GRACE_MS: "0" }).shutdownGraceMs).toBe(0);
    expect(() => parseConfig({ SHUTDOWN_GRACE_MS: "-1" })).toThrow(/SHUTDOWN_GRACE_MS: /);
  });

  it("uses a bucket when S3_BUCKET is set, with AWS's defaults for the rest", () => {
    expect(parseConfig({ S3_BUCKET: "studio-assets" }).blobStore).toEqual({
      kind: "s3",
      bucket: "studio-assets",
      prefix: "",
      region: "us-east-1",
      forcePathStyle: false,
      timeoutMs: 30_000,
    });
  });

  it("reads every S3 setting, for MinIO, Ceph or R2 behind their own endpoint", () => {
    const c = parseConfig({
      S3_BUCKET: "studio",
      S3_PREFIX: "prod/assets",
      S3_ENDPOINT: "http://minio.internal:9000",
      S3_REGION: "auto",
      S3_FORCE_PATH_STYLE: "true",
      S3_ACCESS_KEY_ID: "AKIDEXAMPLE",
      S3_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG",
      S3_TIMEOUT_MS: "5000",
    });
    expect(c.blobStore).toEqual({
      kind: "s3",
      bucket: "studio",
      prefix: "prod/assets/",
      endpoint: "http://minio.internal:9000",
      region: "auto",
      forcePathStyle: true,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG" },
      timeoutMs: 5000,
    });
    expect(parseConfig({ S3_BUCKET: "studio", S3_FORCE_PATH_STYLE: "0" }).blobStore).toMatchObject({ forcePathStyle: false });
  });

  it.each([
    [{ S3_BUCKET: "Studio_Assets" }, /S3_BUCKET: must be an S3 bucket name/],
    [{ S3_BUCKET: "ok-bucket", S3_PREFIX: "/abs" }, /S3_PREFIX: must not start with '\/'/],
    [{ S3_BUCKET: "ok-bucket", S3_PREFIX: "a b" }, /S3_PREFIX: may hold only/],
    [{ S3_BUCKET: "ok-bucket", S3_ENDPOINT: "ftp://x" }, /S3_ENDPOINT: must be an http\(s\) URL/],
    [{ S3_BUCKET: "ok-bucket", S3_FORCE_PATH_STYLE: "yes" }, /S3_FORCE_PATH_STYLE: must be true or false/],
    [{ S3_BUCKET: "ok-bucket", S3_TIMEOUT_MS: "10" }, /S3_TIMEOUT_MS: /],
    [{ S3_BUCKET: "ok-bucket", S3_ACCESS_KEY_ID: "AKID" }, /S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both, or neither/],
    [{ S3_ENDPOINT: "http://minio:9000", S3_REGION: "auto" }, /S3_ENDPOINT, S3_REGION: set S3_BUCKET too/],
  ])("refuses %o with a message naming the variable", (env, message) => {
    expect(() => parseConfig(env)).toThrowError(ConfigError);
    expect(() => parseConfig(env)).toThrowError(message);
  });

  it.each(["S3_ENDPOINT", "STABILITY_BASE_URL", "WAVESPEED_BASE_URL", "HF_BASE_URL", "HF_HUB_URL", "GEMINI_BASE_URL"])(
    "refuses credentials written in %s, without printing them",
    (name) => {
      for (const value of ["https://admin:hunter2-pass@storage.example", "http://hunter2-pass@127.0.0.1:9000/", "ftp://admin:hunter2-pass@x"]) {
        const env = { S3_BUCKET: "ok-bucket", [name]: value };
        expect(() => parseConfig(env)).toThrowError(ConfigError);
        let message = "";
        try {
          parseConfig(env);
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message).toMatch(new RegExp(`${name}: must`));
        if (!value.startsWith("ftp:")) expect(message).toContain("must not hold a user name or password");
        expect(message).not.toContain("hunter2-pass");
      }
      // The same URL without them is fine.
      expect(() => parseConfig({ S3_BUCKET: "ok-bucket", [name]: "https://storage.example:9000/base" })).not.toThrow();
    },
  );

  it("never prints a DATABASE_URL's password in its error message", () => {
    try {
      parseConfig({ DATABASE_URL: "mysql://studio:db-hunter2@db/studio" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/DATABASE_URL: must start with/);
      expect((error as Error).message).not.toContain("db-hunter2");
    }
  });

  it("never echoes the S3 secret in its error messages", () => {
    for (const env of [
      { S3_BUCKET: "BAD", S3_ACCESS_KEY_ID: "AKID", S3_SECRET_ACCESS_KEY: "s3-secret-value" },
      { S3_SECRET_ACCESS_KEY: "s3-secret-value" },
    ]) {
      expect(() => parseConfig(env)).toThrowError(ConfigError);
      try {
        parseConfig(env);
      } catch (error) {
        expect((error as Error).message).not.toContain("s3-secret-value");
      }
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
