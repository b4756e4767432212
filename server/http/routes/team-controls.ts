// The managers' controls beyond projects (docs/api.md "Roles", "Thresholds and alerts", "Webhooks",
// "Forecast"): the role policy read by every hold's transaction, thresholds, the webhook (its secret shown
// once), the banner's alerts with their acknowledgement, and the forecast (any member: the badge warns of
// thresholds a job would cross; a member sees only their own cap's).
import { Hono } from "hono";
import {
  alertsQuerySchema,
  rolePolicySchema,
  thresholdCreateSchema,
  webhookPutSchema,
  type AlertListResponse,
  type RolePolicyResponse,
  type WebhookResponse,
} from "../../../core/api/managers.ts";
import { forecastReport } from "../../reports/forecast-report.ts";
import { assertPublicWebhookUrl } from "../../teams/webhook-guard.ts";
import { ApiError } from "../api-error.ts";
import { requireAuth, requireManager } from "../auth.ts";
import { readJson } from "../read-json.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { parseOrThrow, pathId } from "../validate.ts";

/** A secret is shown once: no cache, proxy or browser history may keep the response. */
const NO_STORE = { "Cache-Control": "no-store" };

export function teamControlsRoute(deps: AppDeps): Hono<AppEnv> {
  const { teams, managers, ledger } = deps.stores;
  const manager = [requireAuth(teams), requireManager()] as const;

  return new Hono<AppEnv>()
    .get("/v1/team/policy", ...manager, async (c) => {
      const res: RolePolicyResponse = { policy: await managers.policy(c.var.caller.team.id) };
      return c.json(res);
    })
    .patch("/v1/team/policy", ...manager, async (c) => {
      const body = parseOrThrow(rolePolicySchema, await readJson(c));
      const teamId = c.var.caller.team.id;
      for (const role of ["member", "manager"] as const) if (body[role] !== undefined) await managers.setRoleRules(teamId, role, body[role]);
      const res: RolePolicyResponse = { policy: await managers.policy(teamId) };
      return c.json(res);
    })
    .get("/v1/team/thresholds", ...manager, async (c) => c.json({ thresholds: await managers.thresholds(c.var.caller.team.id) }))
    .post("/v1/team/thresholds", ...manager, async (c) => {
      const body = parseOrThrow(thresholdCreateSchema, await readJson(c));
      const { team } = c.var.caller;
      // A target of another team is 404, like an unknown one.
      if (body.targetId && body.scope === "project" && !(await managers.getProject(team.id, body.targetId, team.periodStart)))
        throw new ApiError("not_found", "No such project in your team", { targetId: body.targetId });
      if (body.targetId && body.scope === "member" && (await teams.getMember(body.targetId))?.teamId !== team.id)
        throw new ApiError("not_found", "No such member in your team", { targetId: body.targetId });
      const threshold = await managers.addThreshold(team.id, { scope: body.scope, targetId: body.targetId ?? null, percent: body.percent });
      return c.json({ threshold }, 201);
    })
    .delete("/v1/team/thresholds/:id", ...manager, async (c) => {
      const id = pathId(c);
      if (!(await managers.deleteThreshold(c.var.caller.team.id, id))) throw new ApiError("not_found", "No such threshold in your team");
      return c.body(null, 204);
    })
    .get("/v1/team/webhook", ...manager, async (c) => {
      const res: WebhookResponse = { webhook: await managers.webhook(c.var.caller.team.id) };
      return c.json(res);
    })
    .post("/v1/team/webhook", ...manager, async (c) => {
      const body = parseOrThrow(webhookPutSchema, await readJson(c));
      // SSRF: an internal IP literal or localhost is refused now; names are checked again at each delivery.
      assertPublicWebhookUrl(body.url, deps.config.webhooks.allowPrivateTargets);
      const { secret, ...webhook } = await managers.setWebhook(c.var.caller.team.id, body.url);
      const res: WebhookResponse = { webhook, secret };
      return c.json(res, 200, NO_STORE);
    })
    .delete("/v1/team/webhook", ...manager, async (c) => {
      await managers.deleteWebhook(c.var.caller.team.id);
      return c.body(null, 204);
    })
    .get("/v1/alerts", ...manager, async (c) => {
      const q = parseOrThrow(alertsQuerySchema, c.req.query());
      const res: AlertListResponse = { alerts: await managers.alerts(c.var.caller.team.id, q.all === "true") };
      return c.json(res);
    })
    .post("/v1/alerts/:id/ack", ...manager, async (c) => {
      const id = pathId(c);
      const alert = await managers.acknowledge(c.var.caller.team.id, id, c.var.caller.member.id);
      if (!alert) throw new ApiError("not_found", "No such alert in your team");
      return c.json({ alert });
    })
    .get("/v1/team/forecast", requireAuth(teams), async (c) => {
      const { team, member } = c.var.caller;
      const balance = await ledger.balance(team.id);
      return c.json(await forecastReport(deps.stores.db, team, balance.available, member.role === "manager" ? null : member.id));
    });
}
