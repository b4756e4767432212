// POST /v1/batches, GET /v1/batches/:id, POST /v1/batches/:id/cancel (docs/api.md). A batch is read like a
// job body (batch-body.ts), accepted by jobs/accept-batch.ts (checked item by item, priced and held as one,
// each item then a job of its own), and shown by batch-view.ts from its items. The same Idempotency-Key
// with the same request returns the first batch (200, Idempotent-Replayed) and holds nothing again.
import { Hono, type Context } from "hono";
import { batchSchema } from "../../../core/api/specs.ts";
import { acceptBatch, type AcceptBatchDeps } from "../../jobs/accept-batch.ts";
import { ApiError, invalidRequest } from "../api-error.ts";
import { requireAuth } from "../auth.ts";
import { discardFiles, readBatchBody } from "../batch-body.ts";
import { batchView } from "../batch-view.ts";
import { isMultipart } from "../job-body.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { fieldsOf, pathId } from "../validate.ts";
import { acceptJobDeps, idempotencyKey } from "./jobs-create.ts";

/** What a cancelled item's `error` says. */
const CANCELLED = { code: "cancelled", message: "The batch was cancelled before this item started. Nothing was charged." } as const;

/** A spec that fails the schema refuses the whole batch; `details.item` names the first item at fault. */
function parseBatch(value: unknown) {
  const parsed = batchSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = fieldsOf(parsed.error);
  const item = Object.keys(fields)
    .map((k) => /^items\.(\d+)(\.|$)/.exec(k))
    .find((m) => m !== null);
  const error = invalidRequest(fields);
  throw item ? new ApiError("invalid_request", error.message, { ...error.details, item: Number(item[1]) }) : error;
}

export function batchesRoute(deps: AppDeps): Hono<AppEnv> {
  const { stores, config } = deps;
  const accept: AcceptBatchDeps = {
    ...acceptJobDeps(deps),
    batches: stores.batches,
    waves: { itemsPerWave: config.providerConcurrency, waveMs: config.jobTimeoutMs },
  };
  const auth = requireAuth(stores.teams);

  async function create(c: Context<AppEnv>, key: string | null): Promise<Response> {
    const body = await readBatchBody(c, () => stores.blobs.tempPath());
    try {
      const batch = parseBatch(body.batch);
      const result = await acceptBatch(accept, { caller: c.var.caller, idempotencyKey: key, batch, uploads: body.uploads });
      if (!result.created) {
        c.header("Idempotent-Replayed", "true");
        return c.json({ batch: batchView(result) }, 200);
      }
      c.header("Location", `/v1/batches/${result.batch.id}`);
      return c.json({ batch: batchView(result) }, 202);
    } finally {
      await discardFiles(body.files); // what the items did not move into the blob store
    }
  }

  return new Hono<AppEnv>()
    .post("/v1/batches", auth, async (c) => {
      const key = idempotencyKey(c.req.header("idempotency-key"));
      // One request, one upload slot: MAX_BODY_BYTES and UPLOAD_CONCURRENCY bound the whole batch.
      return isMultipart(c) ? deps.uploadSlots.run(() => create(c, key)) : create(c, key);
    })
    .get("/v1/batches/:id", auth, async (c) => {
      const found = await stores.batches.get(c.var.caller.team.id, pathId(c));
      if (!found) throw new ApiError("not_found", "No such batch");
      return c.json({ batch: batchView(found) });
    })
    .post("/v1/batches/:id/cancel", auth, async (c) => {
      const { team, member } = c.var.caller;
      const id = pathId(c);
      const found = await stores.batches.get(team.id, id);
      if (!found) throw new ApiError("not_found", "No such batch");
      if (found.batch.memberId !== member.id && member.role !== "manager")
        throw new ApiError("forbidden", "Only the member who started this batch or a manager of your team can cancel it");
      const result = await stores.batches.cancel(team.id, id, CANCELLED);
      if (!result) throw new ApiError("not_found", "No such batch");
      // Events streams answer at once: they wait on the batch's unfinished items, cancelled or still running.
      for (const job of result.items) if (job.status !== "succeeded") deps.jobChanges.notify(job.id);
      return c.json({ batch: batchView(result) });
    });
}
