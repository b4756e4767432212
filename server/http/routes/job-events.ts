// GET /v1/jobs/:id/events: the job as server-sent events, for clients that want live progress without
// polling. One `job` event whenever the job changes (status, progress, assets), then the stream ends when the
// job has finished. It reads the job store (any proxy may be running the job), so it works across instances.
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { requireAuth } from "../../auth/middleware.ts";
import { jobView } from "../../jobs/job-view.ts";
import type { JobRecord } from "../../jobs/types.ts";
import { ApiError } from "../api-error.ts";
import type { AppDeps, AppEnv } from "../types.ts";

/** How often the stream looks at the job; a change is sent at most this late. */
export const EVENTS_POLL_MS = 100;

export function jobEventsRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/jobs/:id/events", requireAuth(deps.stores.teams), async (c) => {
    const teamId = c.var.caller.team.id;
    const id = c.req.param("id");
    const first = await deps.stores.jobs.get(teamId, id);
    if (!first) throw new ApiError("not_found", "No such job");
    return streamSSE(c, async (stream) => {
      let aborted = false;
      stream.onAbort(() => {
        aborted = true;
      });
      let last = "";
      for (let job: JobRecord | null = first; job && !aborted; job = await deps.stores.jobs.get(teamId, id)) {
        const view = jobView(job);
        const data = JSON.stringify({ job: view });
        if (data !== last) {
          await stream.writeSSE({ event: "job", data, id: view.updatedAt });
          last = data;
        }
        if (view.status === "succeeded" || view.status === "failed") break;
        await stream.sleep(EVENTS_POLL_MS);
      }
    });
  });
}
