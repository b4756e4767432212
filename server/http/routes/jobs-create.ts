// POST /v1/jobs: validate → price → (one transaction) insert the job and hold its estimate total → 202.
// Everything that can refuse the job does so before the hold, so a refused request never holds credits.
// The same Idempotency-Key with the same request returns the first job (200) and holds nothing more.
import { Hono } from "hono";
import { jobSpecSchema, needsImage, type JobSpec } from "../../../core/api/specs.ts";
import { catalogIssues, estimate, type Route } from "../../../core/estimate.ts";
import { requireAuth } from "../../auth/middleware.ts";
import { callerState } from "../../jobs/estimate-context.ts";
import { jobView } from "../../jobs/job-view.ts";
import { readJobBody } from "../../jobs/parse-job-body.ts";
import { refusal } from "../../jobs/refusal.ts";
import { requestHash } from "../../jobs/request-hash.ts";
import { IdempotencyMismatchError, type JobRecord } from "../../jobs/types.ts";
import { InsufficientCreditsError } from "../../ledger/types.ts";
import type { ProviderRegistry } from "../../providers/registry.ts";
import { ApiError, invalidRequest } from "../api-error.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { parseOrThrow } from "../validate.ts";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function idempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(header)) throw invalidRequest({ "Idempotency-Key": "must be 1 to 255 visible ASCII characters" });
  return header;
}

function mismatch(jobId: string): ApiError {
  return new ApiError("idempotency_mismatch", "This Idempotency-Key was already used for a different request", { jobId });
}

/** Refuses, before any hold, what this proxy cannot run yet even though the catalog prices it. */
function assertRunnable(spec: JobSpec, route: Route | null, providers: ProviderRegistry): void {
  if (spec.operation === "create" && route && providers.adapter(route.provider)?.create) return;
  const what = spec.operation === "create" ? `${route?.provider ?? "No provider"} cannot create images` : `${spec.operation} is not available`;
  throw new ApiError("provider_unavailable", `${what} on this proxy yet`, { operation: spec.operation, provider: route?.provider ?? null });
}

export function jobsCreateRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().post("/v1/jobs", requireAuth(deps.stores.teams), async (c) => {
    const { team, member } = c.var.caller;
    const key = idempotencyKey(c.req.header("idempotency-key"));
    const body = await readJobBody(c);
    const spec = parseOrThrow(jobSpecSchema, body.spec);
    const issues = catalogIssues(spec, deps.catalog);
    if (needsImage(spec) && !body.images.image) issues.image = `is required for ${spec.operation}`;
    if (Object.keys(issues).length) throw invalidRequest(issues);

    const hash = requestHash(spec, Object.fromEntries(Object.entries(body.images).map(([k, v]) => [k, v.sha256])));
    const replay = (job: JobRecord) => {
      c.header("Idempotent-Replayed", "true");
      return c.json({ job: jobView(job) }, 200);
    };
    if (key) {
      const existing = await deps.stores.jobs.findByIdempotencyKey(team.id, key);
      if (existing && existing.requestHash !== hash) throw mismatch(existing.id);
      if (existing) return replay(existing);
    }

    const { context } = await callerState(deps.stores, deps.providers, c.var.caller);
    const quote = estimate(spec, deps.catalog, context);
    if (!quote.allowed) throw refusal(quote.reasons[0]!);
    const route = quote.steps[0]?.route ?? null;
    assertRunnable(spec, route, deps.providers);

    let result: { job: JobRecord; created: boolean };
    try {
      result = await deps.stores.jobs.createWithHold({
        teamId: team.id,
        memberId: member.id,
        idempotencyKey: key,
        requestHash: hash,
        spec,
        estimate: quote,
        route,
        holdTtlMs: deps.config.jobTimeoutMs + deps.config.holdMarginMs,
      });
    } catch (error) {
      // A concurrent request spent the credits between the estimate and the hold: the database said no.
      if (error instanceof InsufficientCreditsError)
        throw new ApiError("insufficient_credits", `Needs ${error.needed} credits; ${error.available} available`, {
          needed: error.needed,
          available: error.available,
          shortfall: error.needed - error.available,
        });
      if (error instanceof IdempotencyMismatchError) throw mismatch(error.existingJobId);
      throw error;
    }
    if (!result.created) return replay(result.job);
    deps.runner.enqueue(result.job.id);
    c.header("Location", `/v1/jobs/${result.job.id}`);
    return c.json({ job: jobView(result.job) }, 202);
  });
}
