// A circuit breaker per provider: after repeated failures that say the provider is unwell, jobs fail fast
// with provider_unavailable (nothing held for long, nothing charged) instead of each waiting out a timeout.
// After a cool-down one trial call goes through (half-open): its success closes the circuit, its failure
// opens it again. In-process state: each proxy instance judges the provider from its own calls.
import { ProviderError } from "./types.ts";

export type CircuitState = "closed" | "open" | "half-open";

export interface CircuitBreakerOptions {
  /** Consecutive counting failures that open the circuit (default 5). */
  failureThreshold?: number;
  /** How long it stays open before a trial call (default 30 s). */
  openMs?: number;
  /** Failures further apart than this do not add up (default 60 s). */
  windowMs?: number;
  now?: () => number;
  /** Display name for messages (default: the id, capitalised). */
  displayName?: (provider: string) => string;
}

interface Circuit {
  /** Times of the current run of consecutive counting failures, within the window. */
  failures: number[];
  openedAt: number | null;
  /** Half-open: when the trial call was let through, or null while none is out. */
  trialAt: number | null;
}

const COUNTING_CODES = new Set(["provider_error", "provider_unavailable", "rate_limited"]);

/**
 * Whether a failure says something about the provider's health. Moderation and bad input do not, nor do
 * our own cancellations (AbortError): the provider was never at fault there.
 */
export function countsAgainstProvider(error: unknown): boolean {
  if (error instanceof ProviderError) return error.options.countsAgainstProvider !== false && COUNTING_CODES.has(error.code);
  if (error instanceof Error && error.name === "AbortError") return false;
  return true;
}

export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly displayName: (provider: string) => string;

  constructor(options: CircuitBreakerOptions = {}) {
    this.threshold = options.failureThreshold ?? 5;
    this.openMs = options.openMs ?? 30_000;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.displayName = options.displayName ?? ((id) => id.charAt(0).toUpperCase() + id.slice(1));
    if (!Number.isInteger(this.threshold) || this.threshold < 1) throw new RangeError("failureThreshold must be a positive integer");
    if (!(this.openMs > 0) || !(this.windowMs > 0)) throw new RangeError("openMs and windowMs must be positive");
  }

  state(provider: string): CircuitState {
    const circuit = this.circuits.get(provider);
    if (!circuit || circuit.openedAt === null) return "closed";
    return this.now() - circuit.openedAt >= this.openMs ? "half-open" : "open";
  }

  /**
   * Call before each provider call. Throws provider_unavailable while the circuit is open; once the
   * cool-down is over it lets exactly one trial call through and refuses the others until that trial
   * reports back (or, if it never does, until another cool-down has passed).
   */
  check(provider: string): void {
    const circuit = this.circuits.get(provider);
    if (!circuit || circuit.openedAt === null) return;
    const now = this.now();
    const reopensAt = circuit.openedAt + this.openMs;
    if (now < reopensAt) throw this.refusal(provider, reopensAt - now);
    if (circuit.trialAt !== null && now - circuit.trialAt < this.openMs) throw this.refusal(provider, circuit.trialAt + this.openMs - now);
    circuit.trialAt = now;
  }

  recordSuccess(provider: string): void {
    const circuit = this.circuits.get(provider);
    if (!circuit) return;
    // Any answer that worked (a trial, or a call that started before the circuit opened) shows health.
    circuit.failures = [];
    circuit.openedAt = null;
    circuit.trialAt = null;
  }

  recordFailure(provider: string, error: unknown): void {
    const circuit = this.circuit(provider);
    const now = this.now();
    if (!countsAgainstProvider(error)) {
      // The provider answered (e.g. moderation): a half-open trial has shown it is reachable. In the closed
      // state it neither adds to nor breaks the run of failures.
      if (circuit.openedAt !== null && circuit.trialAt !== null) this.recordSuccess(provider);
      return;
    }
    if (circuit.openedAt !== null) {
      // A failed trial opens the circuit for another cool-down; late failures of calls started before it
      // opened change nothing.
      if (circuit.trialAt !== null) {
        circuit.openedAt = now;
        circuit.trialAt = null;
      }
      return;
    }
    circuit.failures = circuit.failures.filter((at) => now - at < this.windowMs);
    circuit.failures.push(now);
    if (circuit.failures.length >= this.threshold) {
      circuit.openedAt = now;
      circuit.trialAt = null;
      circuit.failures = [];
    }
  }

  private circuit(provider: string): Circuit {
    let circuit = this.circuits.get(provider);
    if (!circuit) {
      circuit = { failures: [], openedAt: null, trialAt: null };
      this.circuits.set(provider, circuit);
    }
    return circuit;
  }

  private refusal(provider: string, retryAfterMs: number): ProviderError {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    // Not counting against the provider: this refusal is ours, and recording it must not extend the outage.
    return new ProviderError("provider_unavailable", `${this.displayName(provider)} failed repeatedly; trying again in ${seconds} s`, {
      retryable: true,
      retryAfterMs,
      countsAgainstProvider: false,
      details: { provider, circuit: "open", retryAfterMs },
    });
  }
}
