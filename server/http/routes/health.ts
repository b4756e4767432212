// GET /health: no auth, for load balancers and the panel's "is the proxy there?" check. 503 when the database
// cannot be reached ("unavailable") and while the instance drains before exiting ("draining": send it no new
// work; docs/architecture.md, "Several instances").
import { Hono } from "hono";
import type { Health } from "../../../core/api/responses.ts";
import type { AppDeps, AppEnv } from "../types.ts";

export function healthRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/health", async (c) => {
    const reachable = await deps.stores.ping();
    const status = deps.lifecycle?.draining ? "draining" : reachable ? "ok" : "unavailable";
    const ok = status === "ok";
    const body: Health = { ok, status, version: deps.version, database: deps.stores.database };
    return c.json(body, ok ? 200 : 503);
  });
}
