// The one way adapters talk HTTP to a provider. Money rules first: a request whose body may have reached the
// provider is never sent twice. A paid call or an async submit is retried only when the failure proves
// nothing was accepted: the connection was never made (refused, no such host), or the provider answered 429
// or 503 before doing any work. A 429 waits for the provider's own delay (Retry-After, a delay in the body,
// a documented lock-out), never less than a second, or fails at once carrying that delay; the delay is also
// remembered (rate-gate.ts: by every proxy on PostgreSQL), so the next calls to the provider wait it out
// instead of prolonging a lock-out. Keys travel in headers only, and no URL, header or body is ever put in an
// error message.
import { setTimeout as sleep } from "node:timers/promises";
import type { Model } from "../../core/catalog/schema.ts";
import type { RateGate } from "./rate-gate.ts";
import { ProviderError, type PollResult, type ProviderErrorCode } from "./types.ts";

export type { RateGate } from "./rate-gate.ts";

/** How a provider tells a rate limit; every hook reads the (small) body of a 429 or 503. */
export interface RateLimitRules {
  /** The provider's wait stated in the body (Gemini's RetryInfo, Hugging Face's estimated_time), in ms. */
  waitFromBody?(status: number, body: string): number | undefined;
  /** What a 429 without any stated wait means (Stability: a 60 s lock-out of the key). */
  lockoutMs?: number;
  /** A 429/503 that is not "try later" at all (Gemini's quota limit 0: a key without billing). */
  final?(status: number, body: string): ProviderError | undefined;
  /** The provider's own words from an error body, for the message. */
  message?(body: string): string;
}

export interface ProviderHttpOptions {
  /** The provider's display name, for messages. */
  provider: string;
  timeoutMs: number;
  /** Extra attempts after a failure that proves nothing was accepted (default 2). */
  maxRetries?: number;
  /** First backoff delay when the provider states none; doubles per attempt (default and minimum 1 s). */
  baseDelayMs?: number;
  /** Longest stated wait the proxy sits out inside a job; a longer one fails the job carrying it (default 10 s). */
  maxRetryAfterMs?: number;
  rateLimit?: RateLimitRules;
  gate?: RateGate;
}

/** Never two attempts within a second, whatever a provider says (Retry-After: 0 included). */
export const MIN_RETRY_DELAY_MS = 1000;
const ERROR_BODY_LIMIT = 64 * 1024;

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

/** The connection broke after the request went out: the provider may have accepted (and will bill) it. */
export class ConnectionLost extends ProviderError {
  override name = "ConnectionLost";
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

/** Socket errors that happen before a connection exists: the request cannot have reached the provider. */
const NEVER_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/** Whether a fetch failure proves the request was never sent (undici puts the socket error in `cause`). */
export function neverSent(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && NEVER_CONNECTED.has(code)) return true;
    if (e instanceof AggregateError && e.errors.length > 0 && e.errors.every((x) => neverSent(x))) return true;
  }
  return false;
}

function stopped(signal: AbortSignal, cause?: unknown): Error {
  return signal.reason instanceof Error ? signal.reason : new ProviderError("provider_error", "The job was stopped", { cause });
}

function rateLimited(options: ProviderHttpOptions, waitMs: number | undefined, said = ""): ProviderError {
  const words = said ? `: ${said.slice(0, 300)}` : "";
  const when = waitMs === undefined ? "" : `; try again in ${Math.max(1, Math.ceil(waitMs / 1000))} s`;
  return new ProviderError("rate_limited", `${options.provider} is rate limiting the proxy${words}${when}`, {
    retryable: true,
    ...(waitMs === undefined ? {} : { retryAfterMs: waitMs }),
    details: { providerStatus: 429 },
  });
}

/**
 * fetch() with the provider policy. Resolves with any response that is not a retryable failure (the adapter
 * maps its own error bodies, a 503 after the retries included); throws ProviderError for timeouts, 429s,
 * network failures and exhausted retries.
 */
