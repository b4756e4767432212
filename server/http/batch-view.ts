// A stored batch as the API shows it (core's batchViewSchema). Everything but the request's own facts is
// derived from the item jobs, so a batch can never disagree with its items or with the ledger: held and
// charged are the sums of the items' (each its own hold and capture), progress counts the items' states.
import type { BatchStatus, BatchView } from "../../core/api/responses.ts";
import type { BatchWithItems } from "../jobs/batch-store.ts";
import type { JobRecord } from "../jobs/types.ts";
import { jobView } from "./job-view.ts";

const isCancelled = (j: JobRecord) => j.status === "failed" && j.error?.code === "cancelled";

function statusOf(items: readonly JobRecord[]): BatchStatus {
  const finished = items.filter((j) => j.status === "succeeded" || j.status === "failed");
  const succeeded = items.filter((j) => j.status === "succeeded").length;
  if (finished.length === items.length) return succeeded === items.length ? "succeeded" : succeeded > 0 ? "partial" : "failed";
  return items.some((j) => j.status !== "queued") ? "running" : "queued";
}

/** True once every item has finished: nothing of the batch will change any more. */
export function batchFinished(status: BatchStatus): boolean {
  return status === "succeeded" || status === "partial" || status === "failed";
}

export function batchView({ batch, items }: BatchWithItems): BatchView {
  const count = (status: JobRecord["status"]) => items.filter((j) => j.status === status).length;
  const updatedAt = items.reduce((max, j) => (j.updatedAt > max ? j.updatedAt : max), batch.updatedAt);
  return {
    id: batch.id,
    status: statusOf(items),
    operation: batch.operation,
    estimate: batch.estimate,
    held: items.reduce((n, j) => n + j.held, 0),
    charged: items.reduce((n, j) => n + j.charged, 0),
    progress: {
      total: items.length,
      queued: count("queued"),
      running: count("running"),
      succeeded: count("succeeded"),
      failed: count("failed"),
      cancelled: items.filter(isCancelled).length,
    },
    cancelled: batch.cancelled,
    items: items.map(jobView),
    createdAt: batch.createdAt,
    updatedAt,
  };
}
