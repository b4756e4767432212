// Google Gemini API adapter (docs/providers.md): image models through `:generateContent`, for create and for
// instruction ("general") edits, answered with base64 images inside JSON. Which models exist is catalog data
// (Imagen and gemini-2.5-flash-image were shut down in 2026; their successors are new ids, not new code).
// A retired model answers 404 NOT_FOUND: that is reported as the model gone, never as Gemini being down.
// https://ai.google.dev/api/generate-content · https://ai.google.dev/gemini-api/docs/image-generation
import { z } from "zod";
import type { Model, OperationKey } from "../../core/catalog/schema.ts";
import { describeImage, fitWithin, nearestAspectRatio } from "./image-io.ts";
import {
  errorForStatus,
  modelGone,
  parseJsonSafe,
  providerFetch,
  readBody,
  redactSecret,
  type ProviderHttpOptions,
  type RateLimitRules,
} from "./provider-http.ts";
import { LocalRateGate, type RateGate } from "./rate-gate.ts";
import {
  ProviderError,
  type CreateRequest,
  type EditRequest,
  type ImageType,
  type InputCheck,
  type InputImage,
  type ProviderAdapter,
  type ProviderCheck,
  type ProviderImage,
  type ProviderOutcome,
} from "./types.ts";

const NAME = "Gemini";
const OPERATIONS: readonly OperationKey[] = ["create", "edit.general"];
const INPUT_TYPES: readonly ImageType[] = ["image/png", "image/jpeg", "image/webp"];
/** Raw bytes of an inline image: base64 adds a third, so 12 MiB stays under the 20 MB request (API-wide). */
const INLINE_IMAGE_BYTES = 12 * 1024 * 1024;
/** A few 1 MP PNGs in base64 fit easily; anything larger is a misbehaving provider, not an image. */
const RESPONSE_MAX_BYTES = 64 * 1024 * 1024;
const ERROR_BODY_MAX_BYTES = 64 * 1024;

/** finishReason / blockReason values that mean moderation, not failure. */
const SAFETY_REASONS = new Set([
  "SAFETY",
  "IMAGE_SAFETY",
  "PROHIBITED_CONTENT",
  "IMAGE_PROHIBITED_CONTENT",
  "BLOCKLIST",
  "SPII",
  "RECITATION",
  "IMAGE_RECITATION",
]);

// ---- Response shapes (only the fields we read; unknown fields are ignored) ----

const inlineDataSchema = z.object({ mimeType: z.string().optional(), mime_type: z.string().optional(), data: z.string() });
const partSchema = z.object({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  // REST answers in camelCase; snake_case is accepted too because some proxies and old docs use it.
  inlineData: inlineDataSchema.optional(),
  inline_data: inlineDataSchema.optional(),
});
const generateResponseSchema = z.object({
  candidates: z
    .array(z.object({ content: z.object({ parts: z.array(partSchema).optional() }).optional(), finishReason: z.string().optional() }))
    .optional(),
  promptFeedback: z.object({ blockReason: z.string().optional() }).optional(),
});

// https://ai.google.dev/api/models#method:-models.list
const modelListSchema = z.object({
  models: z.array(z.object({ name: z.string(), supportedGenerationMethods: z.array(z.string()).optional() })).optional(),
  nextPageToken: z.string().optional(),
});

// https://cloud.google.com/apis/design/errors: RetryInfo, ErrorInfo, QuotaFailure in `details`.
const errorDetailSchema = z.object({
  "@type": z.string().optional(),
  reason: z.string().optional(),
  retryDelay: z.string().optional(),
  violations: z.array(z.looseObject({ quotaValue: z.string().optional() })).optional(),
});
const errorBodySchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.unknown()).optional(),
  }),
});

interface GoogleError {
  message: string;
  status: string | undefined;
  details: z.infer<typeof errorDetailSchema>[];
}

