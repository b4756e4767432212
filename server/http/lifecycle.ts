// The proxy's phase as its HTTP routes see it: serving, or draining (a SIGTERM arrived: docs/architecture.md,
// "Several instances"). While draining, GET /health answers 503 "draining" so load balancers send no new
// requests here, and the routes that start work (POST /v1/jobs, POST /v1/batches) answer 503 with
// Retry-After so clients retry on another instance; every other route keeps serving until the process exits.
import type { MiddlewareHandler } from "hono";
import { ApiError } from "./api-error.ts";
import type { AppEnv } from "./types.ts";

export class Lifecycle {
  private drainingSince: number | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  drain(): void {
    this.drainingSince ??= Date.now();
  }
}

/** Seconds a refused client waits before retrying: long enough for a load balancer to notice /health. */
export const DRAINING_RETRY_AFTER_S = 2;

const STARTS_WORK = new Set(["/v1/jobs", "/v1/batches"]);

export function refuseWhileDraining(lifecycle: Lifecycle | undefined): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (lifecycle?.draining && c.req.method === "POST" && STARTS_WORK.has(c.req.path.replace(/\/+$/, "")))
      throw new ApiError(
        "provider_unavailable",
        "This proxy instance is shutting down; retry, and another instance will take the request",
        { draining: true, retryAfterSeconds: DRAINING_RETRY_AFTER_S },
        { "Retry-After": String(DRAINING_RETRY_AFTER_S) },
      );
    await next();
  };
}
