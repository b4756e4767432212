// One Generate click, start to finish: start the job (one idempotency key per click), follow it, fetch
// the images and hand them to the plugin in one `place-images`. Dependencies come in so it runs in tests.
import type { Job } from "../core/api/responses.ts";
import type { JobSpec } from "../core/api/specs.ts";
import { ApiError } from "./api-error.ts";
import type { ApiClient } from "./api-client.ts";
import type { PlaceImagesInput } from "./plugin-bridge.ts";

export type Progress =
  | { phase: "starting" }
  | { phase: "queued" | "running"; job: Job }
  | { phase: "placing"; job: Job };

export interface GenerateDeps {
  api: Pick<ApiClient, "createJob" | "waitForJob" | "assetBytes">;
  place(input: PlaceImagesInput): Promise<string[]>;
  newKey(): string;
  onProgress?(progress: Progress): void;
}

export interface GenerateResult {
  job: Job;
  nodeIds: string[];
}

/** Layer name of the placed images: the start of the prompt. */
export function layerName(prompt: string): string {
  const oneLine = prompt.replace(/\s+/g, " ").trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 59)}…` : oneLine;
}

export async function generate(spec: JobSpec, deps: GenerateDeps): Promise<GenerateResult> {
  deps.onProgress?.({ phase: "starting" });
  const started = await deps.api.createJob(spec, deps.newKey());
  const report = (job: Job) => {
    if (job.status === "queued" || job.status === "running") deps.onProgress?.({ phase: job.status, job });
  };
  report(started);
  const job = await deps.api.waitForJob(started, { onUpdate: report });
  if (job.status === "failed") {
    const error = job.error;
    throw new ApiError(error?.code ?? "provider_error", error?.message ?? "The job failed", { ...error?.details, jobId: job.id, charged: job.charged });
  }
  deps.onProgress?.({ phase: "placing", job });
  const images = await Promise.all(
    job.assets.map(async (asset) => ({ bytes: await deps.api.assetBytes(asset.url), width: asset.width, height: asset.height, assetId: asset.id })),
  );
  const prompt = "prompt" in spec && typeof spec.prompt === "string" ? spec.prompt : undefined;
  try {
    const nodeIds = await deps.place({
      name: layerName(prompt ?? job.operation),
      images,
      provenance: { jobId: job.id, operation: job.operation, ...(prompt !== undefined ? { prompt } : {}), spec: JSON.stringify(spec) },
    });
    return { job, nodeIds };
  } catch (error) {
    // The job succeeded and was charged; say so, and keep the job id so the asset can be found again.
    const message = error instanceof Error ? error.message : String(error);
    throw new ApiError("placement_failed", message, { jobId: job.id, charged: job.charged });
  }
}
