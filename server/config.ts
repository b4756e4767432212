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

/** `scheme://user:pass@host…`: credentials written into a URL (z.url checked that it parses). */
const hasUserinfo = (value: string) => {
  const url = new URL(value);
  return url.username !== "" || url.password !== "";
};

// Endpoints and base URLs are printed (startup errors, logs), so they must not carry credentials: S3's go
// in S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY, a provider's in its key variable (README "The proxy").
const httpUrl = optionalText.pipe(
  z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .refine((v) => !hasUserinfo(v), "must not hold a user name or password (user:pass@host); give credentials in their own variables")
    .optional(),
);

const flag = optionalText.pipe(
  z
    .enum(["true", "false", "1", "0"], { error: "must be true or false" })
    .optional()
    .transform((v) => v === "true" || v === "1"),
);

// S3's own rules for a bucket name (3-63 lower-case letters, digits, dots and hyphens); MinIO, Ceph and R2
// follow them too.
const bucketName = optionalText.pipe(
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens)")
    .optional(),
);

// Object keys are <prefix><ab>/<cdef…>: a prefix is a folder of the bucket, so it ends with "/" (added when
// missing) and holds no character S3 treats specially in a key.
const keyPrefix = optionalText.pipe(
  z
    .string()
    .regex(/^[A-Za-z0-9._/-]{1,200}$/, "may hold only letters, digits, '.', '_', '-' and '/' (at most 200)")
    .refine((v) => !v.startsWith("/") && !v.includes("//"), "must not start with '/' or hold '//'")
    .transform((v) => (v.endsWith("/") ? v : `${v}/`))
    .optional(),
);

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
  // How long SIGTERM waits for running jobs before handing over what is left; under the 30 s most
  // orchestrators wait before SIGKILL (Kubernetes' default terminationGracePeriodSeconds).
  SHUTDOWN_GRACE_MS: integer(0, 3_600_000, 25_000),
  S3_BUCKET: bucketName,
  S3_PREFIX: keyPrefix,
  S3_ENDPOINT: httpUrl,
  S3_REGION: optionalText.pipe(z.string().regex(/^[a-z0-9-]{1,40}$/, "must be a region name such as us-east-1 or auto").optional()),
  S3_FORCE_PATH_STYLE: flag,
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: optionalText,
  S3_TIMEOUT_MS: integer(100, 600_000, 30_000),
  // Alerts' webhooks (docs/api.md "Webhooks"): each request's limit, the backoff between attempts
  // (base · 2^(attempt-1), capped), how many attempts before giving up, and how often the outbox is swept.
  WEBHOOK_TIMEOUT_MS: integer(100, 120_000, 5_000),
  WEBHOOK_RETRY_BASE_MS: integer(10, 3_600_000, 2_000),
  WEBHOOK_RETRY_MAX_MS: integer(10, 86_400_000, 600_000),
  WEBHOOK_MAX_ATTEMPTS: integer(1, 100, 12),
  WEBHOOK_INTERVAL_MS: integer(10, 3_600_000, 1_000),
  // Loopback, private and link-local webhook targets are refused (SSRF) unless this is set.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: flag,
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
  /** How long a SIGTERM waits for running jobs to finish before handing the rest over to other proxies. */
  shutdownGraceMs: number;
  /** The alerts' webhook deliveries (server/teams/webhook-dispatcher.ts). */
  webhooks: { timeoutMs: number; retryBaseMs: number; retryMaxMs: number; maxAttempts: number; intervalMs: number; allowPrivateTargets: boolean };
  /** Where asset bytes live: files under DATA_DIR/assets, or an S3-compatible bucket every proxy shares. */
  blobStore: BlobStoreConfig;
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

export type BlobStoreConfig =
  | { kind: "files" }
  | {
      kind: "s3";
      bucket: string;
      /** "" or a folder of the bucket ending with "/". */
      prefix: string;
      /** Unset: AWS's own endpoint for the region. MinIO, Ceph, R2: their URL. */
      endpoint?: string;
      region: string;
      /** Addresses the bucket as <endpoint>/<bucket> instead of <bucket>.<endpoint> (MinIO, Ceph, most self-hosted). */
      forcePathStyle: boolean;
      /** Unset: the AWS SDK's default chain (AWS_* variables, shared config, instance or task role). Never logged. */
      credentials?: { accessKeyId: string; secretAccessKey: string };
      /** Each request's time limit (connect, send, answer). */
      timeoutMs: number;
    };

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
      // Never echoed: a secret's value, or anything with an "@" (a URL's user:pass@, a DATABASE_URL's password).
      const shown = raw !== undefined && !/KEY|TOKEN|SECRET/.test(name) && !raw.includes("@");
      return `${name}: ${i.message}${shown ? ` (got "${raw}")` : ""}`;
    });
    throw new ConfigError(`Invalid environment:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const s3Settings = ["S3_PREFIX", "S3_ENDPOINT", "S3_REGION", "S3_FORCE_PATH_STYLE", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const;
  const problems: string[] = [];
  if (!e.S3_BUCKET) {
    const stray = s3Settings.filter((name) => env[name] !== undefined && env[name]!.trim() !== "");
    if (stray.length) problems.push(`${stray.join(", ")}: set S3_BUCKET too, or unset ${stray.length > 1 ? "them" : "it"} (asset bytes are files under DATA_DIR without a bucket)`);
  }
  if (!!e.S3_ACCESS_KEY_ID !== !!e.S3_SECRET_ACCESS_KEY)
    problems.push("S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both, or neither (the AWS SDK's default credentials are used then)");
  if (problems.length) throw new ConfigError(`Invalid environment:\n  ${problems.join("\n  ")}`);
  const blobStore: BlobStoreConfig = e.S3_BUCKET
    ? {
        kind: "s3",
        bucket: e.S3_BUCKET,
        prefix: e.S3_PREFIX ?? "",
        ...opt("endpoint", e.S3_ENDPOINT),
        region: e.S3_REGION ?? "us-east-1",
        forcePathStyle: e.S3_FORCE_PATH_STYLE,
        ...(e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY ? { credentials: { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY } } : {}),
        timeoutMs: e.S3_TIMEOUT_MS,
      }
    : { kind: "files" };
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
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    webhooks: {
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: e.WEBHOOK_RETRY_MAX_MS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      intervalMs: e.WEBHOOK_INTERVAL_MS,
      allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    },
    blobStore,
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
