// Hugging Face Inference (providers.md): one synchronous call per image, answered with raw image bytes. The
// model repos are configurable because their availability on the hf-inference provider is unconfirmed.
import { z } from "zod";
import type { OperationKey } from "../../core/catalog/schema.ts";
import { describeImage } from "./image-io.ts";
import { errorForStatus, parseJsonSafe, providerFetch, readBody, retryAfterMs, type ProviderHttpOptions } from "./provider-http.ts";
import { ProviderError, type CreateRequest, type InputCheck, type ProviderAdapter, type ProviderImage, type ProviderOutcome } from "./types.ts";

const NAME = "Hugging Face";

type HfModel = "flux-schnell" | "flux-dev";
const DEFAULT_REPOS: Record<HfModel, string> = {
  "flux-schnell": "black-forest-labs/FLUX.1-schnell",
  "flux-dev": "black-forest-labs/FLUX.1-dev",
};
/** schnell is distilled for 1..4 steps (more only costs time); dev keeps the provider's default (~28). */
const STEPS: Record<HfModel, number | undefined> = { "flux-schnell": 4, "flux-dev": undefined };

/**
 * FLUX sizes: its latents are 8x downsampled and packed in 2x2 patches, so each side must be a multiple of
 * 16 (other sizes are silently resized by the pipeline). Sides stay within 256..1536: FLUX is trained around
 * 1 MP and degrades below 256 px, and 1536 already covers the catalog's widest ratio (1536 x 640).
 */
export const HF_SIZE = { multiple: 16, minSide: 256, maxSide: 1536 } as const;
/** No documented cap; FLUX's text encoder reads ~512 tokens (fewer for schnell), so longer prompts only get cut. */
export const HF_MAX_PROMPT_CHARS = 2000;
/** One ~1 MP image is a few MB at most; beyond this it is not an answer we want. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

const errorBodySchema = z.looseObject({
  error: z.union([z.string(), z.looseObject({ message: z.string() })]).optional(),
  estimated_time: z.number().optional(),
});

export interface HuggingFaceOptions {
  token: string;
  /** Default https://router.huggingface.co */
  baseUrl?: string;
  /** Per image (default 120 s: FLUX.1-dev on shared hardware is slow). */
  timeoutMs?: number;
  /** Model repos for the catalog's models. */
  models?: Partial<Record<HfModel, string>>;
  http?: Partial<Pick<ProviderHttpOptions, "maxRetries" | "baseDelayMs" | "maxRetryAfterMs">>;
}

export class HuggingFaceAdapter implements ProviderAdapter {
  readonly id = "huggingface";
  private readonly token: string;
  private readonly baseUrl: string;
  private readonly repos: Record<HfModel, string>;
  private readonly http: ProviderHttpOptions;

  constructor(options: HuggingFaceOptions) {
    this.token = options.token;
    this.baseUrl = (options.baseUrl ?? "https://router.huggingface.co").replace(/\/+$/, "");
    this.repos = { ...DEFAULT_REPOS, ...options.models };
    this.http = { provider: NAME, timeoutMs: options.timeoutMs ?? 120_000, ...options.http };
  }

  supports(operation: OperationKey, model?: string): boolean {
    return operation === "create" && (model === undefined || Object.hasOwn(DEFAULT_REPOS, model));
  }

  checkInput(input: InputCheck): void {
    if (input.operation === "create") checkPrompt(input.prompt);
  }

  async create(request: CreateRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    if (!this.supports("create", request.model))
      throw new ProviderError("invalid_request", `${NAME} has no model "${request.model}"`, { countsAgainstProvider: false });
    checkPrompt(request.prompt);
    const model = request.model as HfModel;
    const size = fluxSize(request.width, request.height);
    const images: ProviderImage[] = [];
    for (let i = 0; i < request.count; i++) {
      const parameters = {
        ...size,
        seed: request.seed + i,
        ...(request.negativePrompt ? { negative_prompt: request.negativePrompt } : {}),
        ...(STEPS[model] === undefined ? {} : { num_inference_steps: STEPS[model] }),
      };
      try {
        images.push(await this.generate(this.repos[model], { inputs: request.prompt, parameters }, signal));
      } catch (error) {
        // Images already made are real and paid for upstream: deliver them (the runner charges only those).
        if (images.length === 0 || signal.aborted) throw error;
        break;
      }
      request.onImage?.(images.length);
    }
    return { images };
  }

