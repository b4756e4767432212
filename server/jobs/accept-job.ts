// Accepting a job (POST /v1/jobs once its body is read): check the spec against the catalog → decode the
// images → route it and check the inputs against the routed provider's limits → (one transaction) replay
// or rate-limit, price it once from the figures read there, insert it and hold its total → store the
// uploads → start it. Everything that can refuse the job does so before or inside that transaction, so a
// refused request holds no credits; and the uploads (temporary files the request's reader owns) move into
// the blob store only after that transaction committed a job that refers to them, so a refused request
// leaves no bytes either. Refusals are this domain's errors (errors.ts, the ledger's); http/ maps them.
import type { JobSpec } from "../../core/api/specs.ts";
import type { Catalog } from "../../core/catalog/schema.ts";
import { catalogIssues, estimate, findModel, modelKey, operationKey, routeJob, type EstimateContext, type Route } from "../../core/estimate.ts";
import type { AssetRepo } from "../assets/types.ts";
import type { BlobStore } from "../assets/blob-store.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import { ProviderError, type ImageFacts } from "../providers/types.ts";
import type { Slots } from "../slots.ts";
import type { Caller } from "../teams/types.ts";
import { decodeInputs, type DecodedInput, type DecodedInputs } from "./decode-inputs.ts";
import { InvalidJobRequestError, JobRefusedError, UnknownSourceAssetError } from "./errors.ts";
import type { JobRunner } from "./job-runner.ts";
import { requestHash } from "./request-hash.ts";
import { reuseKey } from "./reuse-key.ts";
import type { ImagePart, ImageUpload, JobRecord, JobStore } from "./types.ts";

export interface AcceptJobDeps {
  catalog: Catalog;
  jobs: Pick<JobStore, "createWithHold" | "fail" | "renewLeases">;
  assets: Pick<AssetRepo, "get">;
  blobs: Pick<BlobStore, "putFile">;
  providers: Pick<ProviderRegistry, "configuredIds" | "unavailableReasons" | "adapter">;
  runner: Pick<JobRunner, "enqueue">;
  /** The process's image slots: every upload is decoded in one. */
  imageWork: Slots;
  /** Hold expiry: the job timeout plus a margin. */
  holdTtlMs: number;
  /** How long the job is this process's before another may take it over. */
  leaseMs: number;
}

export interface JobRequest {
  caller: Caller;
  idempotencyKey: string | null;
  /** Parsed with core's jobSpecSchema. */
  spec: JobSpec;
  /** Image parts as received; the caller keeps them and discards what this did not store. */
  uploads: Partial<Record<ImagePart, ImageUpload>>;
}

const facts = (image: DecodedInput): ImageFacts => ({ width: image.width, height: image.height, bytes: image.size, contentType: image.contentType });

/**
 * Refuses, before any hold, what the routed provider cannot do or would reject: an adapter that lacks the
 * operation (provider_unavailable), an input over the provider's (or the routed model's) limits (its
 * ProviderError, naming the provider).
 */
