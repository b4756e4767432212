// One error type for everything the panel can fail at, so views show a failure the same way wherever it
// came from: the proxy's own error codes plus the few failures that happen before or after it answers.
import type { JobErrorCode } from "../../core/api/errors.ts";

export type ClientErrorCode =
  /** The proxy's codes, and `cancelled`: a batch item cancelled before it started. */
  | JobErrorCode
  /** The proxy could not be reached (down, wrong URL, CORS). */
  | "network_error"
  /** The proxy answered something this panel's schemas do not accept (version drift). */
  | "bad_response"
  /** The job did not finish in time. */
  | "timeout"
  /** The images were made but the plugin could not put them on the canvas. */
  | "placement_failed"
  /** The plugin could not export the selected image (or its mask) for a job; nothing was sent. */
  | "export_failed";

export class ApiError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    /** HTTP status; 0 when the proxy never answered. */
    readonly status = 0,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError("internal_error", error instanceof Error ? error.message : String(error));
}
