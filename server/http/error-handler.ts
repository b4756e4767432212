// Every failure leaves as docs/api.md's `{ error: { code, message, details } }`: an ApiError as it is, a domain
// error as domain-errors.ts maps it. Unexpected errors are logged with the request id and answered as a
// bare internal_error, so no stack, SQL or key ever reaches a client.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../logger.ts";
import { ApiError } from "./api-error.ts";
import { apiErrorOf } from "./domain-errors.ts";
import type { AppEnv } from "./types.ts";

export function errorResponse(c: Context<AppEnv>, error: ApiError): Response {
  for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
  return c.json(error.toBody(), error.status);
}

export function payloadTooLarge(limit: number): ApiError {
  return new ApiError("payload_too_large", `The body is larger than the proxy accepts (${limit} bytes)`, { limit });
}

export function errorHandler(logger: Logger, maxBodyBytes: number): ErrorHandler<AppEnv> {
  return (error, c) => {
    const known = error instanceof ApiError ? error : apiErrorOf(error);
    if (known) return errorResponse(c, known);
    if (error instanceof HTTPException && error.status === 413) return errorResponse(c, payloadTooLarge(maxBodyBytes));
    if (error instanceof HTTPException && error.status < 500)
      return errorResponse(c, new ApiError(error.status === 404 ? "not_found" : "invalid_request", error.message || "Bad request"));
    const requestId = c.get("requestId");
    logger.error({ err: error, requestId, method: c.req.method, path: c.req.path }, "unhandled error");
    return errorResponse(c, new ApiError("internal_error", `Something went wrong on the proxy (request ${requestId})`, { requestId }));
  };
}

export const notFoundHandler: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, new ApiError("not_found", `No route ${c.req.method} ${c.req.path}`));
