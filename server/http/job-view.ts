// A stored job as the API shows it (core's jobSchema). Asset URLs are relative to the proxy, so they work
// behind any host name or reverse proxy.
import type { AssetRef, Job } from "../../core/api/responses.ts";
import type { AssetRecord } from "../assets/types.ts";
import type { JobRecord } from "../jobs/types.ts";

export function assetUrl(assetId: string): string {
  return `/v1/assets/${assetId}/content`;
}

function assetRef(a: AssetRecord): AssetRef {
  return {
    id: a.id,
    width: a.width,
    height: a.height,
    contentType: a.contentType,
    bytes: a.bytes,
    cost: a.cost,
    url: assetUrl(a.id),
    ...(a.format ? { format: a.format } : {}),
  };
}

export function jobView(job: JobRecord): Job {
  return {
    id: job.id,
    status: job.status,
    operation: job.operation,
    route: job.route,
    progress: job.progress,
    estimate: job.estimate,
    held: job.held,
    charged: job.charged,
    assets: job.assets.map(assetRef),
    ...(job.reusedFrom ? { reusedFrom: job.reusedFrom } : {}),
    ...(job.batch ? { batch: job.batch } : {}),
    ...("projectId" in job.spec && job.spec.projectId ? { projectId: job.spec.projectId } : {}),
    ...(job.error ? { error: job.error } : {}),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}
