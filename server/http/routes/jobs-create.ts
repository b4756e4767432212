// POST /v1/jobs: read the body (a JSON spec, or multipart with image parts streamed to temporary files) →
// accept the job (jobs/accept-job.ts: validate, decode, route, hold, store, start) → 202 with the job. The
// same Idempotency-Key with the same request returns the first job (200, Idempotent-Replayed). A refusal
// is the use case's error, answered by the app's error handler (domain-errors.ts).
import { Hono, type Context } from "hono";
import { jobSpecSchema } from "../../../core/api/specs.ts";
import { acceptJob, type AcceptJobDeps } from "../../jobs/accept-job.ts";
import { invalidRequest } from "../api-error.ts";
import { requireAuth } from "../auth.ts";
import { discardUploads, isMultipart, readJobBody } from "../job-body.ts";
import { jobView } from "../job-view.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { parseOrThrow } from "../validate.ts";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function idempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(header)) throw invalidRequest({ "Idempotency-Key": "must be 1 to 255 visible ASCII characters" });
  return header;
}

/** What accepting a job needs of the app (POST /v1/jobs, and each item of POST /v1/batches). */
export function acceptJobDeps(deps: AppDeps): AcceptJobDeps {
  const { stores, config } = deps;
  return {
    catalog: deps.catalog,
    jobs: stores.jobs,
    assets: stores.assets,
    blobs: stores.blobs,
    providers: deps.providers,
    runner: deps.runner,
    imageWork: deps.imageWork,
    holdTtlMs: config.jobTimeoutMs + config.holdMarginMs,
    leaseMs: config.jobLeaseMs,
  };
}

export function jobsCreateRoute(deps: AppDeps): Hono<AppEnv> {
  const { stores } = deps;
  const accept = acceptJobDeps(deps);

  async function create(c: Context<AppEnv>, key: string | null): Promise<Response> {
    const body = await readJobBody(c, () => stores.blobs.tempPath());
    try {
      const spec = parseOrThrow(jobSpecSchema, body.spec);
      const { job, created } = await acceptJob(accept, { caller: c.var.caller, idempotencyKey: key, spec, uploads: body.images });
      if (!created) {
        c.header("Idempotent-Replayed", "true");
        return c.json({ job: jobView(job) }, 200);
      }
      c.header("Location", `/v1/jobs/${job.id}`);
      return c.json({ job: jobView(job) }, 202);
    } finally {
      await discardUploads(body.images); // what the job did not move into the blob store
    }
  }

  return new Hono<AppEnv>().post("/v1/jobs", requireAuth(stores.teams), async (c) => {
    const key = idempotencyKey(c.req.header("idempotency-key"));
    // Uploads take disk while they are checked: only so many bodies are read at once, the rest wait unread.
    return isMultipart(c) ? deps.uploadSlots.run(() => create(c, key)) : create(c, key);
  });
}
