// WaveSpeed (providers.md): every model is submit-and-poll. A submission answers a prediction id at once; the
// job runner stores it and calls poll() at our pace, so a restarted proxy resumes instead of paying twice.
// Outputs are asked for as base64 (`enable_base64_output`) so the proxy never fetches remote URLs.
import { z } from "zod";
import type { OperationKey } from "../../core/catalog/schema.ts";
import { describeImage, fitWithin, nearestAspectRatio } from "./image-io.ts";
import { errorForStatus, parseJsonSafe, providerFetch, ProviderTimeout, readBody, redactSecret, retryAfterMs, type ProviderHttpOptions } from "./provider-http.ts";
import {
  ProviderError,
  type CreateRequest,
  type EditRequest,
  type InputCheck,
  type PollResult,
  type ProviderAdapter,
  type ProviderImage,
  type ProviderOutcome,
  type ProviderTask,
} from "./types.ts";

const NAME = "WaveSpeed";

/** Catalog model id → WaveSpeed model path. */
const CREATE_MODELS = {
  "qwen-image": "wavespeed-ai/qwen-image/text-to-image",
  "ideogram-v3-turbo": "ideogram-ai/ideogram-v3-turbo",
  "ideogram-v3-balanced": "ideogram-ai/ideogram-v3-balanced",
  "ideogram-v3-quality": "ideogram-ai/ideogram-v3-quality",
} as const;
type CreateModel = keyof typeof CREATE_MODELS;
const EDIT_MODEL = "wavespeed-ai/qwen-image/edit";

/** qwen-image's documented `size` range, per side. */
export const QWEN_MIN_SIDE = 256;
export const QWEN_MAX_SIDE = 1536;
/** The only aspect ratios Ideogram V3 takes on WaveSpeed. */
const IDEOGRAM_RATIOS = ["1:1", "16:9", "9:16", "4:3", "3:4"] as const;
/** Ideogram's documented styles; other presets are left to the model ("Auto"). */
const IDEOGRAM_STYLES = ["Auto", "General", "Realistic", "Design"] as const;

/**
 * Input limits. WaveSpeed documents none for prompts or edit images, so these are conservative: the prompt
 * cap is well under what either model family reads, edit inputs are fitted into qwen-image's own size range
 * (downscaled at call time, never refused for being large), and inputs below its minimum side are refused
 * rather than upscaled (an upscale would not be faithful).
 */
export const WAVESPEED_LIMITS = {
  maxPromptChars: 2000,
  editMinSide: QWEN_MIN_SIDE,
  editMaxSide: QWEN_MAX_SIDE,
  /** Bytes of an edit input we agree to re-encode; beyond that the upload is refused, not decoded. */
  editMaxBytes: 20 * 1024 * 1024,
  editTypes: ["image/png", "image/jpeg", "image/webp"],
} as const;

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

