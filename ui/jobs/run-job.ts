// One job, start to finish, for every studio: start it (one idempotency key per click; image parts as
// multipart), follow it, then hand its images to the plugin one at a time, each fetched just before it
// goes: beside the selection for Create, beside (or into) the source image for Edit and Upscale.
// Dependencies come in so it runs in tests.
import type { Job } from "../../core/api/responses.ts";
import type { JobSpec } from "../../core/api/specs.ts";
import type { ApiClient, ImageParts } from "../connection/api-client.ts";
import { ApiError } from "../connection/api-error.ts";
import type { PlaceInput, PlaceOutcome } from "../connection/plugin-bridge.ts";
import type { Run } from "./job-status.tsx";
import { withProject } from "./project-choice.ts";

export type Progress =
  | { phase: "starting" }
  | { phase: "queued" | "running"; job: Job }
  | { phase: "placing"; job: Job; taken: number };

export interface JobRequest {
  spec: JobSpec;
  /** Layer name of the placed images. */
  name: string;
  /** The image, mask and reference parts of an edit or upscale. */
  parts?: ImageParts;
  /** Edit and upscale: the node the image came from, and whether the result replaces its fill. */
  source?: { nodeId: string; replace: boolean };
  /** Social: gives each image its format's frame, from the finished job's assets. */
  frame?(input: PlaceInput, job: Job): PlaceInput;
}

export interface RunJobDeps {
  api: Pick<ApiClient, "createJob" | "waitForJob" | "assetBytes">;
  place(input: PlaceInput, onProgress: (taken: number, total: number) => void): Promise<PlaceOutcome>;
  newKey(): string;
  onProgress?(progress: Progress): void;
}

export interface JobResult extends PlaceOutcome {
  job: Job;
}

/** Layer name of the placed images: the start of the prompt (or of any text). */
export function layerName(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 59)}…` : oneLine;
}

const imagesText = (n: number) => `${n} ${n === 1 ? "image" : "images"}`;

/** The status line for a job's progress; `verb` says what the studio does ("Generating", "Upscaling"). */
export function progressRun(progress: Progress, verb: string): Run {
  switch (progress.phase) {
    case "starting":
      return { status: "starting", text: "Starting…" };
    case "queued": {
      const position = progress.job.progress.queuePosition;
      return { status: "queued", text: position ? `Queued · position ${position}` : "Queued…" };
    }
    case "running": {
      const { completed, total } = progress.job.progress;
      return { status: "running", text: total > 1 ? `${verb} · ${completed} of ${total} done` : `${verb}…`, fraction: completed / total };
    }
    case "placing": {
      const total = progress.job.assets.length;
      const text = total > 1 && progress.taken < total ? `Placing ${progress.taken + 1} of ${total} images on the canvas…` : `Placing ${imagesText(total)} on the canvas…`;
      return { status: "placing", text, fraction: total ? progress.taken / total : 1 };
    }
  }
}

export async function runJob(request: JobRequest, deps: RunJobDeps): Promise<JobResult> {
  const { spec } = request;
  deps.onProgress?.({ phase: "starting" });
  const started = await deps.api.createJob(withProject(spec), deps.newKey(), request.parts);
  const report = (job: Job) => {
    if (job.status === "queued" || job.status === "running") deps.onProgress?.({ phase: job.status, job });
  };
  report(started);
  const job = await deps.api.waitForJob(started, { onUpdate: report });
  if (job.status === "failed") {
    const error = job.error;
    throw new ApiError(error?.code ?? "provider_error", error?.message ?? "The job failed", { ...error?.details, jobId: job.id, charged: job.charged });
  }
  deps.onProgress?.({ phase: "placing", job, taken: 0 });
  const prompt = "prompt" in spec && typeof spec.prompt === "string" ? spec.prompt : undefined;
  try {
    const input: PlaceInput = {
      name: request.name,
      images: job.assets.map((asset) => ({ width: asset.width, height: asset.height, assetId: asset.id, bytes: () => deps.api.assetBytes(asset.url) })),
      provenance: { jobId: job.id, operation: job.operation, ...(prompt !== undefined ? { prompt } : {}), spec: JSON.stringify(spec) },
      ...(request.source ? { source: request.source } : {}),
    };
    const placed = await deps.place(request.frame ? request.frame(input, job) : input, (taken) => deps.onProgress?.({ phase: "placing", job, taken }));
    return { job, ...placed };
  } catch (error) {
    // The job succeeded and was charged; say so, and keep the job id so the asset can be found again.
    const message = error instanceof Error ? error.message : String(error);
    throw new ApiError("placement_failed", message, { jobId: job.id, charged: job.charged });
  }
}
