// One batch, start to finish (docs/api.md, "Batches"): each item's image exported from the plugin one at a
// time, one POST /v1/batches (one idempotency key per click) that prices and holds the whole batch as one,
// per-item progress from its event stream, then every delivered image handed to the plugin one per message
// as ONE placement, each beside (or into) its own item's source: one undo step. Items that failed are listed
// with their reason and what they cost (nothing: a failed item's hold is released). Dependencies come in so
// it runs in tests.
import type { BatchView, Job } from "../../core/api/responses.ts";
import type { JobSpec } from "../../core/api/specs.ts";
import type { ApiClient, ImageParts } from "../connection/api-client.ts";
import { ApiError } from "../connection/api-error.ts";
import type { OutgoingImage, PlaceInput, PlaceOutcome } from "../connection/plugin-bridge.ts";
import { creditsText } from "./badge.ts";
import type { Run } from "./job-status.tsx";
import { withProject } from "./project-choice.ts";

export interface BatchItemRequest {
  spec: JobSpec;
  /** What the item is called in the list, and its results' layer name. */
  name: string;
  /** Edit, upscale and social: exports the item's image (and mask) from the plugin, when its turn comes. */
  parts?: () => Promise<ImageParts>;
  /** Edit, upscale and social: the node its results go beside, or (replace) into. */
  source?: { nodeId: string; replace: boolean };
  /** Create: its images are named "<placement name> <n>" from this number on, counting across the batch. */
  numberFrom?: number;
}

export interface BatchRequest {
  items: BatchItemRequest[];
  /** Name of the placement (the items' results carry their own). */
  name: string;
  /**
   * What Regenerate on a result reopens, when it is not the first delivered item's spec: Create's 20 drafts
   * run as items of the tier's most variations, and Regenerate repeats the 20 asked for (create-form.ts).
   */
  spec?: JobSpec;
  /** Social: gives each image its format's frame, from the finished items' assets. */
  frame?(input: PlaceInput, jobs: readonly Job[]): PlaceInput;
}

export type BatchProgress =
  | { phase: "exporting"; done: number; total: number }
  | { phase: "starting" }
  | { phase: "running"; batch: BatchView }
  | { phase: "placing"; batch: BatchView; taken: number; total: number };

/** An item that delivered nothing: why, in the proxy's words, and what it cost (0: its hold was released). */
export interface ItemFailure {
  index: number;
  name: string;
  code: string;
  message: string;
  charged: number;
}

export interface BatchResult extends PlaceOutcome {
  batch: BatchView;
  failures: ItemFailure[];
}

export interface RunBatchDeps {
  api: Pick<ApiClient, "createBatch" | "followBatch" | "assetBytes">;
  place(input: PlaceInput, onProgress: (taken: number, total: number) => void): Promise<PlaceOutcome>;
  newKey(): string;
  onProgress?(progress: BatchProgress): void;
  /** The batch was accepted (credits held): from here on it can be cancelled. */
  onStarted?(batch: BatchView): void;
}

/** A row of the panel's per-item list. */
export interface ItemRow {
  index: number;
  name: string;
  status: "queued" | "running" | "succeeded" | "failed" | "cancelled";
  text: string;
}

const imagesText = (n: number) => `${n} ${n === 1 ? "image" : "images"}`;

/** An item's state in the user's words; a failed one says what it cost, which for a failure is nothing. */
export function itemRow(job: Job | undefined, index: number, name: string): ItemRow {
  if (!job) return { index, name, status: "queued", text: "Waiting" };
  switch (job.status) {
    case "queued":
      return { index, name, status: "queued", text: "Queued" };
    case "running": {
      const { completed, total } = job.progress;
      return { index, name, status: "running", text: total > 1 ? `Running · ${completed} of ${total}` : "Running…" };
    }
    case "succeeded":
      return { index, name, status: "succeeded", text: `Done · ${creditsText(job.charged)} charged` };
    case "failed": {
      const cost = job.charged > 0 ? `${creditsText(job.charged)} charged` : "not charged";
      if (job.error?.code === "cancelled") return { index, name, status: "cancelled", text: `Cancelled · ${cost}` };
      // The proxy's message may already say "Nothing was charged."; the list says it once, the same way for every item.
      const reason = (job.error?.message ?? "Failed").replace(/\s*Nothing was charged\.?$/, "").replace(/\.$/, "");
      return { index, name, status: "failed", text: `${reason} · ${cost}` };
    }
  }
}