export interface WaveSpeedOptions {
  apiKey: string;
  /** Default https://api.wavespeed.ai */
  baseUrl?: string;
  /** Per HTTP call (default 60 s). */
  timeoutMs?: number;
  /** The pace the runner polls at (default 1 s). */
  pollAfterMs?: number;
  http?: Partial<Pick<ProviderHttpOptions, "maxRetries" | "baseDelayMs" | "maxRetryAfterMs">>;
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
    this.pollAfterMs = options.pollAfterMs ?? 1000;
    this.http = { provider: NAME, timeoutMs: options.timeoutMs ?? 60_000, ...options.http };
  }

  supports(operation: OperationKey, model?: string): boolean {
    if (operation === "create") return model === undefined || Object.hasOwn(CREATE_MODELS, model);
    // The catalog routes general edits by provider only; qwen-image/edit is the one model doing them here.
    return operation === "edit.general" && model === undefined;
  }

  checkInput(input: InputCheck): void {
    if (input.operation !== "create" && input.operation !== "edit.general") return;
    checkPrompt(input.prompt);
    if (input.operation !== "edit.general" || !input.image) return;
    const { width, height, bytes, contentType } = input.image;
    if (!(WAVESPEED_LIMITS.editTypes as readonly string[]).includes(contentType))
      throw new ProviderError("unsupported_image", `${NAME} edits PNG, JPEG or WebP images`, {
        countsAgainstProvider: false,
        details: { limit: WAVESPEED_LIMITS.editTypes },
      });
    if (bytes > WAVESPEED_LIMITS.editMaxBytes)
      throw new ProviderError("payload_too_large", `The image is over the ${WAVESPEED_LIMITS.editMaxBytes / 1024 / 1024} MiB ${NAME} accepts`, {
        countsAgainstProvider: false,
        details: { limit: WAVESPEED_LIMITS.editMaxBytes },
      });
    if (Math.min(width, height) < WAVESPEED_LIMITS.editMinSide)
      throw new ProviderError("unsupported_image", `${NAME} edits images at least ${WAVESPEED_LIMITS.editMinSide} px on each side`, {
        countsAgainstProvider: false,
        details: { limit: { minSide: WAVESPEED_LIMITS.editMinSide } },
      });
  }

  async create(request: CreateRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    if (!Object.hasOwn(CREATE_MODELS, request.model))
      throw new ProviderError("invalid_request", `${NAME} has no model "${request.model}"`, { countsAgainstProvider: false });
    checkPrompt(request.prompt);
    const model = request.model as CreateModel;
    const tasks: ProviderTask[] = [];
    for (let i = 0; i < request.count; i++) {
      try {
        tasks.push(await this.submit(CREATE_MODELS[model], createBody(model, request, i), signal));
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
    if (request.kind !== "general" || request.model !== undefined)
      throw new ProviderError("invalid_request", `${NAME} does only general edits`, { countsAgainstProvider: false });
    checkPrompt(request.prompt);
    const image = await fitWithin(request.image, { maxSide: WAVESPEED_LIMITS.editMaxSide });
    const body = {
      prompt: request.prompt,
      image: `data:${image.contentType};base64,${image.bytes.toString("base64")}`,
      // Not listed for the edit model, but the qwen-image family takes `seed`; it keeps an edit reproducible.
      seed: request.seed % SEED_RANGE,
      enable_base64_output: true,
    };
    return { tasks: [await this.submit(EDIT_MODEL, body, signal)] };
  }

  async poll(taskId: string, signal: AbortSignal): Promise<PollResult> {
    let response: Response;
    try {
      // A GET creates no work, so providerFetch's retries on 429/503/unreachable cannot charge twice.
      response = await providerFetch(`${this.baseUrl}/api/v3/predictions/${encodeURIComponent(taskId)}/result`, { method: "GET", headers: this.headers() }, this.http, signal);
    } catch (error) {
      // WaveSpeed unreachable or slow for now: the prediction still runs there, so ask again later instead of
      // failing a paid task (the job's own timeout bounds how long).
      if (error instanceof ProviderError && (error.options.retryable || error instanceof ProviderTimeout) && !signal.aborted)
        return { state: "pending", pollAfterMs: this.pollAfterMs };
      throw error;
    }
    if (response.status === 429 || response.status === 503) {
      await response.body?.cancel();
      return { state: "pending", pollAfterMs: Math.max(this.pollAfterMs, retryAfterMs(response.headers.get("retry-after")) ?? 0) };
    }
    const prediction = await this.readPrediction(response);
    switch (prediction.status) {
      case "completed":
        return { state: "done", images: [await decodeOutput(prediction.outputs ?? [])] };
      case "failed":
        throw this.predictionFailure(prediction.error ?? "");
      default:
        // created, processing, or a state WaveSpeed adds later: not finished yet.
        return { state: "pending", pollAfterMs: this.pollAfterMs };
    }
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.apiKey}` };
  }

  private async submit(modelPath: string, body: Record<string, unknown>, signal: AbortSignal): Promise<ProviderTask> {
    // 429/503 on a submission mean nothing was accepted: providerFetch retries those, and nothing else.
    const response = await providerFetch(
      `${this.baseUrl}/api/v3/${modelPath}`,
      { method: "POST", headers: { ...this.headers(), "content-type": "application/json" }, body: JSON.stringify(body) },
      this.http,
      signal,
    );
    const prediction = await this.readPrediction(response);
    if (prediction.status === "failed") throw this.predictionFailure(prediction.error ?? "");
    return { id: prediction.id, pollAfterMs: this.pollAfterMs };
  }

  /** The prediction of a WaveSpeed answer, or the ProviderError its HTTP status or envelope code says. */
  private async readPrediction(response: Response): Promise<z.infer<typeof predictionSchema>> {
    const raw = await readBody(response, MAX_RESPONSE_BYTES, NAME);
    const json = parseJson(raw);
    if (!response.ok) {
      const said = errorBodySchema.safeParse(json);
      const message = said.success ? (said.data.message ?? said.data.error ?? "") : "";
      throw this.failure(response.status, message, retryAfterMs(response.headers.get("retry-after")));
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) throw new ProviderError("provider_error", `${NAME} sent an answer this proxy does not understand`);
    const { code, message, data } = envelope.data;
    // WaveSpeed reports some failures inside an HTTP 200: its own code decides.
    if (code !== 200) throw this.failure(code >= 400 && code < 600 ? code : 502, message ?? "");
    if (!data) throw new ProviderError("provider_error", `${NAME} sent no prediction`);
    return data;
  }

  private failure(status: number, providerMessage: string, retryAfter?: number): ProviderError {
    const message = this.redact(providerMessage);
    if (MODERATION.test(message)) return rejected(message);
    return errorForStatus(status, NAME, message, retryAfter);
  }

  private predictionFailure(providerMessage: string): ProviderError {
    const message = this.redact(providerMessage);
    if (MODERATION.test(message)) return rejected(message);
    return new ProviderError("provider_error", `${NAME} could not make the image${message ? `: ${message.slice(0, 300)}` : ""}`);
  }

  /** Providers sometimes echo what they were sent; the key must never reach a message. */
  private redact(text: string): string {
    return redactSecret(text, this.apiKey);
  }
}

function rejected(message: string): ProviderError {
  return new ProviderError("content_rejected", `${NAME} refused the content: ${message.slice(0, 300)}`, { countsAgainstProvider: false });
}

function checkPrompt(prompt: string | undefined): void {
  if (!prompt?.trim())
    throw new ProviderError("invalid_request", "A prompt is required", { countsAgainstProvider: false, details: { fields: { prompt: "must not be empty" } } });
  if (prompt.length > WAVESPEED_LIMITS.maxPromptChars)
    throw new ProviderError("invalid_request", `${NAME} takes prompts of at most ${WAVESPEED_LIMITS.maxPromptChars} characters`, {
      countsAgainstProvider: false,
      details: { fields: { prompt: "too long" }, limit: WAVESPEED_LIMITS.maxPromptChars },
    });
}

function createBody(model: CreateModel, request: CreateRequest, i: number): Record<string, unknown> {
  if (model === "qwen-image") {
    const { width, height } = qwenSize(request.width, request.height);
    return {
      prompt: request.prompt,
      size: `${width}*${height}`,
      seed: (request.seed + i) % SEED_RANGE,
      output_format: "png",
      enable_base64_output: true,
    };
  }
  // Ideogram on WaveSpeed documents no seed or negative prompt: each variation is its own submission.
  const style = ideogramStyle(request.stylePreset);
  return {
    prompt: request.prompt,
    aspect_ratio: nearestRatio(request.width, request.height),
    ...(style ? { style } : {}),
    enable_base64_output: true,
  };
}

/**
 * The requested size scaled (aspect kept) so each side is within qwen-image's 256..1536; a ratio too extreme
 * to fit both bounds is clamped per side.
 */
export function qwenSize(width: number, height: number): { width: number; height: number } {
  let scale = 1;
  if (Math.max(width, height) > QWEN_MAX_SIDE) scale = QWEN_MAX_SIDE / Math.max(width, height);
  else if (Math.min(width, height) < QWEN_MIN_SIDE) scale = QWEN_MIN_SIDE / Math.min(width, height);
  const side = (n: number) => Math.min(QWEN_MAX_SIDE, Math.max(QWEN_MIN_SIDE, Math.round(n * scale)));
  return { width: side(width), height: side(height) };
}

/** The Ideogram ratio closest to width:height (compared on a log scale, so 2:1 and 1:2 are equally far from 1:1). */
export function nearestRatio(width: number, height: number): (typeof IDEOGRAM_RATIOS)[number] {
  return nearestAspectRatio(width, height, IDEOGRAM_RATIOS);
}

function ideogramStyle(preset: string | undefined): string | undefined {
  if (!preset) return undefined;
  if (preset === "photographic" || preset === "cinematic" || preset === "analog-film") return "Realistic";
  return IDEOGRAM_STYLES.find((s) => s.toLowerCase() === preset.toLowerCase());
}

const parseJson = parseJsonSafe;

/** The first output of a completed prediction (one task = one image), base64 with or without a data: prefix. */
async function decodeOutput(outputs: string[]): Promise<ProviderImage> {
  const first = outputs.find((o) => o.length > 0);
  if (first === undefined) throw new ProviderError("provider_error", `${NAME} finished without an image`);
  // A URL means base64 output was ignored; fetching arbitrary remote URLs from the proxy is not allowed.
  if (/^https?:\/\//i.test(first)) throw new ProviderError("provider_error", `${NAME} returned a link instead of the image`);
  const base64 = first.startsWith("data:") ? first.slice(first.indexOf(",") + 1) : first;
  return describeImage(Buffer.from(base64, "base64"), NAME);
}
