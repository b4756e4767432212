// A single job's request to the job store, as accept-job.ts builds it: a draft create (unless `input` says
// otherwise) priced by core's estimate() from the state the store reads in its transaction.
import { jobSpecSchema, type JobSpecInput } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { estimate, type EstimateContext } from "../../core/estimate.ts";
import { requestHash } from "../jobs/request-hash.ts";
import type { NewJob, PricingState } from "../jobs/types.ts";

export interface JobRequestOptions {
  /** Providers the estimate may route to (default: the offline `local` one). */
  configuredProviders?: string[];
  /** Replaces the store's pricing state with what the test wants the estimate to see. */
  context?: (state: PricingState) => EstimateContext;
}

export function newJobRequest(who: { teamId: string; memberId: string }, input: Partial<JobSpecInput> = {}, o: JobRequestOptions = {}): NewJob {
  const spec = jobSpecSchema.parse({ operation: "create", prompt: "p", quality: "draft", ...input });
  return {
    teamId: who.teamId,
    memberId: who.memberId,
    idempotencyKey: null,
    requestHash: requestHash(spec),
    spec,
    price: (state) => estimate(spec, DEFAULT_CATALOG, { ...(o.context ? o.context(state) : state), configuredProviders: o.configuredProviders ?? ["local"] }),
    holdTtlMs: 60_000,
    leaseMs: 60_000,
  };
}
