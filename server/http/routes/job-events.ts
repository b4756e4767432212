// GET /v1/jobs/:id/events: the job as server-sent events, for clients that want live progress without
// polling. One `job` event whenever the job changes (status, progress, assets), then the stream ends when the
// job has finished. A change is sent at once when JobChanges brings news of it: this proxy's changes always,
// every proxy's on PostgreSQL (LISTEN/NOTIFY, pg-job-changes.ts). Without news the job is read again after
// `jobChanges.pollMs`: EVENTS_POLL_MS where other proxies' changes come unannounced (SQLite, or while the
// PostgreSQL news connection is down), a rare safety net otherwise.
import { Hono } from "hono";
import { requireAuth } from "../auth.ts";
import { jobView } from "../job-view.ts";
import type { JobRecord } from "../../jobs/types.ts";
import { LOCAL_POLL_MS } from "../../jobs/job-changes.ts";
import { ApiError } from "../api-error.ts";
import { followStream, refuseWhenFull } from "../event-streams.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { pathId } from "../validate.ts";

/** How often the stream looks at the job where news of other proxies' changes does not come (SQLite). */
export const EVENTS_POLL_MS = LOCAL_POLL_MS;

export function jobEventsRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/jobs/:id/events", requireAuth(deps.stores.teams), async (c) => {
    const teamId = c.var.caller.team.id;
    const id = pathId(c);
    const first = await deps.stores.jobs.get(teamId, id);
    if (!first) throw new ApiError("not_found", "No such job");
    refuseWhenFull(deps.jobChanges);
    return followStream(c, async (stream, ended) => {
      const listen = () => deps.jobChanges.next(id, deps.jobChanges.pollMs, ended);
      // Listen, THEN look: news arriving while the job is read or sent wakes the next round. Looking first
      // would lose it, and the job would wait for the re-read, 30 s on PostgreSQL (pg-job-changes.ts).
      let changed = listen();
      let job: JobRecord | null = (await deps.stores.jobs.get(teamId, id)) ?? first;
      let last = "";
      while (job && !ended.aborted) {
        const view = jobView(job);
        const data = JSON.stringify({ job: view });
        if (data !== last) {
          await stream.writeSSE({ event: "job", data, id: view.updatedAt });
          last = data;
        }
        if (view.status === "succeeded" || view.status === "failed") break;
        await changed;
        if (ended.aborted) break;
        changed = listen();
        job = await deps.stores.jobs.get(teamId, id);
      }
    });
  });
}