  private async generate(repo: string, body: object, signal: AbortSignal): Promise<ProviderImage> {
    const path = repo.split("/").map(encodeURIComponent).join("/");
    // Each call is one image; 429/503 mean nothing was made, so providerFetch's retries cannot charge twice.
    const response = await providerFetch(
      `${this.baseUrl}/hf-inference/models/${path}`,
      { method: "POST", headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" }, body: JSON.stringify(body) },
      this.http,
      signal,
    );
    const raw = await readBody(response, MAX_RESPONSE_BYTES, NAME);
    if (!response.ok) throw this.failure(response.status, this.errorBody(raw), retryAfterMs(response.headers.get("retry-after")));
    // A JSON answer on 200 is an error report, never an image.
    if ((response.headers.get("content-type") ?? "").includes("json"))
      throw new ProviderError("provider_error", `${NAME} answered without an image${said(this.errorBody(raw).message)}`);
    return describeImage(raw, NAME);
  }

  private failure(status: number, body: { message: string; estimatedTime?: number }, retryAfter?: number): ProviderError {
    const { message, estimatedTime } = body;
    const details = { providerStatus: status };
    if (status === 401 || status === 403) return new ProviderError("provider_unavailable", `${NAME} refused the proxy's token${said(message)}`, { details });
    if (status === 402) return new ProviderError("provider_unavailable", `${NAME} account has used its included credits${said(message)}`, { details });
    if (status === 503 && estimatedTime !== undefined)
      return new ProviderError("provider_unavailable", `${NAME} is still loading the model (about ${Math.ceil(estimatedTime)} s)`, {
        retryable: true,
        retryAfterMs: Math.ceil(estimatedTime * 1000),
        details,
      });
    return errorForStatus(status, NAME, message, retryAfter);
  }

  /** The provider's own words from an error body (`{ error: "..." }` or `{ error: { message } }`), token scrubbed in case it was echoed. */
  private errorBody(raw: Buffer): { message: string; estimatedTime?: number } {
    const parsed = errorBodySchema.safeParse(parseJson(raw));
    if (!parsed.success) return { message: "" };
    const { error, estimated_time } = parsed.data;
    const text = typeof error === "string" ? error : (error?.message ?? "");
    return { message: this.token ? text.split(this.token).join("[redacted]") : text, estimatedTime: estimated_time };
  }
}

function said(message: string): string {
  return message ? `: ${message.slice(0, 300)}` : "";
}

function checkPrompt(prompt: string | undefined): void {
  if (!prompt?.trim())
    throw new ProviderError("invalid_request", "A prompt is required", { countsAgainstProvider: false, details: { fields: { prompt: "must not be empty" } } });
  if (prompt.length > HF_MAX_PROMPT_CHARS)
    throw new ProviderError("invalid_request", `${NAME} takes prompts of at most ${HF_MAX_PROMPT_CHARS} characters`, {
      countsAgainstProvider: false,
      details: { fields: { prompt: "too long" }, limit: HF_MAX_PROMPT_CHARS },
    });
}

/** The requested size scaled into HF_SIZE's bounds (aspect kept), each side rounded to a multiple of 16. */
export function fluxSize(width: number, height: number): { width: number; height: number } {
  const { multiple, minSide, maxSide } = HF_SIZE;
  let scale = 1;
  if (Math.max(width, height) > maxSide) scale = maxSide / Math.max(width, height);
  else if (Math.min(width, height) < minSide) scale = minSide / Math.min(width, height);
  const side = (n: number) => Math.min(maxSide, Math.max(minSide, Math.round((n * scale) / multiple) * multiple));
  return { width: side(width), height: side(height) };
}

const parseJson = parseJsonSafe;
