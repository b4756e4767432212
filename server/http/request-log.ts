// One log line per request: method, path, status, duration and request id. Headers and bodies are not
// logged at all, so a token or a prompt cannot leak through here.
import type { MiddlewareHandler } from "hono";
import type { Logger } from "../logger.ts";
import type { AppEnv } from "./types.ts";

export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const line = {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    };
    if (c.req.path === "/health") logger.debug(line, "request");
    else logger.info(line, "request");
  };
}
