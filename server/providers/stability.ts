// Stability AI (v2beta "stable-image"): create, the edit family, and the three upscales. Every call is
// multipart/form-data with `accept: image/*` (one image per request); relight and creative upscale are async
// and answer with a task id that `poll()` resolves at Stability's pace (10 s). Input limits of each path are
// checked here, before anything is held or sent, so a user never meets a surprise 400 from upstream.
// Which create models exist is catalog data: a model's upstream id is its generate service ("ultra",
// "core"), or "sd3/<model>" for the SD 3.5 family, which shares one service and names the model in a field.
// https://platform.stability.ai/docs/api-reference
import { decode } from "../images/decode.ts";
import { z } from "zod";
import type { EditKind, Model, OperationKey, UpscaleMode } from "../../core/catalog/schema.ts";
import { describeImage, fitWithin, nearestAspectRatio } from "./image-io.ts";
import {
  errorForStatus,
  modelGone,
  parseJsonSafe,
  pollLater,
  providerFetch,
  readBody,
  redactSecret,
  retryAfterMs,
  type ProviderHttpOptions,
} from "./provider-http.ts";
import { LocalRateGate, type RateGate } from "./rate-gate.ts";
import {
  ProviderError,
  type CreateRequest,
  type EditRequest,
  type InputCheck,
  type InputImage,
  type ImageFacts,
  type PollResult,
  type ProviderAdapter,
  type ProviderCheck,
  type ProviderErrorCode,
  type ProviderImage,
  type ProviderOutcome,
  type UpscaleRequest,
} from "./types.ts";

const NAME = "Stability AI";
const PROMPT_MAX = 10_000;
const BODY_LIMIT = 10 * 1024 * 1024;
/** Room for the text fields and multipart framing next to the image in checkInput's estimate. */
const FIELD_ROOM = 64 * 1024;
const SEED_MAX = 4_294_967_294;
/** A 4K PNG upscale can be tens of MB; anything far beyond is not an image we want in memory. */
const IMAGE_RESPONSE_LIMIT = 128 * 1024 * 1024;
const SMALL_RESPONSE_LIMIT = 1024 * 1024;
const DEFAULT_UPSCALE_PROMPT = "high quality, detailed";
/** Poll results no faster than every 10 s (docs/providers.md; platform.stability.ai/docs/api-reference#tag/Results). */
export const STABILITY_POLL_MS = 10_000;
/** A 429 (over 150 requests in 10 s) locks the key out for 60 s (platform.stability.ai/docs/getting-started/rate-limits). */
export const STABILITY_LOCKOUT_MS = 60_000;

/** What one Stability path accepts; `downscale`: an image over maxPixels is fitted at call time, not refused. */
interface PathSpec {
  path: string;
  label: string;
  minPixels?: number;
  maxPixels?: number;
  minSide?: number;
  maxSide?: number;
  /** Aspect between 1:2.5 and 2.5:1. */
  aspect?: boolean;
  downscale: boolean;
  /** The path needs a prompt the user must give (no faithful default exists). */
  promptRequired: boolean;
  /** The path takes a prompt at all. */
  takesPrompt: boolean;
  /** A model's own prompt limit, below the API's 10,000 characters. */
  promptMax?: number | undefined;
}

const EDIT_PX = { minPixels: 4_096, maxPixels: 9_437_184 };

const EDITS: Record<Exclude<EditKind, "general">, PathSpec> = {
  "remove-background": { path: "edit/remove-background", label: "background removal", minPixels: 4_096, maxPixels: 4_194_304, downscale: true, promptRequired: false, takesPrompt: false },
  inpaint: { path: "edit/inpaint", label: "inpaint", ...EDIT_PX, downscale: true, promptRequired: true, takesPrompt: true },
  outpaint: { path: "edit/outpaint", label: "outpaint", ...EDIT_PX, aspect: true, downscale: true, promptRequired: false, takesPrompt: true },
  "search-replace": { path: "edit/search-and-replace", label: "search and replace", ...EDIT_PX, aspect: true, downscale: true, promptRequired: true, takesPrompt: true },
  "search-recolor": { path: "edit/search-and-recolor", label: "search and recolor", ...EDIT_PX, aspect: true, downscale: true, promptRequired: true, takesPrompt: true },
  erase: { path: "edit/erase", label: "erase", ...EDIT_PX, downscale: true, promptRequired: false, takesPrompt: false },
  // Subject and both references: each side >= 64 px, 4,096..9,437,184 px, aspect 1:2.5..2.5:1 (docs/providers.md).
  "replace-background-relight": {
    path: "edit/replace-background-and-relight",
    label: "background replace and relight",
    ...EDIT_PX,
    minSide: 64,
    aspect: true,
    downscale: false,
    promptRequired: false,
    takesPrompt: true,
  },
};