/** The `{ error }` body Google answers with, the key scrubbed from its message in case it was echoed. */
function googleError(text: string, apiKey: string): GoogleError {
  const parsed = errorBodySchema.safeParse(parseJsonSafe(text));
  const error = parsed.success ? parsed.data.error : undefined;
  const details = (error?.details ?? []).flatMap((d) => {
    const detail = errorDetailSchema.safeParse(d);
    return detail.success ? [detail.data] : [];
  });
  return { message: redactSecret(error?.message ?? "", apiKey), status: error?.status, details };
}

/** A bad key is 400 INVALID_ARGUMENT with reason API_KEY_INVALID; no key at all is 403 PERMISSION_DENIED. */
function keyRefused(status: number, e: GoogleError): boolean {
  return e.details.some((d) => d.reason === "API_KEY_INVALID") || (status === 400 && /api key not valid/i.test(e.message)) || status === 401 || status === 403;
}

/** Protobuf Duration JSON ("7s", "1.5s") → ms. */
function durationMs(value: string | undefined): number | undefined {
  const match = value?.trim().match(/^(\d+(?:\.\d+)?)s$/);
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

/**
 * A 429 whose quota is 0 is a project without billing (the free tier has no image quota): waiting never helps
 * (googleapis/js-genai#1322: "Quota exceeded for metric: …, limit: 0"). Read from the message or QuotaFailure.
 */
function noBilling(e: GoogleError): boolean {
  return /\blimit:\s*0\b/.test(e.message) || e.details.some((d) => d.violations?.some((v) => v.quotaValue === "0"));
}

export interface GeminiAdapterOptions {
  apiKey: string;
  /** Default https://generativelanguage.googleapis.com */
  baseUrl?: string;
  /** Per HTTP call; default 60 s. */
  timeoutMs?: number;
  http?: Partial<Pick<ProviderHttpOptions, "maxRetries" | "baseDelayMs" | "maxRetryAfterMs">>;
  /** The 429 lock-out to honour and raise; compose.ts gives one shared by every proxy on PostgreSQL (rate-gate.ts). */
  gate?: RateGate;
}

function styled(prompt: string, stylePreset?: string): string {
  return stylePreset ? `${prompt}, ${stylePreset.replace(/-/g, " ")} style` : prompt;
}

function withAvoid(text: string, negativePrompt?: string): string {
  return negativePrompt?.trim() ? `${text}\n\nAvoid: ${negativePrompt.trim()}` : text;
}

/** Gemini's seed is an int32; our seeds run to 2^32 - 2. */
function int32(seed: number): number {
  return Math.abs(Math.trunc(seed)) % 2_147_483_647;
}

function invalid(message: string, details: Record<string, unknown>): ProviderError {
  return new ProviderError("invalid_request", message, { details, countsAgainstProvider: false });
}

export class GeminiAdapter implements ProviderAdapter {
  readonly id = "gemini";
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly http: ProviderHttpOptions;

  constructor(options: GeminiAdapterOptions) {
    this.apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? "https://generativelanguage.googleapis.com").replace(/\/+$/, "");
    const rateLimit: RateLimitRules = {
      // The wait of a real 429 is in the body (RetryInfo), not necessarily in a Retry-After header.
      waitFromBody: (_status, body) => durationMs(googleError(body, this.apiKey).details.find((d) => d["@type"]?.endsWith("google.rpc.RetryInfo"))?.retryDelay),
      final: (status, body) => {
        const e = googleError(body, this.apiKey);
        if (status !== 429 || !noBilling(e)) return undefined;
        return new ProviderError(
          "provider_unavailable",
          `${NAME} refuses image generation for this key: its Google Cloud project has no billing (quota limit 0). Enable billing for the project of GEMINI_API_KEY; waiting will not help`,
          { countsAgainstProvider: false, details: { providerStatus: 429, reason: "no_billing" } },
        );
      },
      message: (body) => googleError(body, this.apiKey).message,
    };
    this.http = { provider: NAME, timeoutMs: options.timeoutMs ?? 60_000, ...options.http, rateLimit, gate: options.gate ?? new LocalRateGate() };
  }

  supports(operation: OperationKey): boolean {
    return OPERATIONS.includes(operation);
  }

  checkInput(input: InputCheck): void {
    if (!this.supports(input.operation)) throw invalid(`${NAME} does not do ${input.operation}`, { field: "operation" });
    if (!input.model) throw invalid(`${NAME} needs a model for ${input.operation}`, { field: "model" });
    this.checkPrompt(input.prompt, input.model);
    if (input.image) this.checkImage(input.image, input.model);
  }

  private checkPrompt(prompt: string | undefined, model: Model): void {
    const limit = model.limits.promptChars;
    if (!prompt || prompt.trim() === "") throw invalid(`${NAME} needs a prompt`, { field: "prompt" });
    if (limit !== undefined && prompt.length > limit)
      throw invalid(`The prompt is ${prompt.length} characters; ${model.label} takes at most ${limit}`, { field: "prompt", limit });
  }

  private checkImage(image: { width: number; height: number; bytes: number; contentType: string }, model: Model): void {
    const { inputMinSide, inputMaxBytes } = model.limits;
    const refuse = (code: "unsupported_image" | "payload_too_large", message: string, limit: unknown) =>
      new ProviderError(code, message, { details: { field: "image", limit }, countsAgainstProvider: false });
    if (!INPUT_TYPES.includes(image.contentType as ImageType)) throw refuse("unsupported_image", `${NAME} takes PNG, JPEG or WebP images`, [...INPUT_TYPES]);
    if (inputMinSide !== undefined && Math.min(image.width, image.height) < inputMinSide)
      throw refuse("unsupported_image", `The image is too small for ${model.label}: each side needs at least ${inputMinSide} px`, { minSide: inputMinSide });
    if (inputMaxBytes !== undefined && image.bytes > inputMaxBytes)
      throw refuse("payload_too_large", `The image is over ${model.label}'s ${inputMaxBytes}-byte limit`, inputMaxBytes);
  }

  async create(request: CreateRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    const { model } = request;
    this.checkPrompt(request.prompt, model);
    const ratios = model.limits.aspectRatios;
    const aspectRatio = ratios ? nearestAspectRatio(request.width, request.height, ratios) : undefined;
    const text = withAvoid(styled(request.prompt, request.stylePreset), request.negativePrompt);
    const delivered: ProviderImage[] = [];
    return this.deliver(delivered, signal, async () => {
      // One image per call: the model makes one picture per answer, and each variation gets its own seed.
      for (let i = 0; i < request.count; i++) {
        if (signal.aborted) throw this.abortError(signal);
        const body = {
          contents: [{ role: "user", parts: [{ text }] }],
          generationConfig: {
            ...model.params,
            responseModalities: ["TEXT", "IMAGE"],
            ...(aspectRatio ? { imageConfig: { aspectRatio } } : {}),
            ...(model.limits.seed ? { seed: int32(request.seed + i) } : {}),
          },
        };
        const json = await this.call(model.upstream, body, signal);
        delivered.push(await this.imageFromGenerate(json));
        request.onImage?.(delivered.length);
      }
    });
  }

  async edit(request: EditRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    const { model } = request;
    if (request.kind !== "general" || !model) throw invalid(`${NAME} does not do the ${request.kind} edit`, { field: "kind" });
    this.checkPrompt(request.prompt, model);
    const { image } = request;
    this.checkImage({ width: image.width, height: image.height, bytes: image.bytes.length, contentType: image.contentType }, model);
    const input = await this.fitForInline(image, model);
    if (signal.aborted) throw this.abortError(signal);
    const body = {
      contents: [
        {
          role: "user",
          parts: [{ text: withAvoid(request.prompt!, request.negativePrompt) }, { inlineData: { mimeType: input.contentType, data: input.bytes.toString("base64") } }],
        },
      ],
      // No imageConfig: without it the model keeps the input's proportions, which is what an edit wants.
      generationConfig: { ...model.params, responseModalities: ["TEXT", "IMAGE"], ...(model.limits.seed ? { seed: int32(request.seed) } : {}) },
    };
    const json = await this.call(model.upstream, body, signal);
    return { images: [await this.imageFromGenerate(json)] };
  }

  /**
   * models.list (https://ai.google.dev/api/models#method:-models.list): proves the key, and lists the models
   * the key can call with generateContent. Google's API has no billing query; a key without billing shows
   * only when a job meets "quota limit 0".
   */
  async check(upstreams: readonly string[], signal: AbortSignal): Promise<ProviderCheck> {
    const listed = new Set<string>();
    let pageToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const query = `pageSize=1000${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ""}`;
      const response = await providerFetch(`${this.baseUrl}/v1beta/models?${query}`, { method: "GET", headers: { "x-goog-api-key": this.apiKey } }, { ...this.http, maxRetries: 0 }, signal);
      const text = (await this.read(response, RESPONSE_MAX_BYTES, signal)).toString("utf8");
      if (!response.ok) {
        if (keyRefused(response.status, googleError(text, this.apiKey)))
          return { key: "invalid", detail: `${NAME} refused the key (${response.status})`, listed: Object.fromEntries(upstreams.map((u) => [u, null])) };
        throw this.errorFrom(response.status, text, "");
      }
      const parsed = modelListSchema.safeParse(parseJsonSafe(text));
      if (!parsed.success) throw new ProviderError("provider_error", `${NAME} listed its models in an unexpected shape`);
      for (const m of parsed.data.models ?? [])
        if (m.supportedGenerationMethods?.includes("generateContent")) listed.add(m.name.replace(/^models\//, ""));
      pageToken = parsed.data.nextPageToken;
      if (!pageToken) break;
    }
    return {
      key: "valid",
      detail: `the key lists ${listed.size} models; billing cannot be read through the API (a key without billing fails jobs with "no billing")`,
      listed: Object.fromEntries(upstreams.map((u) => [u, listed.has(u)])),
    };
  }

  /** A failure after at least one image returns what was delivered (the runner charges only those), unless
   * the job was aborted; with nothing delivered the failure is thrown. */
  private async deliver(delivered: ProviderImage[], signal: AbortSignal, run: () => Promise<void>): Promise<ProviderOutcome> {
    try {
      await run();
    } catch (error) {
      if (signal.aborted) throw this.abortError(signal);
      if (delivered.length === 0) throw error;
    }
    return { images: delivered };
  }

  // ---- HTTP ----

  private async call(upstream: string, body: unknown, signal: AbortSignal): Promise<unknown> {
    const url = `${this.baseUrl}/v1beta/models/${encodeURIComponent(upstream)}:generateContent`;
    const response = await providerFetch(
      url,
      { method: "POST", headers: { "content-type": "application/json", "x-goog-api-key": this.apiKey }, body: JSON.stringify(body) },
      this.http,
      signal,
    );
    if (!response.ok) {
      let text = "";
      try {
        text = (await this.read(response, ERROR_BODY_MAX_BYTES, signal)).toString("utf8");
      } catch (error) {
        if (signal.aborted) throw error;
        // An unreadable error body still has a status worth mapping.
      }
      throw this.errorFrom(response.status, text, upstream);
    }
    const raw = await this.read(response, RESPONSE_MAX_BYTES, signal);
    const json = parseJsonSafe(raw);
    if (json === undefined) throw new ProviderError("provider_error", `${NAME} sent an answer that is not JSON`);
    return json;
  }

  /** readBody, with a stalled or aborted body turned into the right error. */
  private async read(response: Response, limit: number, signal: AbortSignal): Promise<Buffer> {
    try {
      return await readBody(response, limit, NAME);
    } catch (error) {
      if (signal.aborted) throw this.abortError(signal);
      if (error instanceof ProviderError) throw error;
      throw new ProviderError("provider_error", `${NAME}'s answer was cut off`, { cause: error });
    }
  }

  private errorFrom(status: number, text: string, upstream: string): ProviderError {
    const e = googleError(text, this.apiKey);
    if (keyRefused(status, e))
      return new ProviderError("provider_unavailable", `${NAME} refused the proxy's key`, { details: { providerStatus: status } });
    // Retired or unknown model: "models/x is not found for API version v1beta, or is not supported for
    // generateContent" (https://ai.google.dev/gemini-api/docs/troubleshooting, 404 NOT_FOUND).
    if (status === 404) return modelGone(NAME, upstream, status, e.message);
    // Billing not enabled, or the proxy's region is not served: the provider is unusable, not the request.
    if (status === 400 && e.status === "FAILED_PRECONDITION")
      return new ProviderError("provider_unavailable", `${NAME} cannot serve the proxy${e.message ? `: ${e.message.slice(0, 300)}` : ""}`, {
        details: { providerStatus: status },
      });
    return errorForStatus(status, NAME, e.message);
  }

  private abortError(signal: AbortSignal): Error {
    return signal.reason instanceof Error ? signal.reason : new ProviderError("provider_error", "The job was stopped");
  }

  // ---- images ----

  private async imageFromGenerate(json: unknown): Promise<ProviderImage> {
    const parsed = generateResponseSchema.safeParse(json);
    if (!parsed.success) throw new ProviderError("provider_error", `${NAME} sent an answer in an unexpected shape`);
    const { candidates, promptFeedback } = parsed.data;
    if (promptFeedback?.blockReason)
      throw new ProviderError("content_rejected", `${NAME} blocked the prompt (${promptFeedback.blockReason})`, {
        countsAgainstProvider: false,
        details: { blockReason: promptFeedback.blockReason },
      });
    const candidate = candidates?.[0];
    const image = candidate?.content?.parts
      ?.filter((p) => !p.thought)
      .map((p) => p.inlineData ?? p.inline_data)
      .find((d) => d !== undefined && (d.mimeType ?? d.mime_type ?? "image/").startsWith("image/"));
    if (image) return describeImage(Buffer.from(image.data, "base64"), NAME);
    const reason = candidate?.finishReason;
    if (reason && SAFETY_REASONS.has(reason))
      throw new ProviderError("content_rejected", `${NAME} declined to make this image (${reason})`, {
        countsAgainstProvider: false,
        details: { finishReason: reason },
      });
    // The model answered but chose not to draw (NO_IMAGE, text only): a failure, yet no sign of an outage.
    // An empty answer with no reason is the provider misbehaving, and counts against it.
    throw new ProviderError("provider_error", `${NAME} returned no image${reason ? ` (${reason})` : ""}`, {
      countsAgainstProvider: reason === undefined ? undefined : false,
      details: reason ? { finishReason: reason } : {},
    });
  }

  /** Downscales an edit input to the model's working size, then until its inline form is under the request limit. */
  private async fitForInline(image: InputImage, model: Model): Promise<ProviderImage> {
    const { inputMaxSide, inputMaxPixels } = model.limits;
    let fitted = await fitWithin(image, { ...(inputMaxSide ? { maxSide: inputMaxSide } : {}), ...(inputMaxPixels ? { maxPixels: inputMaxPixels } : {}) });
    // Pixels bound the size of a re-encoded PNG only loosely (noise, 16-bit, metadata): shrink until it fits.
    for (let i = 0; fitted.bytes.length > INLINE_IMAGE_BYTES && i < 4; i++) {
      const pixels = fitted.width * fitted.height;
      fitted = await fitWithin(fitted, { maxPixels: Math.floor(pixels * (INLINE_IMAGE_BYTES / fitted.bytes.length) * 0.9) });
    }
    if (fitted.bytes.length > INLINE_IMAGE_BYTES)
      throw new ProviderError("payload_too_large", `The image could not be made small enough for ${NAME}`, {
        details: { field: "image", limit: INLINE_IMAGE_BYTES },
        countsAgainstProvider: false,
      });
    return fitted;
  }
}
