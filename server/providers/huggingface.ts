// Hugging Face Inference, hf-inference provider (docs/providers.md): one synchronous call per image, answered with
// raw image bytes. Which repos it serves is catalog data: hf-inference runs mostly on CPU since mid-2025 and
// drops models (FLUX.1-dev is served only by other providers now), answering "Model not supported by provider
// hf-inference" (400) or 410 Gone; either marks the model gone instead of blaming Hugging Face.
// https://huggingface.co/docs/inference-providers/providers/hf-inference
// https://huggingface.co/docs/inference-providers/tasks/text-to-image
import { z } from "zod";
import type { OperationKey } from "../../core/catalog/schema.ts";
import { describeImage, pixelSize } from "./image-io.ts";
import {
  checkModelPrompt as checkPrompt,
  errorForStatus,
  modelGone,
  parseJsonSafe,
  providerFetch,
  readBody,
  redactSecret,
  upstreamPath as repoPath,
  type ProviderHttpOptions,
} from "./provider-http.ts";
import { LocalRateGate, type RateGate } from "./rate-gate.ts";
import { ProviderError, type CreateRequest, type InputCheck, type ProviderAdapter, type ProviderCheck, type ProviderImage, type ProviderOutcome } from "./types.ts";

const NAME = "Hugging Face";
/** One ~1 MP image is a few MB at most; beyond this it is not an answer we want. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
const SMALL_BODY = 1024 * 1024;
/** hf-inference's own words for a model it does not (or no longer) serve. */
const GONE = /not supported by provider|no longer supported|does not exist|not found|deprecated/i;

const errorBodySchema = z.looseObject({
  error: z.union([z.string(), z.looseObject({ message: z.string() })]).optional(),
  estimated_time: z.number().optional(),
});

// https://huggingface.co/docs/hub/api#get-apiwhoami-v2 (fields as huggingface.js types them: packages/hub/src/lib/who-am-i.ts)
const whoAmISchema = z.looseObject({ type: z.string(), name: z.string().optional(), canPay: z.boolean().optional() });
// https://huggingface.co/docs/inference-providers/hub-api: `inferenceProviderMapping` is an array, or (older)
// a record keyed by provider (huggingface.js getInferenceProviderMapping.ts accepts both).
const mappingEntry = z.looseObject({ provider: z.string().optional(), status: z.string().optional() });
const modelInfoSchema = z.looseObject({
  inferenceProviderMapping: z.union([z.array(mappingEntry), z.record(z.string(), z.looseObject({ status: z.string().optional() }))]).optional(),
});

export interface HuggingFaceOptions {
  token: string;
  /** The inference router; default https://router.huggingface.co */
  baseUrl?: string;
  /** The Hub API (whoami, model info) for `providers check`; default https://huggingface.co */
  hubUrl?: string;
  /** Per image (default 120 s: shared hardware is slow). */
  timeoutMs?: number;
  http?: Partial<Pick<ProviderHttpOptions, "maxRetries" | "baseDelayMs" | "maxRetryAfterMs">>;
  /** The 429 lock-out to honour and raise; compose.ts gives one shared by every proxy on PostgreSQL (rate-gate.ts). */
  gate?: RateGate;
}

export class HuggingFaceAdapter implements ProviderAdapter {
  readonly id = "huggingface";
  private readonly token: string;
  private readonly baseUrl: string;
  private readonly hubUrl: string;
  private readonly http: ProviderHttpOptions;

  constructor(options: HuggingFaceOptions) {
    this.token = options.token;
    this.baseUrl = (options.baseUrl ?? "https://router.huggingface.co").replace(/\/+$/, "");
    this.hubUrl = (options.hubUrl ?? "https://huggingface.co").replace(/\/+$/, "");
    this.http = {
      provider: NAME,
      timeoutMs: options.timeoutMs ?? 120_000,
      ...options.http,
      rateLimit: {
        // A model still loading (legacy 503) says how long in `estimated_time`, seconds.
        waitFromBody: (_status, body) => {
          const parsed = errorBodySchema.safeParse(parseJsonSafe(body));
          const seconds = parsed.success ? parsed.data.estimated_time : undefined;
          return seconds === undefined ? undefined : Math.ceil(seconds * 1000);
        },
        message: (body) => this.errorBody(body).message,
      },
      gate: options.gate ?? new LocalRateGate(),
    };
  }

  supports(operation: OperationKey): boolean {
    return operation === "create";
  }

  checkInput(input: InputCheck): void {
    if (input.operation === "create") checkPrompt(input.prompt, input.model);
  }

  async create(request: CreateRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    const { model } = request;
    checkPrompt(request.prompt, model);
    const size = pixelSize(request.width, request.height, model);
    const images: ProviderImage[] = [];
    for (let i = 0; i < request.count; i++) {
      const parameters = {
        ...model.params,
        ...size,
        ...(model.limits.seed ? { seed: request.seed + i } : {}),
        ...(request.negativePrompt ? { negative_prompt: request.negativePrompt } : {}),
      };
      try {
        images.push(await this.generate(model.upstream, { inputs: request.prompt, parameters }, signal));
      } catch (error) {
        // Images already made are real and paid for upstream: deliver them (the runner charges only those).
        if (images.length === 0 || signal.aborted) throw error;
        break;
      }
      request.onImage?.(images.length);
    }
    return { images };
  }