// Upscales are never downscaled first: shrinking an image the user asked to enlarge is not faithful.
const UPSCALES: Record<UpscaleMode, PathSpec> = {
  fast: { path: "upscale/fast", label: "fast upscale", minPixels: 1_024, maxPixels: 1_048_576, minSide: 32, maxSide: 1_536, downscale: false, promptRequired: false, takesPrompt: false },
  conservative: { path: "upscale/conservative", label: "conservative upscale", ...EDIT_PX, aspect: true, downscale: false, promptRequired: false, takesPrompt: true },
  creative: { path: "upscale/creative", label: "creative upscale", minPixels: 4_096, maxPixels: 1_048_576, downscale: false, promptRequired: false, takesPrompt: true },
};

const CREATE_SPEC: PathSpec = { path: "generate", label: "image generation", downscale: false, promptRequired: true, takesPrompt: true };

const errorBodySchema = z.object({
  id: z.string().optional(),
  name: z.string().optional(),
  errors: z.array(z.string()).optional(),
});
const taskSchema = z.object({ id: z.string().min(1).max(256) });
const jsonImageSchema = z.object({ image: z.string().min(1), finish_reason: z.string().optional(), seed: z.union([z.number(), z.string()]).optional() });
/** Task ids come back to us from storage; only ever put a plain token in the URL path. */
const TASK_ID = /^[A-Za-z0-9_-]{1,256}$/;

export interface StabilityOptions {
  apiKey: string;
  /** Default https://api.stability.ai (tests point it at the fake). */
  baseUrl?: string;
  /** Per request; default 60 s. */
  timeoutMs?: number;
  /** The pace poll() asks for; default 10 s, the documented minimum (lower only for tests and gateways). */
  pollAfterMs?: number;
  http?: Partial<Pick<ProviderHttpOptions, "maxRetries" | "baseDelayMs" | "maxRetryAfterMs">>;
  /** The 429 lock-out to honour and raise; compose.ts gives one shared by every proxy on PostgreSQL (rate-gate.ts). */
  gate?: RateGate;
}

const n = (value: number) => value.toLocaleString("en-US");

function inputError(code: Extract<ProviderErrorCode, "invalid_request" | "unsupported_image" | "payload_too_large">, message: string, limit: string): ProviderError {
  return new ProviderError(code, message, { countsAgainstProvider: false, details: { limit } });
}

/** seed + i may pass Stability's maximum; wrap into 1..max, because 0 would mean "random" there. */
function providerSeed(seed: number): number {
  const s = Number.isFinite(seed) ? Math.trunc(seed) : 0;
  if (s >= 0 && s <= SEED_MAX) return s;
  return ((((s - 1) % SEED_MAX) + SEED_MAX) % SEED_MAX) + 1;
}

function fileName(type: InputImage["contentType"]): string {
  return type === "image/jpeg" ? "image.jpg" : type === "image/webp" ? "image.webp" : "image.png";
}

function specFor(operation: OperationKey): PathSpec | undefined {
  if (operation === "create") return CREATE_SPEC;
  if (operation.startsWith("edit.")) {
    const kind = operation.slice(5) as EditKind;
    return kind === "general" ? undefined : EDITS[kind];
  }
  if (operation.startsWith("upscale.")) return UPSCALES[operation.slice(8) as UpscaleMode];
  return undefined;
}

function isBlank(text: string | undefined): boolean {
  return text === undefined || text.trim().length === 0;
}

