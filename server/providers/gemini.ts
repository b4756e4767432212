// Google Gemini API adapter (providers.md): Imagen 4 through `:predict` and gemini-2.5-flash-image through
// `:generateContent`, for create and for instruction ("general") edits. Both are synchronous and answer with
// base64 images inside JSON. Google's own SDK dropped the Imagen call on the Gemini API in 2026, so it is
// treated as at risk: its failures map to the same codes as everything else and never crash the batch logic.
import { z } from "zod";
import { describeImage, fitWithin, nearestAspectRatio } from "./image-io.ts";
import { errorForStatus, providerFetch, readBody, redactSecret, type ProviderHttpOptions } from "./provider-http.ts";
import {
  ProviderError,
  type CreateRequest,
  type EditRequest,
  type ImageType,
  type InputCheck,
  type InputImage,
  type ProviderAdapter,
  type ProviderImage,
  type ProviderOutcome,
} from "./types.ts";
import type { OperationKey } from "../../core/catalog/schema.ts";

const NAME = "Gemini";

/** Catalog model id → Gemini model and method. */
const MODELS = {
  "imagen-4-fast": { upstream: "imagen-4.0-fast-generate-001", kind: "imagen" },
  "imagen-4": { upstream: "imagen-4.0-generate-001", kind: "imagen" },
  "gemini-2.5-flash-image": { upstream: "gemini-2.5-flash-image", kind: "flash" },
} as const;
type CatalogModel = keyof typeof MODELS;
const FLASH_MODEL: CatalogModel = "gemini-2.5-flash-image";

export const IMAGEN_ASPECT_RATIOS = ["1:1", "3:4", "4:3", "9:16", "16:9"] as const;
export const FLASH_ASPECT_RATIOS = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"] as const;

/**
 * Limits this adapter enforces. Google documents a 480-token prompt for Imagen, a 32k-token input for
 * gemini-2.5-flash-image and a 20 MB inline request; the character figures below are chosen to stay
 * safely inside those (about 3 characters per token is a pessimistic English average).
 */
export const GEMINI_LIMITS = {
  /** Imagen: 480 tokens × ~3 chars, rounded down. */
  imagenPromptChars: 1_400,
  /** Flash: far below 32k tokens, leaving room for the input image's tokens. */
  flashPromptChars: 10_000,
  /** Imagen returns at most 4 images per call. */
  imagenBatch: 4,
  /** Edit inputs are downscaled to this before sending; the model works near 1 MP, so no detail is lost. */
  editMaxSide: 2048,
  editMaxPixels: 4 * 1024 * 1024,
  /** Raw bytes of the inline image: base64 adds a third, so 12 MiB stays well under the 20 MB request. */
  inlineImageBytes: 12 * 1024 * 1024,
  /** Inputs we refuse outright instead of downscaling: not worth decoding for a 1 MP model. */
  inputMaxBytes: 32 * 1024 * 1024,
  inputMaxPixels: 50_000_000,
  inputMinSide: 16,
  inputTypes: ["image/png", "image/jpeg", "image/webp"] as readonly ImageType[],
} as const;

/** Four 1 MP PNGs in base64 fit easily; anything larger is a misbehaving provider, not an image. */
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

const predictResponseSchema = z.object({
  predictions: z
    .array(z.object({ bytesBase64Encoded: z.string().optional(), mimeType: z.string().optional(), raiFilteredReason: z.string().optional() }))
    .optional(),
});

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

const errorDetailSchema = z.object({ "@type": z.string().optional(), reason: z.string().optional(), retryDelay: z.string().optional() });
const errorBodySchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.unknown()).optional(),
  }),
});

export interface GeminiAdapterOptions {
  apiKey: string;
  /** Default https://generativelanguage.googleapis.com */
  baseUrl?: string;
  /** Per HTTP call; default 60 s. */
  timeoutMs?: number;
  http?: Partial<Pick<ProviderHttpOptions, "maxRetries" | "baseDelayMs" | "maxRetryAfterMs">>;
}

const nearestRatio = nearestAspectRatio;

