// Reuse instead of regenerate: a job with a fixed seed identical to an earlier one of the team returns the
// earlier results for 0 credits. Only the server knows whether one exists, so a seeded spec is shown to
// POST /v1/estimate (debounced, the latest answer wins, errors ignored: the badge keeps the local price) and
// its `reuse` answer goes into the local estimate()'s context, which then prices the reuse state itself.
import { useEffect, useState } from "preact/hooks";
import type { Job } from "../../core/api/responses.ts";
import type { JobSpec } from "../../core/api/specs.ts";
import type { EstimateContext } from "../../core/estimate.ts";
import type { ApiClient } from "../connection/api-client.ts";
import { creditsText } from "./badge.ts";

export const SEED_MAX = 4_294_967_294;
export const REUSE_DEBOUNCE_MS = 300;

export type Reuse = NonNullable<EstimateContext["reuse"]>;

/** The seed as typed: undefined when empty (a new random result each time), null when not a valid seed. */
export function parseSeed(raw: string): number | null | undefined {
  if (!raw.trim()) return undefined;
  if (!/^\s*\d+\s*$/.test(raw)) return null;
  const n = Number(raw);
  return n <= SEED_MAX ? n : null;
}

export const seedProblem = (raw: string): string | null => (parseSeed(raw) === null ? `The seed must be a whole number from 0 to ${SEED_MAX}` : null);

/** `{ seed }` when one is typed, for spreading into a spec. */
export function seedOf(raw: string): { seed?: number } {
  const seed = parseSeed(raw);
  return typeof seed === "number" ? { seed } : {};
}

/** Only a seeded spec can be identical to an earlier job; an edit or upscale needs its image's library asset. */
export function mayReuse(spec: JobSpec | null): spec is JobSpec {
  return !!spec && spec.operation !== "social" && spec.seed !== undefined && (spec.operation === "create" || spec.sourceAssetId !== undefined);
}

/** What a finished job cost, for its status line. */
export const chargedText = (job: Job): string => (job.reusedFrom ? "reused for 0 credits" : `${creditsText(job.charged)} charged`);

/**
 * The identical earlier job for `spec` (without `fresh`), as the server sees it; null until it answers, when
 * there is none, or when asking failed. Asks again when the spec changes and after each job (`running`).
 * `spec` is null while the form cannot be sent.
 */
export function useReuse(api: Pick<ApiClient, "estimate">, spec: JobSpec | null, running: boolean): Reuse | null {
  const [reuse, setReuse] = useState<{ key: string; value: Reuse } | null>(null);
  const ask = mayReuse(spec) && !running ? spec : null;
  const key = JSON.stringify(spec);
  useEffect(() => {
    if (!ask) return;
    let current = true;
    const timer = setTimeout(() => {
      api.estimate(ask).then(
        (answer) => current && setReuse(answer.reuse ? { key, value: { jobId: answer.reuse.jobId, images: answer.steps[0]?.images ?? 1 } } : null),
        () => current && setReuse(null),
      );
    }, REUSE_DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // `ask` is a fresh object each render; what it holds changes only with `key`.
  }, [key, !ask]);
  // An answer for another spec says nothing about this one.
  return reuse && reuse.key === key && mayReuse(spec) ? reuse.value : null;
}
