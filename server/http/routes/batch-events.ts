// GET /v1/batches/:id/events: a batch as server-sent events (docs/api.md), like GET /v1/jobs/:id/events for
// a job. A `batch` event with the whole view first and at each change of the batch's status (or its
// cancelled flag), an `item` event each time an item changes, and the stream ends once every item has
// finished. It wakes at the next change of any unfinished item (JobChanges.nextAny: one waiter for the whole
// batch, with news from every proxy on PostgreSQL) and otherwise reads the batch again after
// `jobChanges.pollMs`, as GET /v1/jobs/:id/events does, so items run by another proxy are followed too.
import { Hono } from "hono";
import type { BatchView } from "../../../core/api/responses.ts";
import { requireAuth } from "../auth.ts";
import { batchFinished, batchView } from "../batch-view.ts";
import { ApiError } from "../api-error.ts";
import { followStream, refuseWhenFull } from "../event-streams.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { pathId } from "../validate.ts";

export function batchEventsRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/batches/:id/events", requireAuth(deps.stores.teams), async (c) => {
    const teamId = c.var.caller.team.id;
    const id = pathId(c);
    const first = await deps.stores.batches.get(teamId, id);
    if (!first) throw new ApiError("not_found", "No such batch");
    refuseWhenFull(deps.jobChanges);
    return followStream(c, async (stream, ended) => {
      let sentBatch = "";
      const sentItems = new Map<number, string>();
      // Listen before looking, so a change made while the batch is read and sent is not missed: only the
      // items unfinished at the last look can change.
      const listen = (b: BatchView) =>
        deps.jobChanges.nextAny(
          b.items.filter((j) => j.status === "queued" || j.status === "running").map((j) => j.id),
          deps.jobChanges.pollMs,
          ended,
        );
      let view = batchView(first);
      let changed = listen(view);
      const again = await deps.stores.batches.get(teamId, id);
      if (again) view = batchView(again);
      for (;;) {
        // Items first, so a client has each item's news before the batch's; the first view carries them all.
        for (const [index, job] of view.items.entries()) {
          const data = JSON.stringify(job);
          if (sentItems.get(index) === data) continue;
          if (sentItems.size === view.items.length)
            await stream.writeSSE({ event: "item", data: JSON.stringify({ batchId: view.id, index, job }), id: job.updatedAt });
          sentItems.set(index, data);
        }
        const head = `${view.status}/${view.cancelled}`;
        if (head !== sentBatch) {
          await stream.writeSSE({ event: "batch", data: JSON.stringify({ batch: view }), id: view.updatedAt });
          sentBatch = head;
        }
        if (batchFinished(view.status) || ended.aborted) break;
        await changed;
        if (ended.aborted) break;
        changed = listen(view);
        const next = await deps.stores.batches.get(teamId, id);
        if (!next) break;
        view = batchView(next);
      }
    });
  });
}
