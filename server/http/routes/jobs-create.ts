// POST /v1/jobs: validate → decode the images → route and check them with the provider's limits → (one
// transaction) replay or rate-limit, price from the database's figures, insert the job and hold its total
// → store the uploads → 202. Everything that can refuse the job does so before or inside that transaction,
// so a refused request never holds credits; and the uploads (temporary files until then) move into the blob
// store only after that transaction committed a job that refers to them, so a refused request leaves no
// bytes either. The same Idempotency-Key with the same request returns the first job (200).
import { Hono, type Context } from "hono";
import { jobSpecSchema, type JobSpec } from "../../../core/api/specs.ts";
import type { Catalog } from "../../../core/catalog/schema.ts";
import { catalogIssues, estimate, findModel, operationKey, type Route } from "../../../core/estimate.ts";
import { requireAuth } from "../../auth/middleware.ts";
import { decodeInputs, type DecodedInput, type DecodedInputs } from "../../jobs/decode-inputs.ts";
import { jobView } from "../../jobs/job-view.ts";
import { discardUploads, isMultipart, readJobBody } from "../../jobs/parse-job-body.ts";
import { refusal } from "../../jobs/refusal.ts";
import { requestHash } from "../../jobs/request-hash.ts";
import { reuseKey } from "../../jobs/reuse-key.ts";
import { IdempotencyMismatchError, JobRefusedError, RateLimitedError, type JobRecord } from "../../jobs/types.ts";
import { InsufficientCreditsError, MemberCapReachedError } from "../../ledger/types.ts";
import type { ProviderRegistry } from "../../providers/registry.ts";
import { ProviderError, type ImageFacts } from "../../providers/types.ts";
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

const facts = (image: DecodedInput): ImageFacts => ({ width: image.width, height: image.height, bytes: image.size, contentType: image.contentType });

/**
 * Refuses, before any hold, what the routed provider cannot do or would reject: an adapter that lacks the
 * operation is 503, an input over the provider's (or the routed model's) limits is 400/413/415 naming it.
 */
function checkRunnable(spec: JobSpec, route: Route | null, images: DecodedInputs, providers: ProviderRegistry, catalog: Catalog): void {
  if (spec.operation === "social") return; // the proxy's own optimizer (server/social), no provider
  const op = operationKey(spec);
  const adapter = route ? providers.adapter(route.provider) : undefined;
  const model = route?.model ? findModel(catalog, route.provider, route.model) : undefined;
  if (!route || !adapter || !adapter.supports(op) || (route.model && !model?.operations.includes(op)))
    throw new ApiError("provider_unavailable", `${catalog.providers.find((p) => p.id === route?.provider)?.name ?? "No configured provider"} cannot do ${op} on this proxy`, {
      operation: op,
      provider: route?.provider ?? null,
    });
  const { image, ...others } = images;
  const parts = Object.fromEntries(Object.entries(others).map(([part, img]) => [part, facts(img)]));
  try {
    adapter.checkInput?.({
      operation: op,
      ...(model ? { model } : {}),
      ...(image ? { image: facts(image) } : {}),
      ...(Object.keys(parts).length ? { parts } : {}),
      ...("prompt" in spec && spec.prompt ? { prompt: spec.prompt } : {}),
      ...(spec.operation === "create" && spec.stylePreset ? { stylePreset: spec.stylePreset } : {}),
      ...(spec.operation === "edit" && spec.expand ? { expand: spec.expand } : {}),
    });
  } catch (error) {
    if (error instanceof ProviderError) throw new ApiError(error.code, error.message, { provider: route.provider, ...error.options.details });
    throw error;
  }
}

function ledgerRefusal(error: unknown): ApiError | null {
  if (error instanceof JobRefusedError) return refusal(error.reason);
  if (error instanceof InsufficientCreditsError)
    return new ApiError("insufficient_credits", `Needs ${error.needed} credits; ${error.available} available`, {
      needed: error.needed,
      available: error.available,
      shortfall: error.needed - error.available,
    });
  if (error instanceof MemberCapReachedError)
    return new ApiError("member_cap_reached", error.message, { cap: error.cap, remaining: error.remaining, needed: error.needed });
  if (error instanceof RateLimitedError) {
    const seconds = Math.ceil(error.retryAfterMs / 1000);
    return new ApiError("rate_limited", error.message, { limit: error.limit, retryAfterSeconds: seconds }, { "Retry-After": String(seconds) });
  }
  if (error instanceof IdempotencyMismatchError) return mismatch(error.existingJobId);
  return null;
}

