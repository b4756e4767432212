// The identity of a job's result, for reuse: two jobs of a team with the same key would make the same
// images (same operation, provider and model, settings, seed and input bytes), so the second can return the
// first's assets for 0 credits. Without a fixed seed a provider makes something new each time, so such a
// job has no key; social jobs cost nothing and are never reused either.
import { createHash } from "node:crypto";
import type { JobSpec } from "../../core/api/specs.ts";
import { operationKey, type Route } from "../../core/estimate.ts";
import { canonical } from "./request-hash.ts";

export function reuseKey(spec: JobSpec, route: Route | null, inputs: Readonly<Record<string, string>>): string | null {
  if (spec.operation === "social" || spec.seed === undefined || !route) return null;
  // What does not change the pixels: the route stands for provider/model ("auto" or named, the same
  // route is the same result), `input` is read from the bytes, the rest is bookkeeping.
  const { fresh: _fresh, sourceAssetId: _source, input: _input, provider: _provider, ...settings } = spec as JobSpec & Record<string, unknown>;
  delete settings.model;
  delete settings.templateId;
  delete settings.projectId; // which budget pays does not change the pixels
  return createHash("sha256")
    .update(JSON.stringify(canonical({ operation: operationKey(spec), route, settings, inputs })))
    .digest("hex");
}
