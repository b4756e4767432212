import { describe, expect, it } from "vitest";
import { CircuitBreaker, countsAgainstProvider } from "./circuit-breaker.ts";
import { ProviderError } from "./types.ts";

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const outage = () => new ProviderError("provider_error", "Gemini failed (500)");

function refusal(breaker: CircuitBreaker, provider: string): ProviderError | undefined {
  try {
    breaker.check(provider);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
}

describe("countsAgainstProvider", () => {
  it("counts provider failures and unknown errors, not moderation, bad input or our own aborts", () => {
    expect(countsAgainstProvider(outage())).toBe(true);
    expect(countsAgainstProvider(new ProviderError("provider_unavailable", "down"))).toBe(true);
    expect(countsAgainstProvider(new ProviderError("rate_limited", "slow down"))).toBe(true);
    expect(countsAgainstProvider(new TypeError("fetch failed"))).toBe(true);
    expect(countsAgainstProvider("a string")).toBe(true);
    expect(countsAgainstProvider(new ProviderError("content_rejected", "moderated", { countsAgainstProvider: false }))).toBe(false);
    expect(countsAgainstProvider(new ProviderError("content_rejected", "moderated"))).toBe(false);
    expect(countsAgainstProvider(new ProviderError("invalid_request", "bad"))).toBe(false);
    expect(countsAgainstProvider(new ProviderError("payload_too_large", "big"))).toBe(false);
    expect(countsAgainstProvider(new ProviderError("unsupported_image", "gif"))).toBe(false);
    expect(countsAgainstProvider(new ProviderError("provider_error", "refused (400)", { countsAgainstProvider: false }))).toBe(false);
    expect(countsAgainstProvider(new DOMException("aborted", "AbortError"))).toBe(false);
  });
});

describe("CircuitBreaker", () => {
  it("opens after the threshold of consecutive failures and refuses with a retry time", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 30_000, now: c.now });
    for (let i = 0; i < 2; i++) {
      breaker.check("gemini");
      breaker.recordFailure("gemini", outage());
    }
    expect(breaker.state("gemini")).toBe("closed");
    breaker.recordFailure("gemini", new Error("socket hang up"));
    expect(breaker.state("gemini")).toBe("open");

    c.advance(12_400);
    const error = refusal(breaker, "gemini")!;
    expect(error.code).toBe("provider_unavailable");
    expect(error.message).toBe("Gemini failed repeatedly; trying again in 18 s");
    expect(error.options).toMatchObject({ retryAfterMs: 17_600, retryable: true, countsAgainstProvider: false });
    // Other providers are unaffected.
    expect(refusal(breaker, "stability")).toBeUndefined();
    expect(breaker.state("stability")).toBe("closed");
  });

  it("uses the defaults: 5 failures, 30 s", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ now: c.now });
    for (let i = 0; i < 4; i++) breaker.recordFailure("wavespeed", outage());
    expect(breaker.state("wavespeed")).toBe("closed");
    breaker.recordFailure("wavespeed", outage());
    expect(breaker.state("wavespeed")).toBe("open");
    expect(refusal(breaker, "wavespeed")?.options.retryAfterMs).toBe(30_000);
    c.advance(29_999);
    expect(breaker.state("wavespeed")).toBe("open");
    c.advance(1);
    expect(breaker.state("wavespeed")).toBe("half-open");
  });

  it("a success resets the run of failures", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, now: clock().now });
    breaker.recordFailure("gemini", outage());
    breaker.recordFailure("gemini", outage());
    breaker.recordSuccess("gemini");
    breaker.recordFailure("gemini", outage());
    breaker.recordFailure("gemini", outage());
    expect(breaker.state("gemini")).toBe("closed");
    breaker.recordFailure("gemini", outage());
    expect(breaker.state("gemini")).toBe("open");
  });

  it("failures further apart than the window do not add up", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 3, windowMs: 10_000, now: c.now });
    for (let i = 0; i < 10; i++) {
      breaker.recordFailure("gemini", outage());
      c.advance(6_000); // only two ever fall within 10 s
    }
    expect(breaker.state("gemini")).toBe("closed");
    breaker.recordFailure("gemini", outage());
    c.advance(1_000);
    breaker.recordFailure("gemini", outage());
    expect(breaker.state("gemini")).toBe("open");
  });

  it("moderation and bad input never open it, nor break a run of real failures", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, now: clock().now });
    for (let i = 0; i < 20; i++) {
      breaker.recordFailure("stability", new ProviderError("content_rejected", "moderated", { countsAgainstProvider: false }));
      breaker.recordFailure("stability", new ProviderError("invalid_request", "bad", { countsAgainstProvider: false }));
      breaker.recordFailure("stability", new ProviderError("provider_error", "refused (400)", { countsAgainstProvider: false }));
    }
    expect(breaker.state("stability")).toBe("closed");
    breaker.recordFailure("stability", outage());
    breaker.recordFailure("stability", new ProviderError("content_rejected", "moderated", { countsAgainstProvider: false }));
    breaker.recordFailure("stability", new ProviderError("rate_limited", "429"));
    breaker.recordFailure("stability", new ProviderError("provider_unavailable", "503"));
    expect(breaker.state("stability")).toBe("open");
  });

  it("its own refusals recorded as failures do not extend the outage", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 10_000, now: c.now });
    breaker.recordFailure("gemini", outage());
    c.advance(9_000);
    breaker.recordFailure("gemini", refusal(breaker, "gemini"));
    c.advance(1_000);
    expect(breaker.state("gemini")).toBe("half-open");
  });

  it("half-open lets exactly one trial through; its success closes the circuit", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 10_000, now: c.now });
    breaker.recordFailure("gemini", outage());
    breaker.recordFailure("gemini", outage());
    c.advance(10_000);
    expect(breaker.state("gemini")).toBe("half-open");
    expect(refusal(breaker, "gemini")).toBeUndefined(); // the trial
    const second = refusal(breaker, "gemini");
    expect(second?.code).toBe("provider_unavailable");
    expect(second?.options.retryAfterMs).toBe(10_000);
    c.advance(2_000);
    breaker.recordSuccess("gemini");
    expect(breaker.state("gemini")).toBe("closed");
    expect(refusal(breaker, "gemini")).toBeUndefined();
    expect(refusal(breaker, "gemini")).toBeUndefined();
    // Fully reset: it takes the whole threshold again to open.
    breaker.recordFailure("gemini", outage());
    expect(breaker.state("gemini")).toBe("closed");
  });

  it("a failed trial opens it again for a full cool-down", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 10_000, now: c.now });
    breaker.recordFailure("gemini", outage());
    breaker.recordFailure("gemini", outage());
    c.advance(10_000);
    breaker.check("gemini");
    c.advance(3_000);
    breaker.recordFailure("gemini", outage());
    expect(breaker.state("gemini")).toBe("open");
    expect(refusal(breaker, "gemini")?.options.retryAfterMs).toBe(10_000);
    c.advance(10_000);
    expect(breaker.state("gemini")).toBe("half-open");
    expect(refusal(breaker, "gemini")).toBeUndefined();
    breaker.recordSuccess("gemini");
    expect(breaker.state("gemini")).toBe("closed");
  });

  it("a trial that ends in moderation shows the provider is reachable and closes it", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 5_000, now: c.now });
    breaker.recordFailure("gemini", outage());
    c.advance(5_000);
    breaker.check("gemini");
    breaker.recordFailure("gemini", new ProviderError("content_rejected", "moderated", { countsAgainstProvider: false }));
    expect(breaker.state("gemini")).toBe("closed");
  });

  it("a trial that never reports back does not block the provider forever", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 5_000, now: c.now });
    breaker.recordFailure("gemini", outage());
    c.advance(5_000);
    breaker.check("gemini"); // trial lost (its job crashed)
    c.advance(4_999);
    expect(refusal(breaker, "gemini")).toBeDefined();
    c.advance(1);
    expect(refusal(breaker, "gemini")).toBeUndefined(); // a new trial
    expect(refusal(breaker, "gemini")).toBeDefined();
  });

  it("late failures of calls started before it opened do not push the cool-down back", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 10_000, now: c.now });
    breaker.recordFailure("gemini", outage());
    breaker.recordFailure("gemini", outage());
    c.advance(8_000);
    breaker.recordFailure("gemini", outage());
    c.advance(2_000);
    expect(breaker.state("gemini")).toBe("half-open");
  });

  it("names the provider with displayName", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, now: clock().now, displayName: (id) => (id === "huggingface" ? "Hugging Face" : id) });
    breaker.recordFailure("huggingface", outage());
    expect(refusal(breaker, "huggingface")?.message).toBe("Hugging Face failed repeatedly; trying again in 30 s");
    expect(refusal(breaker, "huggingface")?.options.details).toMatchObject({ provider: "huggingface" });
  });

  it("refuses nonsense options", () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ openMs: 0 })).toThrow(RangeError);
  });

  it("recordSuccess on an unknown provider is harmless", () => {
    const breaker = new CircuitBreaker();
    breaker.recordSuccess("nobody");
    expect(breaker.state("nobody")).toBe("closed");
  });
});
