// WaveSpeed (docs/providers.md): every model is submit-and-poll. A submission answers a prediction id at once; the
// job runner stores it and calls poll() at WaveSpeed's documented pace (2 s), so a restarted proxy resumes
// instead of paying twice. A submit is never sent twice unless nothing can have been accepted (the official
// SDK's note: the task may already exist server-side and be billed). Outputs are asked for as base64
// (`enable_base64_output`) so the proxy never fetches remote URLs. Which models exist, and their request
// shape (named ratios or a pixel size, seed or not, fixed params), is catalog data.
// https://wavespeed.ai/docs/docs-api · https://wavespeed.ai/docs/get-result
import { z } from "zod";
import type { Model, OperationKey } from "../../core/catalog/schema.ts";
import { describeImage, fitWithin, nearestAspectRatio, pixelSize } from "./image-io.ts";
import {
  checkModelPrompt as checkPrompt,
  errorForStatus,
  modelGone,
  parseJsonSafe,
  pollLater,
  providerFetch,
  readBody,
  redactSecret,
  upstreamPath,
  type ProviderHttpOptions,
} from "./provider-http.ts";
import { LocalRateGate, type RateGate } from "./rate-gate.ts";
import {
  ProviderError,
  type CreateRequest,
  type EditRequest,
  type InputCheck,
  type PollResult,
  type ProviderAdapter,
  type ProviderCheck,
  type ProviderImage,
  type ProviderOutcome,
  type ProviderTask,
} from "./types.ts";

const NAME = "WaveSpeed";
const OPERATIONS: readonly OperationKey[] = ["create", "edit.general"];
const EDIT_TYPES = ["image/png", "image/jpeg", "image/webp"];
/** Poll no faster than every 2 s for image tasks (wavespeed.ai/docs/get-result). */
export const WAVESPEED_POLL_MS = 2000;
/**
 * Statuses after which a prediction never changes (official JS SDK and AI SDK provider); anything else
 * (created, processing, a state added later) is still running.
 */
const ENDED = new Set(["failed", "cancelled", "timeout", "deleted"]);

/** Base64 responses are large (a 1536² PNG is ~10 MB encoded); beyond this it is not an answer we want. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** qwen-image reads the seed as a signed 32-bit int (-1 = random): keep ours in 0..2^31-1. */
const SEED_RANGE = 2 ** 31;
/** Failure wording WaveSpeed and its models use for moderation (exact bodies are unconfirmed). */
const MODERATION = /nsfw|moderat|sensitive content|safety|inappropriate|content (policy|filter)/i;

// Tolerant shapes: only the fields we use are required, so new fields or statuses don't break us.
const predictionSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  outputs: z.array(z.string()).nullish(),
  error: z.string().nullish(),
});
const envelopeSchema = z.looseObject({
  code: z.number(),
  message: z.string().nullish(),
  data: predictionSchema.nullish(),
});
const errorBodySchema = z.looseObject({ code: z.number().optional(), message: z.string().optional(), error: z.string().optional() });
// https://wavespeed.ai/docs/docs-common-api/balance
const balanceSchema = z.looseObject({ code: z.number(), message: z.string().nullish(), data: z.looseObject({ balance: z.number() }).nullish() });
// https://wavespeed.ai/docs/list-models: `data.items[].model_uuid` (a bare array is accepted too).
const modelEntry = z.looseObject({ model_uuid: z.string().optional(), id: z.string().optional() });
const modelsSchema = z.looseObject({
  code: z.number(),
  data: z.union([z.array(modelEntry), z.looseObject({ items: z.array(modelEntry) })]).nullish(),
});

export interface WaveSpeedOptions {
  apiKey: string;
  /** Default https://api.wavespeed.ai */
  baseUrl?: string;
  /** Per HTTP call (default 60 s). */
  timeoutMs?: number;
  /** The pace the runner polls at (default the documented 2 s; lower only for tests and gateways). */
  pollAfterMs?: number;
  http?: Partial<Pick<ProviderHttpOptions, "maxRetries" | "baseDelayMs" | "maxRetryAfterMs">>;
  /** The 429 lock-out to honour and raise; compose.ts gives one shared by every proxy on PostgreSQL (rate-gate.ts). */
  gate?: RateGate;
}

export class WaveSpeedAdapter implements ProviderAdapter {
  readonly id = "wavespeed";
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly pollAfterMs: number;
  private readonly http: ProviderHttpOptions;

