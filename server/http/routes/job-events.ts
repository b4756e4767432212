// GET /v1/jobs/:id/events: the job as server-sent events, for clients that want live progress without
// polling. One `job` event whenever the job changes (status, progress, assets), then the stream ends when the
// job has finished. A change made by this proxy's runner is sent at once; the job store is also read every
// EVENTS_POLL_MS, so a job run by another proxy instance is followed too.
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { requireAuth } from "../auth.ts";
import { jobView } from "../job-view.ts";
import type { JobRecord } from "../../jobs/types.ts";
import { ApiError } from "../api-error.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { pathId } from "../validate.ts";

/** How often the stream looks at the job without news from this proxy's runner. */
export const EVENTS_POLL_MS = 250;

export function jobEventsRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/jobs/:id/events", requireAuth(deps.stores.teams), async (c) => {
    const teamId = c.var.caller.team.id;
    const id = pathId(c);
    const first = await deps.stores.jobs.get(teamId, id);
    if (!first) throw new ApiError("not_found", "No such job");
    return streamSSE(c, async (stream) => {
      let aborted = false;
      stream.onAbort(() => {
        aborted = true;
      });
      let last = "";
      let job: JobRecord | null = first;
      while (job && !aborted) {
        // Listen before looking, so a change made while this job is being sent is not missed.
        const changed = deps.jobChanges.next(id, EVENTS_POLL_MS);
        const view = jobView(job);
        const data = JSON.stringify({ job: view });
        if (data !== last) {
          await stream.writeSSE({ event: "job", data, id: view.updatedAt });
          last = data;
        }
        if (view.status === "succeeded" || view.status === "failed") break;
        await changed;
        job = await deps.stores.jobs.get(teamId, id);
      }
    });
  });
}
