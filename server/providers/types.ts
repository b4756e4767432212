// One provider = one adapter implementing this interface (architecture.md). Operations are optional methods
// so an adapter can do create only, edits only, or both; `supports()` says which catalog operations it
// really does, and the registry never routes anything else to it.
//
// Sync providers answer with images. Async providers (Stability's relight and creative upscale, WaveSpeed)
// answer with tasks: the job runner stores their ids with the job and calls `poll()` at the provider's pace,
// so a restarted proxy resumes polling instead of paying twice.
import type { ErrorCode } from "../../core/api/errors.ts";
import type { EditKind, OperationKey, UpscaleMode } from "../../core/catalog/schema.ts";

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
  /** The catalog's model id for this provider. */
  model: string;
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
  /** The catalog's model id when the edit is routed to a model (general edit); otherwise absent. */
  model?: string;
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

/** What an adapter says about an input before anything is held or sent. */
export interface InputCheck {
  /** The operation as the catalog names it. */
  operation: OperationKey;
  image?: { width: number; height: number; bytes: number; contentType: ImageType };
  prompt?: string;
  /** Outpaint's per-side amounts, so the result's size can be checked before anything is held. */
  expand?: { left: number; right: number; up: number; down: number };
}

/** The api.md codes a provider failure may surface as. */
export type ProviderErrorCode = Extract<
  ErrorCode,
  "provider_error" | "content_rejected" | "provider_unavailable" | "rate_limited" | "invalid_request" | "unsupported_image" | "payload_too_large"
>;

/**
 * A failure the user should see as its api.md code; anything else thrown by an adapter is a provider_error.
 * `retryable`: the provider did no work (429/503 before acceptance), so trying again cannot charge twice.
 * `countsAgainstProvider`: false for failures that say nothing about the provider's health (moderation,
 * bad input), so they never open the circuit.
 */
export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly options: { retryable?: boolean; retryAfterMs?: number; countsAgainstProvider?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }
}

export interface ProviderAdapter {
  /** The catalog's provider id. */
  readonly id: string;
  /** Whether this adapter really does the catalog operation (and model, for create and general edit). */
  supports(operation: OperationKey, model?: string): boolean;
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
}
