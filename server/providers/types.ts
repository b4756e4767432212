// One provider = one adapter implementing this interface (docs/architecture.md). Operations are optional methods
// so an adapter can do create only, edits only, or both; `supports()` says which catalog operations its code
// really does, and the registry never routes anything else to it. Which models exist is catalog data: every
// request carries its catalog model (upstream id, limits, params), and an adapter holds no list of models.
//
// Sync providers answer with images. Async providers (Stability's relight and creative upscale, WaveSpeed)
// answer with tasks: the job runner stores their ids with the job and calls `poll()` at the provider's pace,
// so a restarted proxy resumes polling instead of paying twice.
import type { ErrorCode } from "../../core/api/errors.ts";
import type { EditKind, Model, OperationKey, UpscaleMode } from "../../core/catalog/schema.ts";

export type ImageType = "image/png" | "image/jpeg" | "image/webp";

export interface ProviderImage {
  bytes: Buffer;
  contentType: ImageType;
  width: number;
  height: number;
}

/** An image the user sent, already decoded once by sharp (so width/height/type are facts, not claims). */
export type InputImage = ProviderImage;

export interface CreateRequest {
  /** The catalog's model: its upstream id, documented limits and fixed params. */
  model: Model;
  prompt: string;
  negativePrompt?: string;
  width: number;
  height: number;
  /** Image i of the batch uses seed + i, so each variation is reproducible on its own. */
  seed: number;
  /** How many images (variations). */
  count: number;
  stylePreset?: string;
  /** Reported as images finish, for the job's progress. */
  onImage?: (completed: number) => void;
}

export interface EditRequest {
  kind: EditKind;
  /** The catalog's model when the edit is routed to one (general edit); absent where there is no model choice. */
  model?: Model;
  image: InputImage;
  /** Same size as `image`; white = the area to change (inpaint, erase). */
  mask?: InputImage;
  backgroundReference?: InputImage;
  lightReference?: InputImage;
  prompt?: string;
  negativePrompt?: string;
  searchPrompt?: string;
  selectPrompt?: string;
  expand?: { left: number; right: number; up: number; down: number };
  lightDirection?: "left" | "right" | "above" | "below";
  seed: number;
}

export interface UpscaleRequest {
  mode: UpscaleMode;
  image: InputImage;
  prompt?: string;
  /** 0..1 as the spec gives it; adapters clamp to their provider's range. */
  creativity?: number;
  seed: number;
}

/** A provider task to poll later; `pollAfterMs` is the provider's allowed pace (Stability: 10 s). */
export interface ProviderTask {
  id: string;
  pollAfterMs: number;
}

/** Images now (sync APIs), or tasks to poll (async APIs): one task per image the provider will make. */
export type ProviderOutcome = { images: ProviderImage[] } | { tasks: ProviderTask[] };

export type PollResult =
  | { state: "done"; images: ProviderImage[] }
  | { state: "pending"; pollAfterMs: number };

/** An input image as the checks see it: its decoded facts, not the client's claims. */
export interface ImageFacts {
  width: number;
  height: number;
  bytes: number;
  contentType: ImageType;
}

/** What an adapter says about an input before anything is held or sent. */
export interface InputCheck {
  /** The operation as the catalog names it. */
  operation: OperationKey;
  /** The routed catalog model, where the operation has one. */
  model?: Model;
  image?: ImageFacts;
  /** The other image parts of an edit (relight's references, a mask). */
  parts?: Partial<Record<"mask" | "backgroundReference" | "lightReference", ImageFacts>>;
  prompt?: string;
  stylePreset?: string;
  /** Outpaint's per-side amounts, so the result's size can be checked before anything is held. */
  expand?: { left: number; right: number; up: number; down: number };
}

/** The docs/api.md codes a provider failure may surface as. */
export type ProviderErrorCode = Extract<
  ErrorCode,
  "provider_error" | "content_rejected" | "provider_unavailable" | "rate_limited" | "invalid_request" | "unsupported_image" | "payload_too_large"
>;

export interface ProviderErrorOptions {
  retryable?: boolean;
  retryAfterMs?: number;
  countsAgainstProvider?: boolean;
  /** The provider said the model asked for is gone (retired, not found, no longer served). */
  modelGone?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * A failure the user should see as its docs/api.md code; anything else thrown by an adapter is a provider_error.
 * `retryable`: the provider did no work (429/503 before acceptance), so trying again cannot charge twice.
 * `countsAgainstProvider`: false for failures that say nothing about the provider's health (moderation,
 * bad input, a retired model), so they never open the circuit.
 * `modelGone`: the runner marks the routed model unavailable for every proxy (retired-models.ts).
 */
export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly options: ProviderErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
  }
}

/** The answer of a provider's cheapest authenticated call (`npm run admin -- providers check`). */
export interface ProviderCheck {
  /** valid: the key works and can pay; invalid: refused; no-billing: accepted but unable to pay for images. */
  key: "valid" | "invalid" | "no-billing";
  /** What the provider said, for a person: a balance, an account, the refusal. Never the key. */
  detail: string;
  /** For each upstream id asked about: listed as available (true), not listed (false), or unknowable (null:
   * the provider publishes no model list). */
  listed: Record<string, boolean | null>;
}

export interface ProviderAdapter {
  /** The catalog's provider id. */
  readonly id: string;
  /** Whether this adapter's code does the catalog operation (which models serve it is catalog data). */
  supports(operation: OperationKey): boolean;
  /**
   * Refuses, before anything is held, an input this provider would reject: throws ProviderError with
   * `invalid_request` (400), `payload_too_large` (413) or `unsupported_image` (415) naming the limit in
   * `details.limit`. Inputs the adapter can fix faithfully (downscaling a too-large image) pass.
   */
  checkInput?(input: InputCheck): void;
  create?(request: CreateRequest, signal: AbortSignal): Promise<ProviderOutcome>;
  edit?(request: EditRequest, signal: AbortSignal): Promise<ProviderOutcome>;
  upscale?(request: UpscaleRequest, signal: AbortSignal): Promise<ProviderOutcome>;
  /** Async providers: the state of a task returned earlier (possibly by another process). */
  poll?(taskId: string, signal: AbortSignal): Promise<PollResult>;
  /** One cheap authenticated call (balance, account, model list) and which of `upstreams` the provider lists. */
  check?(upstreams: readonly string[], signal: AbortSignal): Promise<ProviderCheck>;
}
