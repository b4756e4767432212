// GET /health: no auth, for load balancers and the panel's "is the proxy there?" check.
import { Hono } from "hono";
import type { Health } from "../../../core/api/responses.ts";
import type { AppDeps, AppEnv } from "../types.ts";

export function healthRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/health", async (c) => {
    const ok = await deps.stores.ping();
    const body: Health = { ok, version: deps.version, database: deps.stores.database };
    return c.json(body, ok ? 200 : 503);
  });
}
