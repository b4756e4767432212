// GET /v1/openapi.json: the API's OpenAPI 3.1 document, generated from core's schemas (core/api/openapi.ts).
// Public, like /health: it says what the API is, nothing about any team.
import { Hono } from "hono";
import { openApiDocument } from "../../../core/api/openapi.ts";
import type { AppDeps, AppEnv } from "../types.ts";

export function openApiRoute(deps: AppDeps) {
  // Built once: the schemas do not change while the proxy runs.
  const document = openApiDocument(deps.version);
  return new Hono<AppEnv>().get("/v1/openapi.json", (c) => c.json(document));
}