/** The status line for a batch's progress; `verb` says what the studio does ("Upscaling"). */
export function batchRun(progress: BatchProgress, verb: string): Run {
  switch (progress.phase) {
    case "exporting":
      return { status: "starting", text: `Reading image ${Math.min(progress.done + 1, progress.total)} of ${progress.total} from the canvas…`, fraction: progress.done / progress.total };
    case "starting":
      return { status: "starting", text: "Starting…" };
    case "running": {
      const p = progress.batch.progress;
      const done = p.succeeded + p.failed;
      return { status: p.running || done ? "running" : "queued", text: `${verb} · ${done} of ${p.total} done`, fraction: done / p.total };
    }
    case "placing":
      return {
        status: "placing",
        text: progress.taken < progress.total ? `Placing ${progress.taken + 1} of ${progress.total} images on the canvas…` : `Placing ${imagesText(progress.total)} on the canvas…`,
        fraction: progress.total ? progress.taken / progress.total : 1,
      };
  }
}

/** A batch's counts from its items, for between its own `batch` events. */
export function progressOf(items: readonly Job[]): BatchView["progress"] {
  const count = (status: Job["status"]) => items.filter((j) => j.status === status).length;
  return {
    total: items.length,
    queued: count("queued"),
    running: count("running"),
    succeeded: count("succeeded"),
    failed: count("failed"),
    cancelled: items.filter((j) => j.error?.code === "cancelled").length,
  };
}

/** Every failed item of a finished batch, in order. */
export function failuresOf(batch: BatchView, names: readonly string[]): ItemFailure[] {
  return batch.items.flatMap((job, index) =>
    job.status === "failed" ? [{ index, name: names[index] ?? `Item ${index + 1}`, code: job.error?.code ?? "provider_error", message: job.error?.message ?? "Failed", charged: job.charged }] : [],
  );
}

export async function runBatch(request: BatchRequest, deps: RunBatchDeps): Promise<BatchResult> {
  const { items } = request;
  const names = items.map((i) => i.name);
  // One image at a time out of the sandbox (docs/figma.md): each export is one message and one image.
  const parts: (ImageParts | undefined)[] = [];
  for (const [index, item] of items.entries()) {
    deps.onProgress?.({ phase: "exporting", done: index, total: items.length });
    try {
      parts.push(item.parts ? await item.parts() : undefined);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ApiError("export_failed", `“${item.name}”: ${message}`, { item: index });
    }
  }
  deps.onProgress?.({ phase: "starting" });
  const started = await deps.api.createBatch({ items: items.map((i) => withProject(i.spec)) }, deps.newKey(), parts.some(Boolean) ? parts : undefined);
  deps.onStarted?.(started);
  let latest = started;
  deps.onProgress?.({ phase: "running", batch: latest });
  const finished = await deps.api.followBatch(started, {
    onItem: (index, job) => {
      const jobs = latest.items.slice();
      jobs[index] = job;
      latest = { ...latest, items: jobs, progress: progressOf(jobs) };
      deps.onProgress?.({ phase: "running", batch: latest });
    },
    onBatch: (batch) => {
      latest = batch;
      deps.onProgress?.({ phase: "running", batch });
    },
  });
  const failures = failuresOf(finished, names);
  const delivered = finished.items.filter((job) => job.assets.length > 0);
  if (!delivered.length) return { batch: finished, failures, nodeIds: [] };

  const total = delivered.reduce((n, job) => n + job.assets.length, 0);
  deps.onProgress?.({ phase: "placing", batch: finished, taken: 0, total });
  const first = items[0]!.spec;
  const prompt = "prompt" in first && typeof first.prompt === "string" ? first.prompt : undefined;
  try {
    const images: OutgoingImage[] = finished.items.flatMap((job, index) => {
      const item = items[index]!;
      return job.assets.map((asset, n) => ({
        width: asset.width,
        height: asset.height,
        assetId: asset.id,
        jobId: job.id,
        name: item.numberFrom !== undefined ? `${request.name} ${item.numberFrom + n}` : job.assets.length > 1 ? `${item.name} ${n + 1}` : item.name,
        ...(item.source ? { source: item.source } : {}),
        bytes: () => deps.api.assetBytes(asset.url),
      }));
    });
    const input: PlaceInput = {
      name: request.name,
      images,
      // Each result is tagged with its own item's job (`jobId` above); the spec reopens the batch's settings.
      provenance: {
        jobId: delivered[0]!.id,
        operation: first.operation,
        ...(prompt !== undefined ? { prompt } : {}),
        spec: JSON.stringify(request.spec ?? items[finished.items.indexOf(delivered[0]!)]!.spec),
      },
    };
    const placed = await deps.place(request.frame ? request.frame(input, finished.items) : input, (taken) => deps.onProgress?.({ phase: "placing", batch: finished, taken, total }));
    return { batch: finished, failures, ...placed };
  } catch (error) {
    // The items succeeded and were charged; say so, and keep the batch id so the assets can be found again.
    const message = error instanceof Error ? error.message : String(error);
    throw new ApiError("placement_failed", message, { batchId: finished.id, charged: finished.charged });
  }
}