/** Throws when a prompt is missing where required or too long; Stability counts characters, not bytes. */
function checkPrompt(spec: PathSpec, prompt: string | undefined, field = "prompt"): void {
  if (!spec.takesPrompt && field === "prompt") return;
  const max = Math.min(PROMPT_MAX, spec.promptMax ?? PROMPT_MAX);
  if (spec.promptRequired && isBlank(prompt))
    throw inputError("invalid_request", `${NAME} ${spec.label} needs a ${field} of 1 to ${n(max)} characters`, `${field}: 1 to ${n(max)} characters`);
  if (prompt !== undefined && [...prompt].length > max)
    throw inputError("invalid_request", `${NAME} accepts a ${field} of at most ${n(max)} characters`, `${field}: 1 to ${n(max)} characters`);
}

/** Refuses what cannot be fixed at call time: too small, wrong sides or aspect, and too large where not downscaled. */
function checkImage(spec: PathSpec, image: { width: number; height: number }, part = "image"): void {
  const { width, height } = image;
  const pixels = width * height;
  const size = `${n(width)}×${n(height)}`;
  const what = part === "image" ? "this image" : `the ${part} image`;
  if (spec.minSide !== undefined && (Math.min(width, height) < spec.minSide || (spec.maxSide !== undefined && Math.max(width, height) > spec.maxSide))) {
    const limit = spec.maxSide === undefined ? `each side at least ${n(spec.minSide)} px` : `each side ${n(spec.minSide)} to ${n(spec.maxSide)} px`;
    throw inputError("unsupported_image", `${NAME} ${spec.label} needs ${limit}; ${what} is ${size}`, limit);
  }
  if (spec.minPixels !== undefined && spec.maxPixels !== undefined) {
    const limit = `${n(spec.minPixels)} to ${n(spec.maxPixels)} pixels`;
    if (pixels < spec.minPixels || (!spec.downscale && pixels > spec.maxPixels))
      throw inputError("unsupported_image", `${NAME} ${spec.label} needs an image of ${limit}; ${what} is ${size} (${n(pixels)} pixels)`, limit);
  }
  if (spec.aspect && (width / height > 2.5 || height / width > 2.5)) {
    const limit = "aspect ratio between 1:2.5 and 2.5:1";
    throw inputError("unsupported_image", `${NAME} ${spec.label} needs an ${limit}; ${what} is ${size}`, limit);
  }
}

/** A create model's generate service and, for the SD 3.5 family, the model field ("sd3/sd3.5-large"). */
function generatePath(model: Model): { path: string; model?: string } {
  const [service, field] = model.upstream.split("/", 2) as [string, string | undefined];
  return { path: `generate/${service}`, ...(field ? { model: field } : {}) };
}

function bodyTooLarge(spec: PathSpec): ProviderError {
  return inputError("payload_too_large", `${NAME} ${spec.label} accepts a request body of at most 10 MiB; this image is too large`, "10 MiB request body");
}

export class StabilityAdapter implements ProviderAdapter {
  readonly id = "stability";
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly pollAfterMs: number;
  private readonly http: ProviderHttpOptions;

