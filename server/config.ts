// The proxy's settings come from the environment only, parsed once at start: a bad value stops the process
// with a message naming the variable, instead of failing later in the middle of a request.
import { availableParallelism } from "node:os";
import { z } from "zod";
import { StartupError } from "./startup-error.ts";

/** Env vars that may hold provider keys in the default catalog; a custom catalog may name others. */
export const PROVIDER_KEY_VARS = ["STABILITY_API_KEY", "WAVESPEED_API_KEY", "HF_TOKEN", "GEMINI_API_KEY"] as const;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Empty strings count as unset, as `FOO= npm start` means "no FOO" to most people. */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const integer = (min: number, max: number, fallback: number) =>
  optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .optional()
      .transform((v) => v ?? fallback),
  );

const databaseUrl = optionalText.pipe(
  z
    .string()
    .regex(/^(postgres|postgresql):\/\/|^sqlite:/, "must start with postgres://, postgresql:// or sqlite:")
    .optional(),
);

const httpUrl = optionalText.pipe(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional());

const envSchema = z.object({
  PORT: integer(0, 65_535, 8787),
  HOST: optionalText.transform((v) => v ?? "127.0.0.1"),
  DATA_DIR: optionalText.transform((v) => v ?? "./data"),
  DATABASE_URL: databaseUrl,
  CATALOG_PATH: optionalText,
  LOG_LEVEL: optionalText.pipe(z.enum(LOG_LEVELS).optional()).transform((v) => v ?? "info"),
  JOB_TIMEOUT_MS: integer(1, 3_600_000, 120_000),
  HOLD_MARGIN_MS: integer(0, 86_400_000, 60_000),
  MAX_BODY_BYTES: integer(1024, 512 * 1024 * 1024, 25 * 1024 * 1024),
  JOB_LEASE_MS: integer(500, 3_600_000, 15_000),
  SWEEP_INTERVAL_MS: integer(100, 3_600_000, 5_000),
  PROVIDER_CONCURRENCY: integer(1, 1000, 8),
  // A slot takes up to about 150 MiB (an 8192x8192 PNG shrinking for the social formats); two keep a proxy
  // under 512 MiB on any machine (bench/hostile.ts). libvips threads each image over every core anyway.
  IMAGE_CONCURRENCY: integer(1, 64, Math.min(2, availableParallelism())),
  UPLOAD_CONCURRENCY: integer(1, 1000, 8),
  STABILITY_BASE_URL: httpUrl,
  WAVESPEED_BASE_URL: httpUrl,
  HF_BASE_URL: httpUrl,
  HF_HUB_URL: httpUrl,
  GEMINI_BASE_URL: httpUrl,
  STABILITY_TIMEOUT_MS: integer(1000, 3_600_000, 60_000),
  WAVESPEED_TIMEOUT_MS: integer(1000, 3_600_000, 60_000),
  HF_TIMEOUT_MS: integer(1000, 3_600_000, 60_000),
  GEMINI_TIMEOUT_MS: integer(1000, 3_600_000, 60_000),
  // The providers' documented polling pace; lower values are for tests and gateways only.
  STABILITY_POLL_MS: integer(10, 600_000, 10_000),
  WAVESPEED_POLL_MS: integer(10, 600_000, 2_000),
  STABILITY_API_KEY: optionalText,
  WAVESPEED_API_KEY: optionalText,
  HF_TOKEN: optionalText,
  GEMINI_API_KEY: optionalText,
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Unset: SQLite under dataDir; sqlite:<file>; or postgres://… for PostgreSQL shared by several proxies. */
  databaseUrl: string | undefined;
  catalogPath: string | undefined;
  logLevel: LogLevel;
  jobTimeoutMs: number;
  /** Added to the job timeout to get a hold's expiry, so a crashed job's credits come back. */
  holdMarginMs: number;
  maxBodyBytes: number;
  /** A running job's lease: a job whose process stops renewing it is failed or resumed by another. */
  jobLeaseMs: number;
  /** How often the reaper looks for expired holds, lapsed leases, expired grants and ended periods. */
  sweepIntervalMs: number;
  /** Jobs a provider runs at once from this process; the rest wait in the provider queue by tier. */
  providerConcurrency: number;
  /** Heavy image work at once (upload checks, social, the local provider, normalizing results); the rest waits. */
  imageConcurrency: number;
  /** Multipart job requests whose bodies are read (to temporary files) at once; the rest wait unread. */
  uploadConcurrency: number;
  /** Per-provider settings: base URL overrides (fakes in tests, gateways in production), timeouts, polling pace. */
  providers: {
    stability: { baseUrl?: string; timeoutMs: number; pollAfterMs: number };
    wavespeed: { baseUrl?: string; timeoutMs: number; pollAfterMs: number };
    huggingface: { baseUrl?: string; hubUrl?: string; timeoutMs: number };
    gemini: { baseUrl?: string; timeoutMs: number };
  };
  /** Non-empty provider keys by env var name. Never logged (see logger.ts). */
  providerKeys: Readonly<Record<string, string>>;
}

export class ConfigError extends StartupError {
  override name = "ConfigError";
}

/** `{ [key]: value }` when value is set, else `{}` (exactOptionalPropertyTypes-friendly). */
function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** Pure: reads only the given env. Throws ConfigError naming every bad variable. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? "environment");
      const raw = env[name];
      return `${name}: ${i.message}${raw !== undefined && !/KEY|TOKEN/.test(name) ? ` (got "${raw}")` : ""}`;
    });
    throw new ConfigError(`Invalid environment:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const providerKeys: Record<string, string> = {};
  for (const name of PROVIDER_KEY_VARS) {
    const value = e[name];
    if (value) providerKeys[name] = value;
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    catalogPath: e.CATALOG_PATH,
    logLevel: e.LOG_LEVEL,
    jobTimeoutMs: e.JOB_TIMEOUT_MS,
    holdMarginMs: e.HOLD_MARGIN_MS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    jobLeaseMs: e.JOB_LEASE_MS,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    providerConcurrency: e.PROVIDER_CONCURRENCY,
    imageConcurrency: e.IMAGE_CONCURRENCY,
    uploadConcurrency: e.UPLOAD_CONCURRENCY,
    providers: {
      stability: { ...opt("baseUrl", e.STABILITY_BASE_URL), timeoutMs: e.STABILITY_TIMEOUT_MS, pollAfterMs: e.STABILITY_POLL_MS },
      wavespeed: { ...opt("baseUrl", e.WAVESPEED_BASE_URL), timeoutMs: e.WAVESPEED_TIMEOUT_MS, pollAfterMs: e.WAVESPEED_POLL_MS },
      huggingface: { ...opt("baseUrl", e.HF_BASE_URL), ...opt("hubUrl", e.HF_HUB_URL), timeoutMs: e.HF_TIMEOUT_MS },
      gemini: { ...opt("baseUrl", e.GEMINI_BASE_URL), timeoutMs: e.GEMINI_TIMEOUT_MS },
    },
    providerKeys,
  };
}

/** A catalog may name any keyEnv; the known ones come from the parsed config, others straight from env. */
export function providerKeyLookup(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
): (envName: string) => string | undefined {
  return (name) => {
    const value = config.providerKeys[name] ?? env[name];
    return value && value.trim() !== "" ? value : undefined;
  };
}
