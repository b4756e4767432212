// The panel's HTTP client for the proxy. Every answer is parsed with core's schemas, so a proxy of another
// version fails here with a clear message instead of somewhere deep in a view.
import { managersApi, type ManagersApi } from "./managers-api.ts";
import type { z } from "zod";
import { errorResponseSchema } from "../../core/api/errors.ts";
import {
  memberResponseSchema,
  teamResponseSchema,
  usageResponseSchema,
  type MemberPatchBody,
  type TeamMember,
  type TeamResponse,
  type UsageGroup,
  type UsageResponse,
} from "../../core/api/reports.ts";
import { assetPageSchema, type AssetPage, type AssetType } from "../../core/api/assets.ts";
import { insightsResponseSchema, type InsightsResponse } from "../../core/api/insights.ts";
import {
  batchItemEventSchema,
  batchResponseSchema,
  catalogResponseSchema,
  estimateSchema,
  jobResponseSchema,
  meSchema,
  templatesResponseSchema,
  type BatchView,
  type CatalogResponse,
  type EstimateResponse,
  type Job,
  type Me,
  type TemplatesResponse,
} from "../../core/api/responses.ts";
import type { Batch, JobSpec, Plan } from "../../core/api/specs.ts";
import type { Settings } from "../../core/messages.ts";
import { ApiError } from "./api-error.ts";
import { blockedReason } from "./proxy-url.ts";
import { readSse } from "./sse.ts";

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

export interface FollowOptions {
  /** An item changed (its job as it is now). */
  onItem?: (index: number, job: Job) => void;
  /** The batch as a whole changed (counts, held, charged). */
  onBatch?: (batch: BatchView) => void;
  signal?: AbortSignal;
}

/** A batch has finished when every item has: delivered, failed or cancelled. */
export const batchFinished = (batch: BatchView) => batch.status === "succeeded" || batch.status === "partial" || batch.status === "failed";

export interface ApiClient {
  readonly proxyUrl: string;
  catalog(): Promise<CatalogResponse>;
  me(): Promise<Me>;
  /**
   * POST /v1/jobs. The key makes a retried click (or a retried request) start and charge one job only.
   * With image parts the body is multipart/form-data: a `spec` JSON part plus one PNG/JPEG part each.
   */
  createJob(spec: JobSpec, idempotencyKey: string, parts?: ImageParts): Promise<Job>;
  job(id: string): Promise<Job>;
  /** Polls until the job succeeds or fails and returns it in that state. */
  waitForJob(job: Job, options?: WaitOptions): Promise<Job>;
  /** The bytes of an asset, from its `url` (relative to the proxy URL). */
  assetBytes(url: string): Promise<Uint8Array<ArrayBuffer>>;
  /** GET /v1/team (managers): balance, period and every member with spend and cap. */
  team(): Promise<TeamResponse>;
  /** GET /v1/usage: the team's spend (a member's own, for a member) over the current period by default. */
  usage(query: UsageParams): Promise<UsageResponse>;
  /** GET /v1/usage?format=csv: the same report as CSV text, with the file name the proxy suggests (if CORS lets it be read). */
  usageCsv(query: UsageParams): Promise<{ text: string; filename: string | null }>;
  /** PATCH /v1/team/members/:id (managers): the member as it is after the change. */
  updateMember(id: string, patch: MemberPatchBody): Promise<TeamMember>;
  /**
   * POST /v1/estimate: the server's price for the caller. Badges price locally with core's estimate();
   * this is for what only the server knows: whether an identical earlier job can be reused for 0 credits.
   */
  estimate(body: JobSpec | Plan | Batch): Promise<EstimateResponse>;
  /**
   * POST /v1/batches: one operation on many images, priced and held as one (docs/api.md, "Batches"). With
   * image parts (one set per item) the body is multipart: a `batch` JSON part and `items.<i>.<part>` files.
   */
  createBatch(batch: Batch, idempotencyKey: string, parts?: readonly (ImageParts | undefined)[]): Promise<BatchView>;
  /** GET /v1/batches/:id. */
  batch(id: string): Promise<BatchView>;
  /**
   * Follows a batch until it has finished, over its event stream (per-item progress as it happens); if the
   * stream cannot be read or ends early, by polling GET /v1/batches/:id. Resolves with the finished batch.
   */
  followBatch(batch: BatchView, options?: FollowOptions): Promise<BatchView>;
  /** POST /v1/batches/:id/cancel: items not started fail as `cancelled` and their holds are released. */
  cancelBatch(id: string): Promise<BatchView>;
  /** GET /v1/assets: one page of the team's library, newest first. */
  assets(query: AssetParams): Promise<AssetPage>;
  /** DELETE /v1/assets/:id. */
  deleteAsset(id: string): Promise<void>;
  /** GET /v1/templates: presets for Create with what each would cost now. */
  templates(): Promise<TemplatesResponse>;
  /** GET /v1/insights: cost-saving suggestions from the team's usage this period. */
  insights(): Promise<InsightsResponse>;
  /** Projects, forecast, thresholds, webhook and alerts (managers-api.ts). */
  managers: ManagersApi;
}

