// What the event streams (GET /v1/jobs/:id/events, GET /v1/batches/:id/events) share: the process's bound on
// open streams (jobs/job-changes.ts), and a signal that ends a stream's waiter with the stream.
import type { Context } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { ApiError } from "./api-error.ts";

/** Past the bound on open streams, the client is told to come back (503 with Retry-After). */
export function refuseWhenFull(changes: { readonly full: boolean }): void {
  if (changes.full)
    throw new ApiError("provider_unavailable", "This proxy follows too many event streams right now; retry shortly", { retryAfterSeconds: 5 }, { "Retry-After": "5" });
}

/**
 * Runs `follow` as a server-sent event stream. `ended` aborts when the client leaves or `follow` returns, so a
 * waiter given it leaves the bound at once rather than at its timer (30 s on PostgreSQL).
 */
export function followStream(c: Context, follow: (stream: SSEStreamingApi, ended: AbortSignal) => Promise<void>): Response {
  return streamSSE(c, async (stream) => {
    const ended = new AbortController();
    stream.onAbort(() => ended.abort());
    try {
      await follow(stream, ended.signal);
    } finally {
      ended.abort();
    }
  });
}
