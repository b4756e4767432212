// One provider = one adapter implementing this interface (architecture.md). Operations are optional
// methods so an adapter can do create only, edits only, or both; the registry and the job runner ask
// whether a method exists before routing to it. Edit and upscale methods join here in later issues.
import type { ErrorCode } from "../../core/api/errors.ts";

export interface ProviderImage {
  bytes: Buffer;
  contentType: "image/png" | "image/jpeg";
  width: number;
  height: number;
}

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

/** The api.md codes a provider failure may surface as. */
export type ProviderErrorCode = Extract<ErrorCode, "provider_error" | "content_rejected" | "provider_unavailable" | "rate_limited">;

/** A failure the user should see as its api.md code; anything else thrown by an adapter is a provider_error. */
export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }
}

export interface ProviderAdapter {
  /** The catalog's provider id. */
  readonly id: string;
  create?(request: CreateRequest, signal: AbortSignal): Promise<ProviderImage[]>;
}
