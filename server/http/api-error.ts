// An error with an docs/api.md code: thrown anywhere in a request, turned into `{ error: { code, message,
// details } }` with the code's status by the app's error handler.
import { ERROR_STATUS, type ApiErrorBody, type ErrorCode } from "../../core/api/errors.ts";

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Extra response headers (Retry-After, WWW-Authenticate). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }

  toBody(): { error: ApiErrorBody } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

/** 400 invalid_request whose `details.fields` names each bad field. */
export function invalidRequest(fields: Record<string, string>, message = "The request has invalid fields"): ApiError {
  const names = Object.keys(fields);
  const summary = names.length ? `${message}: ${names.map((n) => `${n} ${fields[n]}`).join("; ")}` : message;
  return new ApiError("invalid_request", summary, { fields });
}
