// The panel's HTTP client for the proxy. Every answer is parsed with core's schemas, so a proxy of another
// version fails here with a clear message instead of somewhere deep in a view.
import type { z } from "zod";
import { errorResponseSchema } from "../core/api/errors.ts";
import { catalogResponseSchema, jobResponseSchema, meSchema, type CatalogResponse, type Job, type Me } from "../core/api/responses.ts";
import type { JobSpec } from "../core/api/specs.ts";
import type { Settings } from "../core/messages.ts";
import { ApiError } from "./api-error.ts";

/** Poll quickly at first (local jobs finish in well under a second), then back off to once a second. */
export const POLL_FIRST_MS = 250;
export const POLL_MAX_MS = 1000;
export const POLL_TIMEOUT_MS = 10 * 60 * 1000;

export interface ApiClientDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface WaitOptions {
  onUpdate?: (job: Job) => void;
  signal?: AbortSignal;
}

export interface ApiClient {
  readonly proxyUrl: string;
  catalog(): Promise<CatalogResponse>;
  me(): Promise<Me>;
  /** POST /v1/jobs. The key makes a retried click (or a retried request) start and charge one job only. */
  createJob(spec: JobSpec, idempotencyKey: string): Promise<Job>;
  job(id: string): Promise<Job>;
  /** Polls until the job succeeds or fails and returns it in that state. */
  waitForJob(job: Job, options?: WaitOptions): Promise<Job>;
  /** The bytes of an asset, from its `url` (relative to the proxy URL). */
  assetBytes(url: string): Promise<Uint8Array<ArrayBuffer>>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createApiClient(settings: Settings, deps: ApiClientDeps = {}): ApiClient {
  const doFetch = deps.fetch ?? ((input, init) => fetch(input, init));
  const sleep = deps.sleep ?? sleepFor;
  const now = deps.now ?? Date.now;
  const base = settings.proxyUrl.replace(/\/+$/, "");
  const origin = new URL(base).origin;

  function resolveUrl(path: string): string {
    return /^https?:\/\//i.test(path) ? path : `${base}${path.startsWith("/") ? "" : "/"}${path}`;
  }

  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    const url = resolveUrl(path);
    const headers = new Headers(init.headers);
    // The token belongs to this proxy only: never send it to another origin an answer might point at.
    if (new URL(url).origin === origin) headers.set("Authorization", `Bearer ${settings.token}`);
    let response: Response;
    try {
      response = await doFetch(url, { ...init, headers });
    } catch (error) {
      throw new ApiError("network_error", `Could not reach the proxy at ${base}`, { cause: String(error) });
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  async function json<S extends z.ZodType>(path: string, schema: S, init?: RequestInit): Promise<z.output<S>> {
    const response = await send(path, init);
    const body = await readJson(response);
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new ApiError("bad_response", `The proxy's answer to ${path.split("?")[0]} does not match this panel's version`, {
        issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`),
      }, response.status);
    return parsed.data;
  }

  const client: ApiClient = {
    proxyUrl: base,
    catalog: () => json("/v1/catalog", catalogResponseSchema),
    me: () => json("/v1/me", meSchema),
    createJob: async (spec, idempotencyKey) =>
      (
        await json("/v1/jobs", jobResponseSchema, {
          method: "POST",
          headers: { "Content-Type": "application/json", "Idempotency-Key": idempotencyKey },
          body: JSON.stringify(spec),
        })
      ).job,
    job: async (id) => (await json(`/v1/jobs/${encodeURIComponent(id)}`, jobResponseSchema)).job,
    async waitForJob(job, options = {}) {
      const started = now();
      let delay = POLL_FIRST_MS;
      let current = job;
      while (current.status === "queued" || current.status === "running") {
        if (options.signal?.aborted) throw new ApiError("timeout", "Stopped waiting for the job");
        if (now() - started > POLL_TIMEOUT_MS)
          throw new ApiError("timeout", "The job is taking too long; it may still finish. Check again later.", { jobId: job.id });
        await sleep(delay);
        delay = Math.min(POLL_MAX_MS, Math.round(delay * 1.5));
        current = await client.job(job.id);
        options.onUpdate?.(current);
      }
      return current;
    },
    async assetBytes(url) {
      const response = await send(url);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
  return client;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new ApiError("bad_response", `The proxy answered ${response.status} without valid JSON`, {}, response.status);
  }
}

/** An error answer: the proxy's own `{ error }` body when it has one, else a description of the status. */
async function errorFrom(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a reverse proxy's HTML page, for instance): described by status below.
  }
  const parsed = errorResponseSchema.safeParse(body);
  if (parsed.success) return new ApiError(parsed.data.error.code, parsed.data.error.message, parsed.data.error.details ?? {}, response.status);
  return new ApiError("bad_response", `The proxy answered ${response.status} ${response.statusText}`.trim(), {}, response.status);
}