export function checkRunnable(spec: JobSpec, route: Route | null, images: DecodedInputs, deps: AcceptJobDeps): void {
  if (spec.operation === "social") return; // the proxy's own optimizer (server/social), no provider
  const op = operationKey(spec);
  const adapter = route ? deps.providers.adapter(route.provider) : undefined;
  const model = route?.model ? findModel(deps.catalog, route.provider, route.model) : undefined;
  if (!route || !adapter || !adapter.supports(op) || (route.model && !model?.operations.includes(op)))
    throw new JobRefusedError({
      code: "provider_unavailable",
      message: `${deps.catalog.providers.find((p) => p.id === route?.provider)?.name ?? "No configured provider"} cannot do ${op} on this proxy`,
      details: { operation: op, provider: route?.provider ?? null },
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
    if (error instanceof ProviderError)
      throw new ProviderError(error.code, error.message, { ...error.options, details: { provider: route.provider, ...error.options.details } });
    throw error;
  }
}

/** The providers and models usable now, which a job is routed (and priced) against. */
export type Usable = Pick<EstimateContext, "configuredProviders" | "unavailableModels">;

export async function usableNow(deps: Pick<AcceptJobDeps, "providers">): Promise<Usable> {
  return { configuredProviders: deps.providers.configuredIds(), unavailableModels: await deps.providers.unavailableReasons() };
}

/**
 * Everything a job request is checked for before anything is held, the same for a single job and for each
 * item of a batch (accept-batch.ts): the spec against the catalog, its images decoded, the route over the
 * usable providers, the routed provider's limits, its source asset one of the team's. `inputs`: the image
 * parts' hashes, as the job row keeps them.
 */
export async function checkJob(
  deps: AcceptJobDeps,
  teamId: string,
  requested: JobSpec,
  uploads: Partial<Record<ImagePart, ImageUpload>>,
  usable: Usable,
): Promise<{ spec: JobSpec; images: DecodedInputs; route: Route | null; inputs: Record<string, string> }> {
  const issues = catalogIssues(requested, deps.catalog);
  if (Object.keys(issues).length) throw new InvalidJobRequestError(issues);
  const { spec, images } = await decodeInputs(requested, uploads, deps.imageWork);
  const { route, unavailable } = routeJob(spec, deps.catalog, usable);
  if (unavailable) throw new JobRefusedError(unavailable);
  checkRunnable(spec, route, images, deps);
  if ("sourceAssetId" in spec && spec.sourceAssetId && !(await deps.assets.get(teamId, spec.sourceAssetId))) throw new UnknownSourceAssetError(spec.sourceAssetId);
  const inputs = Object.fromEntries(Object.entries(images).map(([part, image]) => [part, image.sha256]));
  return { spec, images, route, inputs };
}

/** Only a model with a free allowance makes the price depend on what the team has used of it. */
export function freeModelKeys(route: Route | null, catalog: Catalog): string[] {
  const model = route?.model ? findModel(catalog, route.provider, route.model) : undefined;
  return model && model.freePerPeriod > 0 ? [modelKey(model.provider, model.model)] : [];
}

/**
 * Moves a held job's uploads into the blob store. Its row already refers to them (and pins their blobs), so
 * no concurrent delete can lose them. Should the disk fail now, the job fails and its hold is released.
 */
export async function storeInputs(deps: AcceptJobDeps, job: JobRecord, images: DecodedInputs): Promise<void> {
  try {
    for (const image of Object.values(images)) await deps.blobs.putFile(image.path, image.sha256);
  } catch (error) {
    await deps.jobs.fail(job.id, { code: "provider_error", message: "The proxy could not store the job's images. Nothing was charged." });
    throw error;
  }
}

/**
 * Runs `work` (storing held jobs' uploads) while keeping those jobs' leases fresh, as the runner's heartbeat
 * does once they are started: a batch's uploads can take longer to store than a lease lasts (JOB_LEASE_MS),
 * and a job whose lease lapsed would be taken over by another instance and fail there, its image not stored
 * yet ("missing from storage"). `done(id)` hands a job on (started, or failed) and ends its renewals.
 */
export async function keepingLeases<T>(deps: Pick<AcceptJobDeps, "jobs" | "leaseMs">, jobIds: readonly string[], work: (done: (jobId: string) => void) => Promise<T>): Promise<T> {
  const waiting = new Set(jobIds);
  const renew = setInterval(() => {
    if (waiting.size) void deps.jobs.renewLeases([...waiting], deps.leaseMs).catch(() => undefined); // best effort, as the heartbeat
  }, Math.max(100, Math.floor(deps.leaseMs / 3)));
  try {
    return await work((jobId) => waiting.delete(jobId));
  } finally {
    clearInterval(renew);
  }
}

/**
 * The job, held and started (`created`), or the first job of an idempotent retry (`created: false`, nothing
 * held again). A reuse of an identical earlier job comes back finished: it charged nothing and runs nothing.
 */
export async function acceptJob(deps: AcceptJobDeps, request: JobRequest): Promise<{ job: JobRecord; created: boolean }> {
  const { team, member } = request.caller;
  // The route depends on which providers and models are usable, never on the balance, so the job is routed
  // and checked here and priced once, inside the hold's transaction.
  const usable = await usableNow(deps);
  const { spec, images, route, inputs } = await checkJob(deps, team.id, request.spec, request.uploads, usable);
  const result = await deps.jobs.createWithHold({
    teamId: team.id,
    memberId: member.id,
    idempotencyKey: request.idempotencyKey,
    requestHash: requestHash(spec, Object.fromEntries(Object.entries(request.uploads).map(([k, v]) => [k, v.sha256]))),
    spec,
    inputs,
    freeModelKeys: freeModelKeys(route, deps.catalog),
    price: (state) => estimate(spec, deps.catalog, { ...state, ...usable }),
    holdTtlMs: deps.holdTtlMs,
    leaseMs: deps.leaseMs,
    reuseKey: reuseKey(spec, route, inputs),
  });
  // A reuse is finished already: it returned an identical earlier job's assets and charged nothing.
  if (result.created && result.job.status === "queued")
    await keepingLeases(deps, [result.job.id], async () => {
      await storeInputs(deps, result.job, images);
      deps.runner.enqueue(result.job);
    });
  return result;
}