  constructor(options: WaveSpeedOptions) {
    this.apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? "https://api.wavespeed.ai").replace(/\/+$/, "");
    this.pollAfterMs = options.pollAfterMs ?? WAVESPEED_POLL_MS;
    this.http = {
      provider: NAME,
      timeoutMs: options.timeoutMs ?? 60_000,
      ...options.http,
      rateLimit: { message: (body) => this.said(body) },
      gate: options.gate ?? new LocalRateGate(),
    };
  }

  supports(operation: OperationKey): boolean {
    return OPERATIONS.includes(operation);
  }

  checkInput(input: InputCheck): void {
    if (!this.supports(input.operation)) return;
    checkPrompt(input.prompt, input.model);
    if (input.operation !== "edit.general" || !input.image) return;
    const { width, height, bytes, contentType } = input.image;
    const { inputMinSide, inputMaxBytes } = input.model?.limits ?? {};
    const refuse = (code: "unsupported_image" | "payload_too_large", message: string, limit: unknown) =>
      new ProviderError(code, message, { countsAgainstProvider: false, details: { limit } });
    if (!EDIT_TYPES.includes(contentType)) throw refuse("unsupported_image", `${NAME} edits PNG, JPEG or WebP images`, EDIT_TYPES);
    if (inputMaxBytes !== undefined && bytes > inputMaxBytes)
      throw refuse("payload_too_large", `The image is over the ${Math.round(inputMaxBytes / 1024 / 1024)} MiB ${NAME} accepts`, inputMaxBytes);
    if (inputMinSide !== undefined && Math.min(width, height) < inputMinSide)
      throw refuse("unsupported_image", `${NAME} edits images at least ${inputMinSide} px on each side`, { minSide: inputMinSide });
  }

  async create(request: CreateRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    const { model } = request;
    checkPrompt(request.prompt, model);
    const tasks: ProviderTask[] = [];
    for (let i = 0; i < request.count; i++) {
      try {
        tasks.push(await this.submit(model.upstream, createBody(model, request, i), signal));
      } catch (error) {
        // Accepted predictions run (and are billed) at WaveSpeed whatever we do: hand them to the runner,
        // which charges only the images they deliver. Nothing accepted, or a stopped job: the failure stands.
        if (tasks.length === 0 || signal.aborted) throw error;
        break;
      }
    }
    return { tasks };
  }

  async edit(request: EditRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    const { model } = request;
    if (request.kind !== "general" || !model)
      throw new ProviderError("invalid_request", `${NAME} does only general edits, with a model`, { countsAgainstProvider: false });
    checkPrompt(request.prompt, model);
    const { inputMaxSide, inputMaxPixels } = model.limits;
    const image = await fitWithin(request.image, { ...(inputMaxSide ? { maxSide: inputMaxSide } : {}), ...(inputMaxPixels ? { maxPixels: inputMaxPixels } : {}) });
    const body = {
      ...model.params,
      prompt: request.prompt,
      image: `data:${image.contentType};base64,${image.bytes.toString("base64")}`,
      ...(model.limits.seed ? { seed: request.seed % SEED_RANGE } : {}),
      enable_base64_output: true,
    };
    return { tasks: [await this.submit(model.upstream, body, signal)] };
  }

  async poll(taskId: string, signal: AbortSignal): Promise<PollResult> {
    let response: Response;
    try {
      // A GET creates no work: anything that says nothing about the prediction is "ask again at the pace".
      response = await providerFetch(
        `${this.baseUrl}/api/v3/predictions/${encodeURIComponent(taskId)}/result`,
        { method: "GET", headers: this.headers() },
        { ...this.http, maxRetries: 0 },
        signal,
      );
    } catch (error) {
      const later = pollLater(error, signal, this.pollAfterMs);
      if (later) return later;
      throw error;
    }
    // The prediction keeps running upstream: a results endpoint failing (5xx) is not the task failing.
    if (response.status >= 500) {
      await response.body?.cancel();
      return { state: "pending", pollAfterMs: this.pollAfterMs };
    }
    const prediction = await this.readPrediction(response, "");
    if (prediction.status === "completed") return { state: "done", images: [await decodeOutput(prediction.outputs ?? [])] };
    if (ENDED.has(prediction.status)) throw this.predictionFailure(prediction.status, prediction.error ?? "");
    return { state: "pending", pollAfterMs: this.pollAfterMs };
  }

  /** The balance (https://wavespeed.ai/docs/docs-common-api/balance) and the model list (…/docs/list-models). */
  async check(upstreams: readonly string[], signal: AbortSignal): Promise<ProviderCheck> {
    const unknown = Object.fromEntries(upstreams.map((u) => [u, null]));
    const get = async (path: string) => {
      const response = await providerFetch(`${this.baseUrl}${path}`, { method: "GET", headers: this.headers() }, { ...this.http, maxRetries: 0 }, signal);
      return { status: response.status, json: parseJsonSafe(await readBody(response, MAX_RESPONSE_BYTES, NAME)) };
    };
    const balance = await get("/api/v3/balance");
    if (balance.status === 401 || balance.status === 403) return { key: "invalid", detail: `${NAME} refused the key (${balance.status})`, listed: unknown };
    const parsed = balanceSchema.safeParse(balance.json);
    if (balance.status !== 200 || !parsed.success || parsed.data.code !== 200 || !parsed.data.data)
      throw errorForStatus(balance.status === 200 ? 502 : balance.status, NAME, parsed.success ? (parsed.data.message ?? "") : "");
    const funds = parsed.data.data.balance;
    const models = await get("/api/v3/models");
    const list = modelsSchema.safeParse(models.json);
    let listed: Record<string, boolean | null> = unknown;
    if (models.status === 200 && list.success && list.data.data) {
      const entries = Array.isArray(list.data.data) ? list.data.data : list.data.data.items;
      const ids = new Set(entries.map((m) => m.model_uuid ?? m.id ?? ""));
      listed = Object.fromEntries(upstreams.map((u) => [u, ids.has(u)]));
    }
    if (funds <= 0) return { key: "no-billing", detail: `balance ${funds} USD: every submission would be refused`, listed };
    return { key: "valid", detail: `balance ${funds} USD`, listed };
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.apiKey}` };
  }

  private async submit(upstream: string, body: Record<string, unknown>, signal: AbortSignal): Promise<ProviderTask> {
    const response = await providerFetch(
      `${this.baseUrl}/api/v3/${upstreamPath(upstream)}`,
      { method: "POST", headers: { ...this.headers(), "content-type": "application/json" }, body: JSON.stringify(body) },
      this.http,
      signal,
    );
    const prediction = await this.readPrediction(response, upstream);
    if (ENDED.has(prediction.status)) throw this.predictionFailure(prediction.status, prediction.error ?? "");
    return { id: prediction.id, pollAfterMs: this.pollAfterMs };
  }

  /** The prediction of a WaveSpeed answer, or the ProviderError its HTTP status or envelope code says. */
  private async readPrediction(response: Response, upstream: string): Promise<z.infer<typeof predictionSchema>> {
    const raw = await readBody(response, MAX_RESPONSE_BYTES, NAME);
    const json = parseJsonSafe(raw);
    if (!response.ok) throw this.failure(response.status, this.said(raw.toString("utf8")), upstream);
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) throw new ProviderError("provider_error", `${NAME} sent an answer this proxy does not understand`);
    const { code, message, data } = envelope.data;
    // WaveSpeed reports some failures inside an HTTP 200: its own code decides.
    if (code !== 200) throw this.failure(code >= 400 && code < 600 ? code : 502, this.redact(message ?? ""), upstream);
    if (!data) throw new ProviderError("provider_error", `${NAME} sent no prediction`);
    return data;
  }

  private failure(status: number, message: string, upstream: string): ProviderError {
    if (MODERATION.test(message)) return rejected(message);
    // A submission to a model path WaveSpeed does not (or no longer) serve: "model … not found".
    if (status === 404 && upstream) return modelGone(NAME, upstream, status, message);
    return errorForStatus(status, NAME, message);
  }

  private predictionFailure(status: string, providerMessage: string): ProviderError {
    const message = this.redact(providerMessage);
    if (MODERATION.test(message)) return rejected(message);
    const ended = status === "failed" ? "could not make the image" : `ended the prediction (${status})`;
    return new ProviderError("provider_error", `${NAME} ${ended}${message ? `: ${message.slice(0, 300)}` : ""}`);
  }

  /** The provider's words from an error body, the key scrubbed. */
  private said(text: string): string {
    const parsed = errorBodySchema.safeParse(parseJsonSafe(text));
    return this.redact(parsed.success ? (parsed.data.message ?? parsed.data.error ?? "") : "");
  }

  private redact(text: string): string {
    return redactSecret(text, this.apiKey);
  }
}

function rejected(message: string): ProviderError {
  return new ProviderError("content_rejected", `${NAME} refused the content: ${message.slice(0, 300)}`, { countsAgainstProvider: false });
}


/** A create's body: the model's fixed params, then its ratio or pixel size, its seed and its style, as the catalog says it takes them. */
function createBody(model: Model, request: CreateRequest, i: number): Record<string, unknown> {
  const ratios = model.limits.aspectRatios;
  const style = request.stylePreset ? model.styles[request.stylePreset] : undefined;
  const size = ratios ? undefined : pixelSize(request.width, request.height, model);
  return {
    ...model.params,
    prompt: request.prompt,
    ...(ratios ? { aspect_ratio: nearestAspectRatio(request.width, request.height, ratios) } : { size: `${size!.width}*${size!.height}` }),
    ...(model.limits.seed ? { seed: (request.seed + i) % SEED_RANGE } : {}),
    ...(style ? { style } : {}),
    enable_base64_output: true,
  };
}

/** The first output of a completed prediction (one task = one image), base64 with or without a data: prefix. */
async function decodeOutput(outputs: string[]): Promise<ProviderImage> {
  const first = outputs.find((o) => o.length > 0);
  if (first === undefined) throw new ProviderError("provider_error", `${NAME} finished without an image`);
  // A URL means base64 output was ignored; fetching arbitrary remote URLs from the proxy is not allowed.
  if (/^https?:\/\//i.test(first)) throw new ProviderError("provider_error", `${NAME} returned a link instead of the image`);
  const base64 = first.startsWith("data:") ? first.slice(first.indexOf(",") + 1) : first;
  return describeImage(Buffer.from(base64, "base64"), NAME);
}