/**
 * Moves a held job's uploads into the blob store. Its row already refers to them (and pins their blobs), so
 * no concurrent delete can lose them. Should the disk fail now, the job fails and its hold is released.
 */
async function storeInputs(deps: AppDeps, job: JobRecord, images: DecodedInputs): Promise<void> {
  try {
    for (const image of Object.values(images)) await deps.stores.blobs.putFile(image.path, image.sha256);
  } catch (error) {
    await deps.stores.jobs.fail(job.id, { code: "provider_error", message: "The proxy could not store the job's images. Nothing was charged." });
    throw error;
  }
}

async function createJob(c: Context<AppEnv>, deps: AppDeps, key: string | null): Promise<Response> {
  const { team, member } = c.var.caller;
  const body = await readJobBody(c, () => deps.stores.blobs.tempPath());
  try {
    const parsed = parseOrThrow(jobSpecSchema, body.spec);
    const issues = catalogIssues(parsed, deps.catalog);
    if (Object.keys(issues).length) throw invalidRequest(issues);
    const { spec, images } = await decodeInputs(parsed, body.images, deps.imageWork);

    const hash = requestHash(spec, Object.fromEntries(Object.entries(body.images).map(([k, v]) => [k, v.sha256])));
    const replay = (job: JobRecord) => {
      c.header("Idempotent-Replayed", "true");
      return c.json({ job: jobView(job) }, 200);
    };
    const configuredProviders = deps.providers.configuredIds();
    const unavailableModels = await deps.providers.unavailableReasons();
    // The route does not depend on the balance, so it is known before the transaction prices the job.
    const routing = estimate(spec, deps.catalog, { configuredProviders, unavailableModels });
    const unavailable = routing.reasons.find((r) => r.code === "provider_unavailable");
    if (unavailable) throw refusal(unavailable);
    const route = routing.steps[0]?.route ?? null;
    // Only a model with a free allowance makes the price depend on what the team has used of it.
    const freeModelKeys = routing.steps.flatMap((step) =>
      step.route?.model && deps.catalog.models.some((m) => m.provider === step.route!.provider && m.model === step.route!.model && m.freePerPeriod > 0)
        ? [`${step.route.provider}/${step.route.model}`]
        : [],
    );
    checkRunnable(spec, route, images, deps.providers, deps.catalog);
    if ("sourceAssetId" in spec && spec.sourceAssetId && !(await deps.stores.assets.get(team.id, spec.sourceAssetId)))
      throw new ApiError("not_found", "No such asset in your team", { sourceAssetId: spec.sourceAssetId });
    const inputs = Object.fromEntries(Object.entries(images).map(([part, image]) => [part, image.sha256]));

    let result: { job: JobRecord; created: boolean };
    try {
      result = await deps.stores.jobs.createWithHold({
        teamId: team.id,
        memberId: member.id,
        idempotencyKey: key,
        requestHash: hash,
        spec,
        inputs,
        freeModelKeys,
        price: (state) => estimate(spec, deps.catalog, { ...state, configuredProviders, unavailableModels }),
        holdTtlMs: deps.config.jobTimeoutMs + deps.config.holdMarginMs,
        leaseMs: deps.config.jobLeaseMs,
        reuseKey: reuseKey(spec, route, inputs),
      });
    } catch (error) {
      throw ledgerRefusal(error) ?? error;
    }
    if (!result.created) return replay(result.job);
    // A reuse is finished already: it returned an identical earlier job's assets and charged nothing.
    if (result.job.status === "queued") {
      await storeInputs(deps, result.job, images);
      deps.runner.enqueue(result.job);
    }
    c.header("Location", `/v1/jobs/${result.job.id}`);
    return c.json({ job: jobView(result.job) }, 202);
  } finally {
    await discardUploads(body.images); // what was not moved into the blob store
  }
}

export function jobsCreateRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().post("/v1/jobs", requireAuth(deps.stores.teams), async (c) => {
    const key = idempotencyKey(c.req.header("idempotency-key"));
    // Uploads take disk while they are checked: only so many bodies are read at once, the rest wait unread.
    return isMultipart(c) ? deps.uploadSlots.run(() => createJob(c, deps, key)) : createJob(c, deps, key);
  });
}