export async function providerFetch(url: string, init: RequestInit, options: ProviderHttpOptions, signal: AbortSignal): Promise<Response> {
  const maxRetries = options.maxRetries ?? 2;
  const base = Math.max(MIN_RETRY_DELAY_MS, options.baseDelayMs ?? MIN_RETRY_DELAY_MS);
  const maxWait = options.maxRetryAfterMs ?? 10_000;
  const rules = options.rateLimit ?? {};
  const gate = options.gate;
  const pause = (ms: number) => sleep(ms, undefined, { signal }).catch((cause: unknown) => Promise.reject(stopped(signal, cause)));
  for (let attempt = 0; ; attempt++) {
    // A lock-out already known (to any proxy, on PostgreSQL): sit it out when short, else fail now without calling.
    const locked = gate ? await gate.waitMs() : 0;
    if (locked > 0) {
      if (locked > maxWait) throw rateLimited(options, locked);
      await pause(locked);
    }
    const timeout = AbortSignal.timeout(options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.any([signal, timeout]) });
    } catch (cause) {
      if (signal.aborted) throw stopped(signal, cause);
      if (timeout.aborted || isAbort(cause))
        throw new ProviderTimeout("provider_error", `${options.provider} did not answer within ${Math.round(options.timeoutMs / 1000)} s`, { cause });
      if (!neverSent(cause))
        // The connection broke after the request went out: the provider may have accepted (and billed) it.
        throw new ConnectionLost("provider_error", `${options.provider} closed the connection before answering; the request was not sent again in case it was accepted`, {
          cause,
        });
      if (attempt < maxRetries) {
        await pause(backoff(base, attempt));
        continue;
      }
      throw new ProviderError("provider_unavailable", `${options.provider} could not be reached`, { cause, retryable: true });
    }
    if (response.status !== 429 && response.status !== 503) return response;

    // Answered before any work: read what it says about waiting.
    const body = await readText(response);
    const final = rules.final?.(response.status, body);
    if (final) throw final;
    const stated = retryAfterMs(response.headers.get("retry-after")) ?? rules.waitFromBody?.(response.status, body);
    const wait = stated ?? (response.status === 429 ? rules.lockoutMs : undefined);
    if (response.status === 429 && wait !== undefined && gate) await gate.lockFor(wait);
    if (attempt < maxRetries && (wait === undefined || wait <= maxWait)) {
      await pause(Math.max(MIN_RETRY_DELAY_MS, wait ?? backoff(base, attempt)));
      continue;
    }
    if (response.status === 429) throw rateLimited(options, wait, rules.message?.(body) ?? "");
    // An exhausted 503 goes back to the adapter, which knows its provider's words for it.
    const headers = new Headers(response.headers);
    if (wait !== undefined) headers.set("retry-after", String(Math.ceil(wait / 1000)));
    return new Response(body, { status: response.status, headers });
  }
}

function backoff(base: number, attempt: number): number {
  return base * 2 ** attempt + Math.floor(Math.random() * (base / 2));
}

async function readText(response: Response): Promise<string> {
  try {
    return (await readBody(response, ERROR_BODY_LIMIT, "")).toString("utf8");
  } catch {
    return "";
  }
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
 * The docs/api.md code for a provider's HTTP failure. Adapters call this after reading the provider's own error
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
  if (status === 503) return make("provider_unavailable", `${provider} is unavailable${said}`, retryAfter === undefined ? {} : { retryAfterMs: retryAfter });
  if (status >= 500) return make("provider_error", `${provider} failed (${status})${said}`);
  // 4xx after our own input checks means the provider changed its rules: report it, don't blame the provider's health.
  return make("provider_error", `${provider} refused the request (${status})${said}`, { countsAgainstProvider: false });
}

/** The provider reported the model gone: the job fails with nothing charged and the model leaves routing. */
export function modelGone(provider: string, upstream: string, status: number, message: string): ProviderError {
  const said = message ? `: ${message.slice(0, 300)}` : "";
  return new ProviderError("provider_unavailable", `${provider} no longer serves ${upstream} (${status}${said})`, {
    modelGone: true,
    countsAgainstProvider: false,
    details: { providerStatus: status, upstream },
  });
}

/** Providers sometimes echo what they were sent: the key must never reach a message, in any encoding. */
export { redactSecret } from "../redact.ts";

/** A provider's body as JSON, or undefined when it is not JSON (error pages, truncated bodies). */
export function parseJsonSafe(bytes: Buffer | string): unknown {
  try {
    return JSON.parse(typeof bytes === "string" ? bytes : bytes.toString("utf8"));
  } catch {
    return undefined;
  }
}

/**
 * A poll failure that says nothing about the task (unreachable, slow, busy, rate limited): ask again at the
 * pace, or after the provider's stated wait if longer. Undefined for a failure that does say something.
 */
export function pollLater(error: unknown, signal: AbortSignal, paceMs: number): PollResult | undefined {
  if (signal.aborted || !(error instanceof ProviderError)) return undefined;
  const sayNothing = error instanceof ProviderTimeout || error instanceof ConnectionLost || error.options.retryable === true || error.code === "rate_limited";
  return sayNothing ? { state: "pending", pollAfterMs: Math.max(paceMs, error.options.retryAfterMs ?? 0) } : undefined;
}

/** A provider id with slashes (a repo, a model path) as a URL path, each segment encoded. */
export function upstreamPath(upstream: string): string {
  return upstream.split("/").map(encodeURIComponent).join("/");
}

/** A prompt is required, and held to the model's documented length (catalog `limits.promptChars`). */
export function checkModelPrompt(prompt: string | undefined, model: Model | undefined): void {
  if (!prompt?.trim())
    throw new ProviderError("invalid_request", "A prompt is required", { countsAgainstProvider: false, details: { fields: { prompt: "must not be empty" } } });
  const limit = model?.limits.promptChars;
  if (model && limit !== undefined && prompt.length > limit)
    throw new ProviderError("invalid_request", `${model.label} takes prompts of at most ${limit} characters`, {
      countsAgainstProvider: false,
      details: { fields: { prompt: "too long" }, limit },
    });
}
