// Accepting a batch (POST /v1/batches once its body is read; docs/api.md): a batch bigger than the caller's
// tier allows is refused first → each item is checked exactly as a single job is (accept-job.ts: the spec
// against the catalog, its images decoded, routed, the routed provider's limits, its source asset), and the
// first refused item refuses the whole batch, naming it → (one transaction, batch-store.ts) replay or rate
// limit, price the batch once, insert it and its items, hold each item's share → store the uploads → start
// every item. Nothing is held or stored for a refused batch.
import { createHash } from "node:crypto";
import type { Batch, JobSpec } from "../../core/api/specs.ts";
import { estimate, tierById } from "../../core/estimate.ts";
import { checkJob, freeModelKeys, keepingLeases, storeInputs, usableNow, type AcceptJobDeps } from "./accept-job.ts";
import type { BatchStore, BatchWithItems, NewBatchItem } from "./batch-store.ts";
import type { DecodedInputs } from "./decode-inputs.ts";
import { BatchItemRefusedError, InvalidJobRequestError, JobRefusedError } from "./errors.ts";
import { canonical, requestHash } from "./request-hash.ts";
import { reuseKey } from "./reuse-key.ts";
import type { ImagePart, ImageUpload } from "./types.ts";
import type { Caller } from "../teams/types.ts";

export interface AcceptBatchDeps extends AcceptJobDeps {
  batches: Pick<BatchStore, "createWithHolds">;
  /**
   * A batch's items wait their turn for provider slots (PROVIDER_CONCURRENCY at a time): item i's hold lasts
   * `holdTtlMs` plus one job timeout (`waveMs`) for each `itemsPerWave` items ahead of it, so no item's hold
   * expires (failing it) merely because it waited behind its own batch. A crashed proxy's items are taken
   * over by lease long before that (docs/ledger.md invariant 4).
   */
  waves: { itemsPerWave: number; waveMs: number };
}

export interface BatchRequest {
  caller: Caller;
  idempotencyKey: string | null;
  /** Parsed with core's batchSchema. */
  batch: Batch;
  /** Each item's image parts as received, by item index; the caller keeps them and discards what this did not store. */
  uploads: readonly (Partial<Record<ImagePart, ImageUpload>> | undefined)[];
}

/** The fingerprint of a batch request for Idempotency-Key checks: every item's spec and image hashes, in order. */
export function batchRequestHash(items: readonly { spec: JobSpec; images: Readonly<Record<string, string>> }[]): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical({ batch: items })))
    .digest("hex");
}

const sha256s = (uploads: Partial<Record<string, ImageUpload>> | undefined) =>
  Object.fromEntries(Object.entries(uploads ?? {}).flatMap(([part, u]) => (u ? [[part, u.sha256]] : [])));

/** The batch, held and started (`created`), or the first batch of an idempotent retry (`created: false`). */
export async function acceptBatch(deps: AcceptBatchDeps, request: BatchRequest): Promise<BatchWithItems & { created: boolean }> {
  const { team, member } = request.caller;
  const { items } = request.batch;
  // Too big for the tier: a bad request, before any image is decoded or anything held (the figure is the
  // catalog's; the transaction's estimate checks it again against the tier read there).
  if (items.length > tierById(deps.catalog, team.tier).maxBatch) throw new JobRefusedError(estimate(request.batch, deps.catalog, { tier: team.tier }).reasons[0]!);
  const extra = request.uploads.findIndex((u, i) => u !== undefined && i >= items.length);
  if (extra >= 0) throw new BatchItemRefusedError(extra, new InvalidJobRequestError({ "(item)": `has image parts, but the batch has ${items.length} items` }));

  const usable = await usableNow(deps);
  const checked: { spec: JobSpec; images: DecodedInputs; item: NewBatchItem }[] = [];
  for (const [index, requested] of items.entries()) {
    try {
      // Each item exactly as a single job is checked.
      const { spec, images, route, inputs } = await checkJob(deps, team.id, requested, request.uploads[index] ?? {}, usable);
      checked.push({
        spec,
        images,
        item: {
          spec,
          requestHash: requestHash(spec, sha256s(request.uploads[index])),
          inputs,
          freeModelKeys: freeModelKeys(route, deps.catalog),
          // Its result may be reused by a later identical job; a batch item itself never reuses (docs/api.md).
          reuseKey: reuseKey(spec, route, inputs),
        },
      });
    } catch (error) {
      throw new BatchItemRefusedError(index, error);
    }
  }

  // Priced with each item's real input size (its own surcharge), as the panel's badge priced it.
  const priced: Batch = { items: checked.map((c) => c.spec) };
  const result = await deps.batches.createWithHolds({
    teamId: team.id,
    memberId: member.id,
    idempotencyKey: request.idempotencyKey,
    requestHash: batchRequestHash(checked.map((c, i) => ({ spec: c.spec, images: sha256s(request.uploads[i]) }))),
    items: checked.map((c) => c.item),
    price: (state) => estimate(priced, deps.catalog, { ...state, ...usable }),
    holdTtlMs: (index) => deps.holdTtlMs + Math.floor(index / Math.max(1, deps.waves.itemsPerWave)) * deps.waves.waveMs,
    leaseMs: deps.leaseMs,
  });
  if (!result.created) return result;
  // Item after item, each started once its uploads are stored; the later items' leases kept meanwhile.
  await keepingLeases(
    deps,
    result.items.map((j) => j.id),
    async (done) => {
      for (const [index, job] of result.items.entries()) {
        try {
          await storeInputs(deps, job, checked[index]!.images);
        } catch {
          continue; // that item failed and released its share (storeInputs); the others still run
        } finally {
          done(job.id);
        }
        deps.runner.enqueue(job);
      }
    },
  );
  return result;
}
