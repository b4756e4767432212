// The one way adapters talk HTTP to a provider: a per-call timeout, retries with backoff only where the
// provider did no work (connection refused, 429 and 503 before a task was accepted), and a mapping from
// HTTP statuses to api.md codes. Keys travel in headers only, and no URL, header or body is ever put in an
// error message, so a key cannot leak through an error.
import { setTimeout as sleep } from "node:timers/promises";
import { ProviderError, type ProviderErrorCode } from "./types.ts";

export interface ProviderHttpOptions {
  /** The provider's display name, for messages. */
  provider: string;
  timeoutMs: number;
  /** Extra attempts after a retryable failure (default 2). */
  maxRetries?: number;
  /** First backoff delay; doubles per attempt, plus jitter (default 400 ms). */
  baseDelayMs?: number;
  /** Longest wait a Retry-After may ask for before we give up instead (default 10 s). */
  maxRetryAfterMs?: number;
}

/** Parses Retry-After (seconds or an HTTP date) into ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * No answer within the per-request timeout. The provider may or may not have done the work, so a create is
 * not retried; but a poll (a GET of an accepted task) is safe to ask again later.
 */
export class ProviderTimeout extends ProviderError {
  override name = "ProviderTimeout";
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

/**
 * fetch() with the provider policy. Resolves with any response that is not a retryable failure (the adapter
 * maps its own error bodies); throws ProviderError for timeouts, exhausted retries and network failures.
 */
export async function providerFetch(url: string, init: RequestInit, options: ProviderHttpOptions, signal: AbortSignal): Promise<Response> {
  const maxRetries = options.maxRetries ?? 2;
  const base = options.baseDelayMs ?? 400;
  const maxRetryAfter = options.maxRetryAfterMs ?? 10_000;
  for (let attempt = 0; ; attempt++) {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.any([signal, timeout]) });
    } catch (cause) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new ProviderError("provider_error", "The job was stopped", { cause });
      if (timeout.aborted || isAbort(cause))
        throw new ProviderTimeout("provider_error", `${options.provider} did not answer within ${Math.round(options.timeoutMs / 1000)} s`, { cause });
      // The request never reached the provider (refused, reset before an answer): safe to retry.
      if (attempt < maxRetries) {
        await sleep(backoff(base, attempt), undefined, { signal });
        continue;
      }
      throw new ProviderError("provider_unavailable", `${options.provider} could not be reached`, { cause, retryable: true });
    }
    if (response.status === 429 || response.status === 503) {
      const wait = retryAfterMs(response.headers.get("retry-after"));
      if (attempt < maxRetries && (wait === undefined || wait <= maxRetryAfter)) {
        await response.body?.cancel();
        await sleep(wait ?? backoff(base, attempt), undefined, { signal });
        continue;
      }
    }
    return response;
  }
}

function backoff(base: number, attempt: number): number {
  return base * 2 ** attempt + Math.floor(Math.random() * base);
}

/** Reads a response body up to `limit` bytes; a longer body is a provider_error, not an out-of-memory. */
export async function readBody(response: Response, limit: number, provider: string): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > limit) {
    await response.body?.cancel();
    throw new ProviderError("provider_error", `${provider} sent ${declared} bytes, over the ${limit}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (response.body) {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limit) throw new ProviderError("provider_error", `${provider} sent more than the ${limit}-byte limit`);
      chunks.push(Buffer.from(chunk));
    }
  }
  return Buffer.concat(chunks);
}

/**
 * The api.md code for a provider's HTTP failure. Adapters call this after reading the provider's own error
 * body (which may refine it: moderation becomes content_rejected). `message` is the provider's words,
 * trimmed; it never contains our request.
 */
export function errorForStatus(status: number, provider: string, message: string, retryAfter?: number): ProviderError {
  const said = message ? `: ${message.slice(0, 300)}` : "";
  // 429 and 503 mean the provider did no work: trying again later cannot charge twice.
  const retryable = status === 429 || status === 503;
  const make = (code: ProviderErrorCode, text: string, extra: { countsAgainstProvider?: boolean; retryAfterMs?: number } = {}) =>
    new ProviderError(code, text, { details: { providerStatus: status }, ...(retryable ? { retryable } : {}), ...extra });
  if (status === 401 || status === 403) return make("provider_unavailable", `${provider} refused the proxy's key${said}`);
  if (status === 402) return make("provider_unavailable", `${provider} account is out of credit${said}`);
  if (status === 429)
    return make("rate_limited", `${provider} is rate limiting the proxy${said}`, retryAfter === undefined ? {} : { retryAfterMs: retryAfter });
  if (status === 503) return make("provider_unavailable", `${provider} is unavailable${said}`);
  if (status >= 500) return make("provider_error", `${provider} failed (${status})${said}`);
  // 4xx after our own input checks means the provider changed its rules: report it, don't blame the provider's health.
  return make("provider_error", `${provider} refused the request (${status})${said}`, { countsAgainstProvider: false });
}

/** Providers sometimes echo what they were sent: the key must never reach a message. */
export function redactSecret(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("[redacted]") : text;
}

/** A provider's body as JSON, or undefined when it is not JSON (error pages, truncated bodies). */
export function parseJsonSafe(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
}
