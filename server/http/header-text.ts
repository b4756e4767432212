// The request headers the proxy reads, checked like every text field of core's schemas (core/api/text.ts):
// a control character in one is 400 invalid_request naming the header, before any route runs. Node's HTTP
// parser already refuses most of them on the wire; this holds for whatever server runs the app.
import type { MiddlewareHandler } from "hono";
import { textProblem } from "../../core/api/text.ts";
import { invalidRequest } from "./api-error.ts";
import type { AppEnv } from "./types.ts";

export const READ_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match"] as const;

export function headerText(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const fields: Record<string, string> = {};
    for (const name of READ_HEADERS) {
      const value = c.req.header(name);
      const problem = value === undefined ? null : textProblem(value, false);
      if (problem) fields[name] = problem;
    }
    if (Object.keys(fields).length) throw invalidRequest(fields);
    await next();
  };
}
