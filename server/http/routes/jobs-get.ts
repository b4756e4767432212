// GET /v1/jobs/:id: the job of the caller's team (another team's job is 404, not 403: ids do not leak).
import { Hono } from "hono";
import { requireAuth } from "../auth.ts";
import { jobView } from "../job-view.ts";
import { ApiError } from "../api-error.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { pathId } from "../validate.ts";

export function jobsGetRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/jobs/:id", requireAuth(deps.stores.teams), async (c) => {
    const job = await deps.stores.jobs.get(c.var.caller.team.id, pathId(c));
    if (!job) throw new ApiError("not_found", "No such job");
    return c.json({ job: jobView(job) });
  });
}
