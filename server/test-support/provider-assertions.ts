// Assertions every adapter test makes: a failure is a ProviderError that leaks none of the given secrets
// (key, fake URL, paths) in its message or details, and an outcome holds images rather than tasks.
import { expect } from "vitest";
import { ProviderError, type ProviderImage, type ProviderOutcome } from "../providers/types.ts";

/** The ProviderError `promise` rejects with, after checking that no secret shows in it. */
export async function providerFailure(promise: Promise<unknown>, secrets: readonly string[]): Promise<ProviderError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const e = error as ProviderError;
  for (const secret of secrets) {
    expect(e.message).not.toContain(secret);
    expect(JSON.stringify(e.options.details ?? {})).not.toContain(secret);
  }
  return e;
}

export function imagesOf(outcome: ProviderOutcome): ProviderImage[] {
  if (!("images" in outcome)) throw new Error("expected images, got tasks");
  return outcome.images;
}