export interface AssetParams {
  type?: AssetType;
  operation?: string;
  provider?: string;
  from?: string;
  to?: string;
  q?: string;
  member?: string;
  cursor?: string;
  limit?: number;
}

/** `/v1/assets?type=...&q=...`: only the filters that are set. */
export function assetsPath(query: AssetParams): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `/v1/assets?${text}` : "/v1/assets";
}

export interface UsageParams {
  groupBy: readonly UsageGroup[];
  from?: string;
  to?: string;
  member?: string;
}

/** `/v1/usage?groupBy=a,b&...`: the query docs/api.md describes (from/to default to the current period). */
export function usagePath(query: UsageParams, format: "json" | "csv" = "json"): string {
  const params = new URLSearchParams({ groupBy: query.groupBy.join(",") });
  for (const key of ["from", "to", "member"] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  if (format === "csv") params.set("format", "csv");
  return `/v1/usage?${params}`;
}

/** The file name of `Content-Disposition: attachment; filename="..."`, if it has a plain one. */
export function dispositionFilename(header: string | null): string | null {
  const name = header && /filename="?([^";]+)"?/i.exec(header)?.[1]?.trim();
  return name && /^[\w.-]+$/.test(name) ? name : null;
}

/** The image parts of docs/api.md's multipart job body. */
export type ImagePart = "image" | "mask" | "backgroundReference" | "lightReference";
export type ImageParts = Partial<Record<ImagePart, Uint8Array<ArrayBuffer>>>;

function jobBody(spec: JobSpec, parts: ImageParts | undefined): { body: string | FormData; headers: Record<string, string> } {
  const entries = Object.entries(parts ?? {}).filter((e): e is [string, Uint8Array<ArrayBuffer>] => e[1] !== undefined);
  if (!entries.length) return { body: JSON.stringify(spec), headers: { "Content-Type": "application/json" } };
  // No Content-Type header: fetch writes multipart/form-data with its boundary itself.
  const form = new FormData();
  form.append("spec", JSON.stringify(spec));
  for (const [name, bytes] of entries) form.append(name, new Blob([bytes], { type: bytes[0] === 0xff ? "image/jpeg" : "image/png" }), name);
  return { body: form, headers: {} };
}