  /**
   * whoami-v2 proves the token; a user who cannot pay only has the monthly included credits (402 after).
   * Each repo's `inferenceProviderMapping` says whether hf-inference serves it ("live").
   */
  async check(upstreams: readonly string[], signal: AbortSignal): Promise<ProviderCheck> {
    const unknown = Object.fromEntries(upstreams.map((u) => [u, null]));
    const who = await this.hubGet("/api/whoami-v2", signal);
    if (who.status === 401 || who.status === 403) return { key: "invalid", detail: `${NAME} refused the token (${who.status})`, listed: unknown };
    if (who.status !== 200) throw errorForStatus(who.status, NAME, this.errorBody(who.text).message);
    const account = whoAmISchema.safeParse(parseJsonSafe(who.text));
    if (!account.success) throw new ProviderError("provider_error", `${NAME} described the account in an unexpected shape`);
    const listed: Record<string, boolean | null> = {};
    for (const repo of upstreams) {
      const info = await this.hubGet(`/api/models/${repoPath(repo)}?expand[]=inferenceProviderMapping`, signal);
      const parsed = modelInfoSchema.safeParse(parseJsonSafe(info.text));
      if (info.status === 404) listed[repo] = false;
      else if (info.status !== 200 || !parsed.success) listed[repo] = null;
      else {
        const mapping = parsed.data.inferenceProviderMapping;
        const entry = Array.isArray(mapping) ? mapping.find((m) => m.provider === "hf-inference") : mapping?.["hf-inference"];
        listed[repo] = entry !== undefined && (entry.status ?? "live") === "live";
      }
    }
    const who_ = `${account.data.type} ${account.data.name ?? ""}`.trim();
    if (account.data.type === "user" && account.data.canPay === false)
      return { key: "no-billing", detail: `${who_} has no payment method: only the monthly included credits, then 402`, listed };
    return { key: "valid", detail: who_, listed };
  }

  private async hubGet(path: string, signal: AbortSignal): Promise<{ status: number; text: string }> {
    const response = await providerFetch(`${this.hubUrl}${path}`, { method: "GET", headers: { authorization: `Bearer ${this.token}` } }, { ...this.http, maxRetries: 0 }, signal);
    return { status: response.status, text: (await readBody(response, SMALL_BODY, NAME)).toString("utf8") };
  }

  private async generate(repo: string, body: object, signal: AbortSignal): Promise<ProviderImage> {
    // Each call is one image; only failures that prove nothing was made are retried (provider-http.ts).
    const response = await providerFetch(
      `${this.baseUrl}/hf-inference/models/${repoPath(repo)}`,
      { method: "POST", headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" }, body: JSON.stringify(body) },
      this.http,
      signal,
    );
    const raw = await readBody(response, MAX_RESPONSE_BYTES, NAME);
    if (!response.ok) throw this.failure(response.status, this.errorBody(raw.toString("utf8")), repo);
    // A JSON answer on 200 is an error report, never an image.
    if ((response.headers.get("content-type") ?? "").includes("json"))
      throw new ProviderError("provider_error", `${NAME} answered without an image${said(this.errorBody(raw.toString("utf8")).message)}`);
    return describeImage(raw, NAME);
  }

  private failure(status: number, body: { message: string; estimatedTime?: number }, repo: string): ProviderError {
    const { message, estimatedTime } = body;
    const details = { providerStatus: status };
    if (status === 410 || ((status === 400 || status === 404) && GONE.test(message))) return modelGone(NAME, repo, status, message);
    if (status === 401 || status === 403) return new ProviderError("provider_unavailable", `${NAME} refused the proxy's token${said(message)}`, { details });
    if (status === 402) return new ProviderError("provider_unavailable", `${NAME} account has used its included credits${said(message)}`, { details });
    if (status === 503 && estimatedTime !== undefined)
      return new ProviderError("provider_unavailable", `${NAME} is still loading the model (about ${Math.ceil(estimatedTime)} s)`, {
        retryable: true,
        retryAfterMs: Math.ceil(estimatedTime * 1000),
        details,
      });
    return errorForStatus(status, NAME, message);
  }

  /** The provider's own words from an error body (`{ error: "..." }` or `{ error: { message } }`), token scrubbed. */
  private errorBody(text: string): { message: string; estimatedTime?: number } {
    const parsed = errorBodySchema.safeParse(parseJsonSafe(text));
    if (!parsed.success) return { message: "" };
    const { error, estimated_time } = parsed.data;
    const words = typeof error === "string" ? error : (error?.message ?? "");
    return { message: redactSecret(words, this.token), ...(estimated_time === undefined ? {} : { estimatedTime: estimated_time }) };
  }
}

function said(message: string): string {
  return message ? `: ${message.slice(0, 300)}` : "";
}

