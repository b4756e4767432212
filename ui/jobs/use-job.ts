// A studio's one running job: guarded against double clicks, with its status line, its error in the
// user's words, and the balance re-read once credits are held and again when the job is done.
import { useRef, useState } from "preact/hooks";
import type { ApiClient } from "../connection/api-client.ts";
import { toApiError } from "../connection/api-error.ts";
import { describeError } from "../connection/error-text.ts";
import type { PlaceOutcome, PluginBridge } from "../connection/plugin-bridge.ts";
import { randomId } from "../connection/uuid.ts";
import type { Run } from "./job-status.tsx";
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
}

/** The result's words, plus where the results went when that is not the page the designer is on. */
export function withPage(text: string, page: PlaceOutcome["page"]): string {
  return page ? `${text} · on page “${page.name}”, beside their source` : text;
}

export function useJob(host: JobHost, verb: string): JobState {
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  // A ref, not state: a double click must not start two jobs before the re-render disables the button.
  const busy = useRef(false);

  async function start(prepare: () => JobRequest | Promise<JobRequest>, done: (result: JobResult) => string) {
    if (busy.current) return;
    busy.current = true;
    setRunning(true);
    setError(null);
    setRun({ status: "starting", text: "Starting…" });
    let heldRead: Promise<void> | null = null;
    try {
      const request = await prepare();
      const result = await runJob(request, {
        api: host.api,
        place: (input, onProgress) => host.bridge.placeImages(input, onProgress),
        newKey: randomId,
        onProgress: (progress) => {
          setRun(progressRun(progress, verb));
          // Once the credits are held, show the held amount in the balance.
          if (progress.phase !== "starting" && !heldRead) heldRead = host.refreshBalance();
        },
      });
      // After the early read, so a slow early answer cannot overwrite the final balance.
      await heldRead;
      await host.refreshBalance();
      setRun({ status: "succeeded", text: withPage(done(result), result.page) });
    } catch (caught) {
      await heldRead;
      await host.refreshBalance();
      setRun({ status: "failed", text: "Failed" });
      setError(describeError(toApiError(caught)));
    } finally {
      busy.current = false;
      setRunning(false);
    }
  }

  return { run, error, running, start };
}
