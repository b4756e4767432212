// GET /v1/catalog: the prices the panel's badges are computed from, and which providers this proxy can use.
import { Hono } from "hono";
import type { CatalogResponse } from "../../../core/api/responses.ts";
import { requireAuth } from "../../auth/middleware.ts";
import type { AppDeps, AppEnv } from "../types.ts";

export function catalogRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/catalog", requireAuth(deps.stores.teams), (c) => {
    const body: CatalogResponse = { catalog: deps.catalog, providers: deps.providers.statuses() };
    return c.json(body);
  });
}