/** Protobuf Duration JSON ("7s", "1.5s") → ms. */
function durationMs(value: string | undefined): number | undefined {
  const match = value?.trim().match(/^(\d+(?:\.\d+)?)s$/);
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

function styled(prompt: string, stylePreset?: string): string {
  return stylePreset ? `${prompt}, ${stylePreset.replace(/-/g, " ")} style` : prompt;
}

function invalid(message: string, details: Record<string, unknown>): ProviderError {
  return new ProviderError("invalid_request", message, { details, countsAgainstProvider: false });
}

function isCatalogModel(model: string): model is CatalogModel {
  return Object.hasOwn(MODELS, model);
}

export class GeminiAdapter implements ProviderAdapter {
  readonly id = "gemini";
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly http: ProviderHttpOptions;

  constructor(options: GeminiAdapterOptions) {
    this.apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? "https://generativelanguage.googleapis.com").replace(/\/+$/, "");
    this.http = { provider: NAME, timeoutMs: options.timeoutMs ?? 60_000, ...options.http };
  }

  supports(operation: OperationKey, model?: string): boolean {
    if (operation === "create") return model === undefined || isCatalogModel(model);
    if (operation === "edit.general") return model === undefined || model === FLASH_MODEL;
    return false;
  }

  /**
   * `model` is optional on InputCheck: without it a create prompt is held to Imagen's (shorter) limit,
   * since Imagen is where "auto" routing sends creates.
   */
  checkInput(input: InputCheck & { model?: string }): void {
    if (!this.supports(input.operation, input.model))
      throw invalid(`${NAME} does not do ${input.operation}${input.model ? ` with ${input.model}` : ""}`, { field: "operation" });
    const flash = input.operation === "edit.general" || input.model === FLASH_MODEL;
    this.checkPrompt(input.prompt, flash ? GEMINI_LIMITS.flashPromptChars : GEMINI_LIMITS.imagenPromptChars);
    if (input.image) this.checkImage(input.image);
  }

  private checkPrompt(prompt: string | undefined, limit: number): void {
    if (!prompt || prompt.trim() === "") throw invalid(`${NAME} needs a prompt`, { field: "prompt" });
    if (prompt.length > limit)
      throw invalid(`The prompt is ${prompt.length} characters; ${NAME} takes at most ${limit} here`, { field: "prompt", limit });
  }

  private checkImage(image: { width: number; height: number; bytes: number; contentType: string }): void {
    const L = GEMINI_LIMITS;
    if (!L.inputTypes.includes(image.contentType as ImageType))
      throw new ProviderError("unsupported_image", `${NAME} takes PNG, JPEG or WebP images`, {
        details: { field: "image", limit: [...L.inputTypes] },
        countsAgainstProvider: false,
      });
    if (Math.min(image.width, image.height) < L.inputMinSide)
      throw new ProviderError("unsupported_image", `The image is too small for ${NAME}: each side needs at least ${L.inputMinSide} px`, {
        details: { field: "image", limit: { minSide: L.inputMinSide } },
        countsAgainstProvider: false,
      });
    if (image.width * image.height > L.inputMaxPixels)
      throw new ProviderError("unsupported_image", `The image is too large for ${NAME}: at most ${L.inputMaxPixels} pixels`, {
        details: { field: "image", limit: { maxPixels: L.inputMaxPixels } },
        countsAgainstProvider: false,
      });
    if (image.bytes > L.inputMaxBytes)
      throw new ProviderError("payload_too_large", `The image is over ${NAME}'s ${L.inputMaxBytes}-byte limit`, {
        details: { field: "image", limit: L.inputMaxBytes },
        countsAgainstProvider: false,
      });
  }

  async create(request: CreateRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    if (!isCatalogModel(request.model)) throw invalid(`${NAME} has no model ${request.model}`, { field: "model" });
    const model = MODELS[request.model];
    if (model.kind === "imagen") {
      this.checkPrompt(request.prompt, GEMINI_LIMITS.imagenPromptChars);
      return this.createImagen(model.upstream, request, signal);
    }
    this.checkPrompt(request.prompt, GEMINI_LIMITS.flashPromptChars);
    return this.createFlash(model.upstream, request, signal);
  }

  async edit(request: EditRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    if (request.kind !== "general" || !this.supports("edit.general", request.model))
      throw invalid(`${NAME} does not do the ${request.kind} edit${request.model ? ` with ${request.model}` : ""}`, { field: "kind" });
    this.checkPrompt(request.prompt, GEMINI_LIMITS.flashPromptChars);
    const { image } = request;
    this.checkImage({ width: image.width, height: image.height, bytes: image.bytes.length, contentType: image.contentType });
    const input = await this.fitForInline(image);
    if (signal.aborted) throw this.abortError(signal);
    const body = {
      contents: [
        {
          role: "user",
          parts: [{ text: withAvoid(request.prompt!, request.negativePrompt) }, { inlineData: { mimeType: input.contentType, data: input.bytes.toString("base64") } }],
        },
      ],
      // No imageConfig: without it the model keeps the input's proportions, which is what an edit wants.
      generationConfig: { responseModalities: ["TEXT", "IMAGE"], seed: int32(request.seed) },
    };
    const json = await this.call(MODELS[FLASH_MODEL].upstream, "generateContent", body, signal);
    return { images: [await this.imageFromGenerate(json)] };
  }

  // ---- create paths ----

  private async createImagen(upstream: string, request: CreateRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    const aspectRatio = nearestRatio(request.width, request.height, IMAGEN_ASPECT_RATIOS);
    // Imagen on the Gemini API has no seed or negative prompt; the style is folded into the prompt.
    const prompt = styled(request.prompt, request.stylePreset);
    const delivered: ProviderImage[] = [];
    return this.deliver(delivered, signal, async () => {
      let requested = 0;
      while (requested < request.count) {
        if (signal.aborted) throw this.abortError(signal);
        const sampleCount = Math.min(GEMINI_LIMITS.imagenBatch, request.count - requested);
        requested += sampleCount;
        const json = await this.call(upstream, "predict", { instances: [{ prompt }], parameters: { sampleCount, aspectRatio } }, signal);
        const parsed = predictResponseSchema.safeParse(json);
        if (!parsed.success) throw new ProviderError("provider_error", `${NAME} sent an answer in an unexpected shape`);
        // Filtered images are simply missing: fewer than asked is a partial delivery, none is moderation.
        const encoded = (parsed.data.predictions ?? []).flatMap((p) => (p.bytesBase64Encoded ? [p.bytesBase64Encoded] : []));
        if (encoded.length === 0)
          throw new ProviderError("content_rejected", `${NAME} declined to make this image (safety filters)`, { countsAgainstProvider: false });
        let broken: unknown;
        for (const data of encoded) {
          try {
            delivered.push(await describeImage(Buffer.from(data, "base64"), NAME));
            request.onImage?.(delivered.length);
          } catch (error) {
            broken ??= error; // keep the good images of this chunk; stop the batch after it
          }
        }
        if (broken !== undefined) throw broken;
      }
    });
  }

  private async createFlash(upstream: string, request: CreateRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    const aspectRatio = nearestRatio(request.width, request.height, FLASH_ASPECT_RATIOS);
    const text = withAvoid(styled(request.prompt, request.stylePreset), request.negativePrompt);
    const delivered: ProviderImage[] = [];
    return this.deliver(delivered, signal, async () => {
      // One image per call: the model makes one picture per answer, and each variation gets its own seed.
      for (let i = 0; i < request.count; i++) {
        if (signal.aborted) throw this.abortError(signal);
        const body = {
          contents: [{ role: "user", parts: [{ text }] }],
          generationConfig: { responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio }, seed: int32(request.seed + i) },
        };
        const json = await this.call(upstream, "generateContent", body, signal);
        delivered.push(await this.imageFromGenerate(json));
        request.onImage?.(delivered.length);
      }
    });
  }

  /**
   * Runs a batch: a failure after at least one image returns what was delivered (the runner charges only
   * those), unless the job was aborted; with nothing delivered the failure is thrown.
   */
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

  private async call(upstream: string, method: "predict" | "generateContent", body: unknown, signal: AbortSignal): Promise<unknown> {
    const url = `${this.baseUrl}/v1beta/models/${upstream}:${method}`;
    const response = await providerFetch(
      url,
      { method: "POST", headers: { "content-type": "application/json", "x-goog-api-key": this.apiKey }, body: JSON.stringify(body) },
      this.http,
      signal,
    );
    if (!response.ok) throw await this.errorFrom(response, signal);
    const raw = await this.read(response, RESPONSE_MAX_BYTES, signal);
    try {
      return JSON.parse(raw.toString("utf8"));
    } catch (cause) {
      throw new ProviderError("provider_error", `${NAME} sent an answer that is not JSON`, { cause });
    }
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

  private async errorFrom(response: Response, signal: AbortSignal): Promise<ProviderError> {
    const status = response.status;
    let text = "";
    try {
      text = (await this.read(response, ERROR_BODY_MAX_BYTES, signal)).toString("utf8");
    } catch (error) {
      if (signal.aborted) throw error;
      // An unreadable error body still has a status worth mapping.
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = errorBodySchema.safeParse(json);
    const error = parsed.success ? parsed.data.error : undefined;
    const message = this.redact(error?.message ?? "");
    const details = (error?.details ?? []).flatMap((d) => {
      const detail = errorDetailSchema.safeParse(d);
      return detail.success ? [detail.data] : [];
    });
    if (details.some((d) => d.reason === "API_KEY_INVALID") || (status === 400 && /api key not valid/i.test(message)))
      return new ProviderError("provider_unavailable", `${NAME} refused the proxy's key`, { details: { providerStatus: status } });
    if (status === 429) {
      const retryAfter = durationMs(details.find((d) => d["@type"]?.endsWith("google.rpc.RetryInfo") || d.retryDelay)?.retryDelay);
      return errorForStatus(429, NAME, message, retryAfter);
    }
    if (status === 503) return errorForStatus(503, NAME, message);
    // Billing not enabled, or the proxy's region is not served: the provider is unusable, not the request.
    if (status === 400 && error?.status === "FAILED_PRECONDITION")
      return new ProviderError("provider_unavailable", `${NAME} cannot serve the proxy${message ? `: ${message.slice(0, 300)}` : ""}`, {
        details: { providerStatus: status },
      });
    // The model is gone (Imagen on this API is at risk): unusable, but no sign that Gemini itself is down,
    // so it must not open the circuit for the models that still work.
    if (status === 404)
      return new ProviderError("provider_unavailable", `${NAME} no longer offers this model`, {
        details: { providerStatus: status },
        countsAgainstProvider: false,
      });
    return errorForStatus(status, NAME, message);
  }

  /** Google's messages never echo the key today; this keeps it that way if they ever do. */
  private redact(message: string): string {
    return redactSecret(message, this.apiKey);
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

  /** Downscales an edit input until its inline form is safely under the request limit. */
  private async fitForInline(image: InputImage): Promise<ProviderImage> {
    const L = GEMINI_LIMITS;
    let fitted = await fitWithin(image, { maxSide: L.editMaxSide, maxPixels: L.editMaxPixels });
    // Pixels bound the size of a re-encoded PNG only loosely (noise, 16-bit, metadata): shrink until it fits.
    for (let i = 0; fitted.bytes.length > L.inlineImageBytes && i < 4; i++) {
      const pixels = fitted.width * fitted.height;
      fitted = await fitWithin(fitted, { maxPixels: Math.floor(pixels * (L.inlineImageBytes / fitted.bytes.length) * 0.9) });
    }
    if (fitted.bytes.length > L.inlineImageBytes)
      throw new ProviderError("payload_too_large", `The image could not be made small enough for ${NAME}`, {
        details: { field: "image", limit: L.inlineImageBytes },
        countsAgainstProvider: false,
      });
    return fitted;
  }
}

function withAvoid(text: string, negativePrompt?: string): string {
  return negativePrompt?.trim() ? `${text}\n\nAvoid: ${negativePrompt.trim()}` : text;
}

/** Gemini's seed is an int32; our seeds run to 2^32 - 2. */
function int32(seed: number): number {
  return Math.abs(Math.trunc(seed)) % 2_147_483_647;
}

