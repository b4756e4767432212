// The fingerprint of a job request for Idempotency-Key checks: the parsed spec (defaults applied, keys
// sorted, so `variations: 1` and no variations are the same request) plus the sha256 of each image part.
import { createHash } from "node:crypto";
import type { JobSpec } from "../../core/api/specs.ts";

export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

export function requestHash(spec: JobSpec, imageHashes: Readonly<Record<string, string>> = {}): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical({ spec, images: imageHashes })))
    .digest("hex");
}