  constructor(options: StabilityOptions) {
    this.apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? "https://api.stability.ai").replace(/\/+$/, "");
    this.pollAfterMs = options.pollAfterMs ?? STABILITY_POLL_MS;
    this.http = {
      provider: NAME,
      timeoutMs: options.timeoutMs ?? 60_000,
      ...options.http,
      rateLimit: { lockoutMs: STABILITY_LOCKOUT_MS, message: (body) => this.said(parseJsonSafe(body)) },
      gate: options.gate ?? new LocalRateGate(),
    };
  }

  supports(operation: OperationKey): boolean {
    return specFor(operation) !== undefined;
  }

  checkInput(input: InputCheck): void {
    const spec = specFor(input.operation);
    if (!spec) return;
    checkPrompt(spec.path === "generate" ? { ...spec, promptMax: input.model?.limits.promptChars } : spec, input.prompt);
    const image = input.image;
    if (!image) return;
    checkImage(spec, image);
    const parts = Object.entries(input.parts ?? {}).filter(([part]) => part !== "mask") as [string, ImageFacts][];
    // Relight's references have the subject's limits.
    if (input.operation === "edit.replace-background-relight") for (const [part, facts] of parts) checkImage(spec, facts, part === "backgroundReference" ? "background reference" : "light reference");
    // An image that will be downscaled is re-encoded smaller at call time, which checks the body again.
    const willShrink = spec.downscale && spec.maxPixels !== undefined && image.width * image.height > spec.maxPixels;
    const promptBytes = input.prompt ? Buffer.byteLength(input.prompt) : 0;
    const others = Object.values(input.parts ?? {}).reduce((sum, p) => sum + (p?.bytes ?? 0), 0);
    if (!willShrink && image.bytes + others + promptBytes + FIELD_ROOM > BODY_LIMIT) throw bodyTooLarge(spec);
  }

  async create(request: CreateRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    const { model } = request;
    checkPrompt({ ...CREATE_SPEC, promptMax: model.limits.promptChars }, request.prompt);
    const { path, model: sd3Model } = generatePath(model);
    const ratios = model.limits.aspectRatios;
    const aspect = ratios ? nearestAspectRatio(request.width, request.height, ratios) : undefined;
    const images: ProviderImage[] = [];
    // Stability makes one image per request, so a batch is a loop; each image is charged by the runner only
    // if delivered, so a late failure keeps what was already made instead of wasting it.
    for (let i = 0; i < request.count; i++) {
      try {
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new ProviderError("provider_error", "The job was stopped");
        const form = new FormData();
        for (const [key, value] of Object.entries(model.params)) form.append(key, String(value));
        form.append("prompt", request.prompt);
        if (sd3Model) form.append("model", sd3Model);
        if (!isBlank(request.negativePrompt)) form.append("negative_prompt", request.negativePrompt!);
        if (request.stylePreset) form.append("style_preset", request.stylePreset);
        if (aspect) form.append("aspect_ratio", aspect);
        if (model.limits.seed) form.append("seed", String(providerSeed(request.seed + i)));
        form.append("output_format", "png");
        images.push(await this.sendForImage(CREATE_SPEC, path, form, signal, model.upstream));
        request.onImage?.(i + 1);
      } catch (error) {
        if (signal.aborted || images.length === 0) throw error;
        return { images };
      }
    }
    return { images };
  }

  async edit(request: EditRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    if (request.kind === "general")
      throw new ProviderError("invalid_request", `${NAME} does not do general (instruction) edits`, { countsAgainstProvider: false });
    const spec = EDITS[request.kind];
    checkPrompt(spec, request.prompt);
    const original = request.image;
    checkImage(spec, original);
    const image = spec.downscale && spec.maxPixels !== undefined ? await fitWithin(original, { maxPixels: spec.maxPixels }) : original;
    const scale = image.width / original.width;
    const form = new FormData();
    const seed = String(providerSeed(request.seed));
    const prompt = isBlank(request.prompt) ? undefined : request.prompt;
    const negative = isBlank(request.negativePrompt) ? undefined : request.negativePrompt;
    const addPrompts = () => {
      if (prompt !== undefined) form.append("prompt", prompt);
      if (negative !== undefined) form.append("negative_prompt", negative);
    };

    switch (request.kind) {
      case "remove-background":
        this.appendImage(form, "image", image);
        form.append("output_format", "png");
        break;
      case "inpaint":
      case "erase":
        this.appendImage(form, "image", image);
        if (request.mask) this.appendImage(form, "mask", await this.matchSize(request.mask, image));
        if (request.kind === "inpaint") addPrompts();
        form.append("seed", seed);
        form.append("output_format", "png");
        break;
      case "outpaint": {
        const expand = request.expand ?? { left: 0, right: 0, up: 0, down: 0 };
        const sides = (["left", "right", "up", "down"] as const).map((side) => [side, expand[side]] as const);
        if (sides.some(([, v]) => !Number.isFinite(v) || v < 0 || v > 2000) || sides.every(([, v]) => v <= 0))
          throw inputError("invalid_request", `${NAME} outpaint needs each side 0 to 2,000 px and at least one above 0`, "expand: each side 0 to 2,000 px, at least one above 0");
        this.appendImage(form, "image", image);
        // A downscaled image is expanded by the same proportion, so the composition is what the user asked for.
        for (const [side, value] of sides) form.append(side, String(Math.round(value * scale)));
        addPrompts();
        form.append("seed", seed);
        form.append("output_format", "png");
        break;
      }
      case "search-replace":
      case "search-recolor": {
        const field = request.kind === "search-replace" ? "search_prompt" : "select_prompt";
        const value = request.kind === "search-replace" ? request.searchPrompt : request.selectPrompt;
        checkPrompt({ ...spec, promptRequired: true }, value, field);
        this.appendImage(form, "image", image);
        addPrompts();
        form.append(field, value!);
        form.append("seed", seed);
        form.append("output_format", "png");
        break;
      }
      case "replace-background-relight": {
        if (prompt === undefined && !request.backgroundReference)
          throw inputError("invalid_request", `${NAME} background replace needs a background prompt or a background reference image`, "background_prompt or background_reference");
        if (request.backgroundReference) checkImage(spec, request.backgroundReference, "background reference");
        if (request.lightReference) checkImage(spec, request.lightReference, "light reference");
        this.appendImage(form, "subject_image", image);
        if (prompt !== undefined) form.append("background_prompt", prompt);
        if (negative !== undefined) form.append("negative_prompt", negative);
        if (request.backgroundReference) this.appendImage(form, "background_reference", request.backgroundReference);
        if (request.lightDirection) form.append("light_source_direction", request.lightDirection);
        if (request.lightReference) this.appendImage(form, "light_reference", request.lightReference);
        form.append("seed", seed);
        form.append("output_format", "png");
        return this.startTask(spec, form, signal);
      }
    }
    return { images: [await this.sendForImage(spec, spec.path, form, signal)] };
  }

  async upscale(request: UpscaleRequest, signal: AbortSignal): Promise<ProviderOutcome> {
    const spec = UPSCALES[request.mode];
    checkPrompt(spec, request.prompt);
    checkImage(spec, request.image);
    const form = new FormData();
    this.appendImage(form, "image", request.image);
    if (request.mode !== "fast") {
      // Stability requires a prompt here; a neutral one asks for nothing the image does not already show.
      form.append("prompt", isBlank(request.prompt) ? DEFAULT_UPSCALE_PROMPT : request.prompt!);
      // Stability's ranges: conservative 0.2..0.5, creative 0.1..0.5; the spec's 0..1 is clamped, not refused.
      const [low, high] = request.mode === "creative" ? [0.1, 0.5] : [0.2, 0.5];
      if (request.creativity !== undefined && Number.isFinite(request.creativity))
        form.append("creativity", String(Math.min(high, Math.max(low, request.creativity))));
      form.append("seed", String(providerSeed(request.seed)));
    }
    form.append("output_format", "png");
    if (request.mode === "creative") return this.startTask(spec, form, signal);
    return { images: [await this.sendForImage(spec, spec.path, form, signal)] };
  }

  async poll(taskId: string, signal: AbortSignal): Promise<PollResult> {
    if (!TASK_ID.test(taskId)) throw new ProviderError("provider_error", `${NAME} task id is malformed`, { countsAgainstProvider: false });
    // No quick retries here: the runner polls again at Stability's pace, and hammering a 429 only prolongs it.
    let response: Response;
    try {
      response = await providerFetch(
        `${this.baseUrl}/v2beta/results/${taskId}`,
        { method: "GET", headers: { authorization: `Bearer ${this.apiKey}`, accept: "image/*" } },
        { ...this.http, maxRetries: 0 },
        signal,
      );
    } catch (error) {
      // Unreachable, slow, busy or locked out for now: the accepted task keeps running upstream, so ask again
      // at the pace instead of failing paid work (the job's own timeout bounds how long).
      const later = pollLater(error, signal, this.pollAfterMs);
      if (later) return later;
      throw error;
    }
    // 202: still in progress. 5xx: the results endpoint failed, which says nothing about the task (docs/providers.md).
    if (response.status === 202 || response.status >= 500) {
      await response.body?.cancel();
      return { state: "pending", pollAfterMs: Math.max(this.pollAfterMs, retryAfterMs(response.headers.get("retry-after")) ?? 0) };
    }
    if (response.status === 404) {
      const body = await this.errorBody(response);
      // Results are kept 24 h; an unknown id says nothing about the provider's health.
      throw new ProviderError("provider_error", `The ${NAME} result has expired or is unknown (results are kept 24 h)${body?.name ? ` (${body.name})` : ""}`, {
        countsAgainstProvider: false,
        details: { providerStatus: 404 },
      });
    }
    return { state: "done", images: [await this.readImage(response)] };
  }

  /**
   * The credit balance (GET /v1/user/balance, platform.stability.ai/docs/api-reference#tag/User): proves the
   * key; no credits left means every paid call would be refused (402). The v2beta services publish no model
   * list, so which models are served cannot be asked.
   */
  async check(upstreams: readonly string[], signal: AbortSignal): Promise<ProviderCheck> {
    const listed = Object.fromEntries(upstreams.map((u) => [u, null]));
    const response = await providerFetch(`${this.baseUrl}/v1/user/balance`, { method: "GET", headers: { authorization: `Bearer ${this.apiKey}` } }, { ...this.http, maxRetries: 0 }, signal);
    const json = safeJson(await readBody(response, SMALL_RESPONSE_LIMIT, NAME));
    if (response.status === 401 || response.status === 403) return { key: "invalid", detail: `${NAME} refused the key (${response.status})`, listed };
    const balance = z.object({ credits: z.number() }).safeParse(json);
    if (response.status !== 200 || !balance.success) throw errorForStatus(response.status === 200 ? 502 : response.status, NAME, this.said(json));
    const { credits } = balance.data;
    if (credits <= 0) return { key: "no-billing", detail: `${credits} credits left: every paid call would be refused`, listed };
    return { key: "valid", detail: `${credits} credits left`, listed };
  }

  private appendImage(form: FormData, field: string, image: InputImage): void {
    form.append(field, new Blob([new Uint8Array(image.bytes)], { type: image.contentType }), fileName(image.contentType));
  }

  /** A mask must stay the size of its (possibly downscaled) image. */
  private async matchSize(mask: InputImage, image: ProviderImage): Promise<InputImage> {
    if (mask.width === image.width && mask.height === image.height) return mask;
    const bytes = await decode(mask.bytes).resize(image.width, image.height, { fit: "fill" }).png().toBuffer();
    return { bytes, contentType: "image/png", width: image.width, height: image.height };
  }

  /** Encodes the form once (so its size is known and a retry resends the same bytes) and POSTs it. */
  private async post(spec: PathSpec, path: string, form: FormData, accept: string, signal: AbortSignal): Promise<Response> {
    const encoded = new Response(form);
    const contentType = encoded.headers.get("content-type") ?? "multipart/form-data";
    const body = new Uint8Array(await encoded.arrayBuffer());
    if (body.byteLength > BODY_LIMIT) throw bodyTooLarge(spec);
    return providerFetch(
      `${this.baseUrl}/v2beta/stable-image/${path}`,
      { method: "POST", headers: { authorization: `Bearer ${this.apiKey}`, accept, "content-type": contentType }, body },
      this.http,
      signal,
    );
  }

  /** `upstream`: the create model asked for, so an answer that it is gone marks it (edits have no model). */
  private async sendForImage(spec: PathSpec, path: string, form: FormData, signal: AbortSignal, upstream?: string): Promise<ProviderImage> {
    return this.readImage(await this.post(spec, path, form, "image/*", signal), upstream);
  }

  private async startTask(spec: PathSpec, form: FormData, signal: AbortSignal): Promise<ProviderOutcome> {
    const response = await this.post(spec, spec.path, form, "application/json", signal);
    if (response.status !== 200) throw await this.failure(response);
    const text = (await readBody(response, SMALL_RESPONSE_LIMIT, NAME)).toString("utf8");
    let parsed: z.infer<typeof taskSchema> | undefined;
    try {
      parsed = taskSchema.parse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed || !TASK_ID.test(parsed.id)) throw new ProviderError("provider_error", `${NAME} accepted the ${spec.label} but returned no task id`);
    return { tasks: [{ id: parsed.id, pollAfterMs: this.pollAfterMs }] };
  }

  /** A 200 with an image (raw bytes, or JSON base64 if Stability ignores our accept), else the mapped failure. */
  private async readImage(response: Response, upstream?: string): Promise<ProviderImage> {
    if (response.status !== 200) throw await this.failure(response, upstream);
    const finish = response.headers.get("finish-reason");
    if (finish) this.checkFinish(finish, response);
    let bytes = await readBody(response, IMAGE_RESPONSE_LIMIT, NAME);
    if ((response.headers.get("content-type") ?? "").includes("json")) {
      const parsed = jsonImageSchema.safeParse(safeJson(bytes));
      if (!parsed.success) throw new ProviderError("provider_error", `${NAME} answered without an image`);
      if (parsed.data.finish_reason) this.checkFinish(parsed.data.finish_reason, response);
      bytes = Buffer.from(parsed.data.image, "base64");
    }
    if (bytes.length === 0) throw new ProviderError("provider_error", `${NAME} answered without an image`);
    return describeImage(bytes, NAME);
  }

  private checkFinish(raw: string, response: Response): void {
    const reason = raw.trim().toUpperCase();
    if (reason === "CONTENT_FILTERED") {
      void response.body?.cancel().catch(() => {});
      throw new ProviderError("content_rejected", `${NAME} filtered the result for its content policy`, { countsAgainstProvider: false });
    }
    if (reason !== "SUCCESS") {
      void response.body?.cancel().catch(() => {});
      throw new ProviderError("provider_error", `${NAME} did not finish the image (${reason.slice(0, 40)})`);
    }
  }

  private async errorBody(response: Response): Promise<z.infer<typeof errorBodySchema> | undefined> {
    try {
      const parsed = errorBodySchema.safeParse(safeJson(await readBody(response, SMALL_RESPONSE_LIMIT, NAME)));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Maps Stability's `{ id, name, errors }` body to an docs/api.md code; the key never reaches a message. */
  private async failure(response: Response, upstream?: string): Promise<ProviderError> {
    const status = response.status;
    const body = await this.errorBody(response);
    const said = this.said(body);
    const name = body?.name ?? "";
    // A generate service that is gone (404), or an SD 3.5 model the service no longer takes (400 on `model`).
    if (upstream && (status === 404 || (status === 400 && (body?.errors ?? []).some((e) => /^model\b/.test(e))))) return modelGone(NAME, upstream, status, said);
    const details = { providerStatus: status, ...(name ? { providerError: name.slice(0, 60) } : {}) };
    if ((status === 403 && name === "content_moderation") || (status === 422 && name === "public_figure"))
      return new ProviderError("content_rejected", `${NAME} refused the request under its content policy${said ? `: ${said.slice(0, 300)}` : ""}`, {
        countsAgainstProvider: false,
        details,
      });
    if (status === 422 && name === "invalid_language")
      return new ProviderError("invalid_request", `${NAME} accepts English prompts only${said ? `: ${said.slice(0, 300)}` : ""}`, { countsAgainstProvider: false, details });
    if (status === 413) return inputError("payload_too_large", `${NAME} refused the request body as too large`, "10 MiB request body");
    if (status >= 200 && status < 300) return new ProviderError("provider_error", `${NAME} answered with an unexpected status (${status})`);
    // (A 429 never gets here: providerFetch waits it out or fails with the lock-out's wait.)
    const mapped = errorForStatus(status, NAME, said);
    return new ProviderError(mapped.code, mapped.message, { ...mapped.options, details: { ...mapped.options.details, ...details } });
  }

  private redact(text: string): string {
    return redactSecret(text, this.apiKey);
  }

  /** Stability's own words from an error body (`{ name, errors }`), the key scrubbed. */
  private said(json: unknown): string {
    const body = errorBodySchema.safeParse(json);
    if (!body.success) return "";
    return this.redact(body.data.errors?.length ? body.data.errors.join("; ") : (body.data.name ?? ""));
  }
}

const safeJson = parseJsonSafe;
