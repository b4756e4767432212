// The proxy's HTTP app. createApp only wires; every dependency comes in through `deps`.
import { Hono } from "hono";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { bodyLimit } from "./body-limit.ts";
import { errorHandler, notFoundHandler } from "./error-handler.ts";
import { headerText } from "./header-text.ts";
import { refuseWhileDraining } from "./lifecycle.ts";
import { privateNetworkAccess } from "./private-network.ts";
import { requestLog } from "./request-log.ts";
import { assetContentRoute } from "./routes/asset-content.ts";
import { assetsRoute } from "./routes/assets.ts";
import { batchEventsRoute } from "./routes/batch-events.ts";
import { batchesRoute } from "./routes/batches.ts";
import { catalogRoute } from "./routes/catalog.ts";
import { estimateRoute } from "./routes/estimate.ts";
import { healthRoute } from "./routes/health.ts";
import { insightsRoute } from "./routes/insights.ts";
import { jobsCreateRoute } from "./routes/jobs-create.ts";
import { jobEventsRoute } from "./routes/job-events.ts";
import { jobsGetRoute } from "./routes/jobs-get.ts";
import { ledgerRoute } from "./routes/ledger.ts";
import { meRoute } from "./routes/me.ts";
import { openApiRoute } from "./routes/openapi.ts";
import { teamMembersRoute } from "./routes/team-members.ts";
import { projectsRoute } from "./routes/projects.ts";
import { teamControlsRoute } from "./routes/team-controls.ts";
import { teamRoute } from "./routes/team.ts";
import { templatesRoute } from "./routes/templates.ts";
import { usageRoute } from "./routes/usage.ts";
import type { AppDeps, AppEnv } from "./types.ts";

export type { AppDeps } from "./types.ts";

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requestId());
  app.use("*", requestLog(deps.logger));
  app.use("*", privateNetworkAccess());
  // The plugin iframe's origin is `null`, and auth is a bearer header, never a cookie: allow any origin.
  app.use(
    "*",
    cors({
      origin: "*",
      allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
      exposeHeaders: ["ETag", "Location", "Retry-After", "Idempotent-Replayed", "X-Request-Id", "Content-Disposition"],
      maxAge: 600,
    }),
  );
  app.use("*", bodyLimit(deps.config.maxBodyBytes));
  app.use("*", headerText());
  app.use("*", refuseWhileDraining(deps.lifecycle));

  for (const route of [
    healthRoute,
    openApiRoute,
    catalogRoute,
    meRoute,
    estimateRoute,
    jobsCreateRoute,
    jobsGetRoute,
    jobEventsRoute,
    batchesRoute,
    batchEventsRoute,
    assetContentRoute,
    assetsRoute,
    templatesRoute,
    insightsRoute,
    teamRoute,
    teamMembersRoute,
    projectsRoute,
    teamControlsRoute,
    ledgerRoute,
    usageRoute,
  ])
    app.route("/", route(deps));

  app.notFound(notFoundHandler);
  app.onError(errorHandler(deps.logger, deps.config.maxBodyBytes));
  return app;
}