/** A batch's body: JSON alone, or multipart with each item's image parts named `items.<i>.<part>`. */
export function batchBody(batch: Batch, parts: readonly (ImageParts | undefined)[] = []): { body: string | FormData; headers: Record<string, string> } {
  const files = parts.flatMap((p, i) => Object.entries(p ?? {}).filter((e): e is [string, Uint8Array<ArrayBuffer>] => e[1] !== undefined).map(([name, bytes]) => [`items.${i}.${name}`, bytes] as const));
  if (!files.length) return { body: JSON.stringify(batch), headers: { "Content-Type": "application/json" } };
  const form = new FormData();
  form.append("batch", JSON.stringify(batch));
  for (const [name, bytes] of files) form.append(name, new Blob([bytes], { type: bytes[0] === 0xff ? "image/jpeg" : "image/png" }), name);
  return { body: form, headers: {} };
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
      // Figma blocks origins its manifest does not allow before the request leaves: say that, not "down".
      const blocked = blockedReason(origin);
      throw new ApiError("network_error", blocked ?? `Could not reach the proxy at ${base}`, { cause: String(error), ...(blocked ? { blocked: true } : {}) });
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
    createJob: async (spec, idempotencyKey, parts) => {
      const { body, headers } = jobBody(spec, parts);
      return (await json("/v1/jobs", jobResponseSchema, { method: "POST", headers: { ...headers, "Idempotency-Key": idempotencyKey }, body })).job;
    },
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
    team: () => json("/v1/team", teamResponseSchema),
    usage: (query) => json(usagePath(query), usageResponseSchema),
    async usageCsv(query) {
      const response = await send(usagePath(query, "csv"), { headers: { Accept: "text/csv" } });
      const type = response.headers.get("content-type") ?? "";
      if (!/^text\/csv\b/i.test(type))
        throw new ApiError("bad_response", "The proxy's answer to /v1/usage?format=csv is not CSV; this panel and the proxy may be of different versions", { contentType: type }, response.status);
      return { text: await response.text(), filename: dispositionFilename(response.headers.get("content-disposition")) };
    },
    updateMember: async (id, patch) =>
      (
        await json(`/v1/team/members/${encodeURIComponent(id)}`, memberResponseSchema, {
          method: "PATCH",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(patch),
        })
      ).member,
    estimate: (body) => json("/v1/estimate", estimateSchema, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
    async createBatch(batch, idempotencyKey, parts) {
      const { body, headers } = batchBody(batch, parts);
      return (await json("/v1/batches", batchResponseSchema, { method: "POST", headers: { ...headers, "Idempotency-Key": idempotencyKey }, body })).batch;
    },
    batch: async (id) => (await json(`/v1/batches/${encodeURIComponent(id)}`, batchResponseSchema)).batch,
    cancelBatch: async (id) => (await json(`/v1/batches/${encodeURIComponent(id)}/cancel`, batchResponseSchema, { method: "POST" })).batch,
    async followBatch(batch, options = {}) {
      let current = batch;
      const seen = (next: BatchView) => {
        current = next;
        options.onBatch?.(next);
      };
      if (batchFinished(current)) return current;
      try {
        const response = await send(`/v1/batches/${encodeURIComponent(batch.id)}/events`, { headers: { Accept: "text/event-stream" }, ...(options.signal ? { signal: options.signal } : {}) });
        if (response.body)
          await readSse(
            response.body,
            ({ event, data }) => {
              // An event this panel cannot read is skipped: the poll below still brings the batch to its end.
              let value: unknown;
              try {
                value = JSON.parse(data);
              } catch {
                return;
              }
              if (event === "item") {
                const item = batchItemEventSchema.safeParse(value);
                if (item.success) options.onItem?.(item.data.index, item.data.job);
              } else if (event === "batch") {
                const next = batchResponseSchema.safeParse(value);
                if (next.success) seen(next.data.batch);
              }
            },
            options.signal,
          );
      } catch {
        if (options.signal?.aborted) throw new ApiError("timeout", "Stopped following the batch");
        // The stream is only the fast way: refused (503 while the proxy follows its most streams), cut, or
        // unreadable, the batch still runs and is charged, so it is polled to its end and placed. An error
        // polling cannot get past either (401, 404) comes from the first poll.
      }
      // The stream ended (or could not be read) before the batch said it finished: poll until it has.
      const started = now();
      let delay = POLL_FIRST_MS;
      while (!batchFinished(current)) {
        if (options.signal?.aborted) throw new ApiError("timeout", "Stopped following the batch");
        if (now() - started > POLL_TIMEOUT_MS) throw new ApiError("timeout", "The batch is taking too long; it may still finish. Check again later.", { batchId: batch.id });
        await sleep(delay);
        delay = Math.min(POLL_MAX_MS, Math.round(delay * 1.5));
        const next = await client.batch(batch.id);
        next.items.forEach((job, index) => {
          if (JSON.stringify(job) !== JSON.stringify(current.items[index])) options.onItem?.(index, job);
        });
        seen(next);
      }
      return current;
    },
    assets: (query) => json(assetsPath(query), assetPageSchema),
    async deleteAsset(id) {
      await send(`/v1/assets/${encodeURIComponent(id)}`, { method: "DELETE" });
    },
    templates: () => json("/v1/templates", templatesResponseSchema),
    insights: () => json("/v1/insights", insightsResponseSchema),
    managers: managersApi(json, send),
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
