// A studio's one running job: guarded against double clicks, with its status line, its error in the
// user's words, and the balance re-read once credits are held and again when the job is done.
import { useRef, useState } from "preact/hooks";
import type { ApiClient } from "../connection/api-client.ts";
import { toApiError } from "../connection/api-error.ts";
import { describeError } from "../connection/error-text.ts";
import type { PlaceOutcome, PluginBridge } from "../connection/plugin-bridge.ts";
import { randomId } from "../connection/uuid.ts";
import type { Run } from "./job-status.tsx";
import { batchRun, itemRow, runBatch, type BatchRequest, type BatchResult, type ItemRow } from "./run-batch.ts";
import { progressRun, runJob, type JobRequest, type JobResult } from "./run-job.ts";

export interface JobHost {
  api: ApiClient;
  bridge: PluginBridge;
  /** Re-reads the balance; awaited so the balance is current by the time the job shows as done. */
  refreshBalance(): Promise<void>;
}

export interface JobState {
  run: Run | null;
  error: string | null;
  running: boolean;
  /** Runs `prepare` (e.g. export the image), then the job; `done` words the result. */
  start(prepare: () => JobRequest | Promise<JobRequest>, done: (result: JobResult) => string): Promise<void>;
  /** A batch: every item's state as it goes (failed ones with the reason and "not charged"); null for a single job. */
  items: ItemRow[] | null;
  /** Runs a batch (its items' images exported one at a time, then one POST /v1/batches); `done` words the result. */
  startBatch(prepare: () => BatchRequest | Promise<BatchRequest>, done: (result: BatchResult) => string): Promise<void>;
  /** Set while a started batch can be cancelled: the items not started are failed and their holds released. */
  cancel: (() => void) | null;
}

/** The result's words, plus where the results went when that is not the page the designer is on. */
export function withPage(text: string, page: PlaceOutcome["page"]): string {
  return page ? `${text} · on page “${page.name}”, beside their source` : text;
}

export function useJob(host: JobHost, verb: string): JobState {
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [items, setItems] = useState<ItemRow[] | null>(null);
  const [batchId, setBatchId] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  // A ref, not state: a double click must not start two jobs before the re-render disables the button.
  const busy = useRef(false);

  /**
   * One run at a time, start to finish: the guard, the starting line, the balance re-read once `held()` says
   * credits are held and again at the end (after the early read, so a slow early answer cannot overwrite the
   * final balance), and a failure in the user's words. `work` answers the final status line.
   */
  async function guarded(work: (held: () => void) => Promise<Run>) {
    if (busy.current) return;
    busy.current = true;
    setRunning(true);
    setError(null);
    setItems(null);
    setRun({ status: "starting", text: "Starting…" });
    let heldRead: Promise<void> | null = null;
    try {
      const outcome = await work(() => {
        heldRead ??= host.refreshBalance();
      });
      await heldRead;
      await host.refreshBalance();
      setRun(outcome);
    } catch (caught) {
      setBatchId(null);
      await heldRead;
      await host.refreshBalance();
      setRun({ status: "failed", text: "Failed" });
      setError(describeError(toApiError(caught)));
    } finally {
      busy.current = false;
      setCancelling(false);
      setRunning(false);
    }
  }

  const start = (prepare: () => JobRequest | Promise<JobRequest>, done: (result: JobResult) => string) =>
    guarded(async (held) => {
      const request = await prepare();
      const result = await runJob(request, {
        api: host.api,
        place: (input, onProgress) => host.bridge.placeImages(input, onProgress),
        newKey: randomId,
        onProgress: (progress) => {
          setRun(progressRun(progress, verb));
          // Once the credits are held, show the held amount in the balance.
          if (progress.phase !== "starting") held();
        },
      });
      return { status: "succeeded", text: withPage(done(result), result.page) };
    });

  const startBatch = (prepare: () => BatchRequest | Promise<BatchRequest>, done: (result: BatchResult) => string) =>
    guarded(async (held) => {
      const request = await prepare();
      const names = request.items.map((i) => i.name);
      const rows = (jobs: BatchResult["batch"]["items"]) => jobs.map((job, index) => itemRow(job, index, names[index] ?? `Item ${index + 1}`));
      setItems(names.map((name, index) => itemRow(undefined, index, name)));
      const result = await runBatch(request, {
        api: host.api,
        place: (input, onProgress) => host.bridge.placeImages(input, onProgress),
        newKey: randomId,
        onStarted: (batch) => {
          setBatchId(batch.id);
          // The whole batch is held now: show it in the balance.
          held();
        },
        onProgress: (progress) => {
          setRun(batchRun(progress, verb));
          if (progress.phase === "running") setItems(rows(progress.batch.items));
        },
      });
      setBatchId(null);
      setItems(rows(result.batch.items));
      return { status: result.nodeIds.length ? "succeeded" : "failed", text: withPage(done(result), result.page) };
    });

  const cancel =
    batchId && !cancelling
      ? () => {
          setCancelling(true);
          host.api.cancelBatch(batchId).catch((caught: unknown) => setError(describeError(toApiError(caught))));
        }
      : null;

  return { run, error, running, start, items, startBatch, cancel };
}
