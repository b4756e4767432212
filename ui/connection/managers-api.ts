// The managers' controls as the panel calls them (docs/api.md "Projects, roles and alerts"): the project
// picker's list, the Team view's projects, forecast, thresholds and webhook, and the managers' banner.
// Built on the API client's own request functions, so auth, errors and parsing stay in one place.
import type * as z from "zod";
import {
  alertListResponseSchema,
  forecastResponseSchema,
  projectListResponseSchema,
  projectResponseSchema,
  thresholdListResponseSchema,
  thresholdResponseSchema,
  webhookResponseSchema,
  type Alert,
  type ForecastResponse,
  type Project,
  type Threshold,
  type WebhookResponse,
} from "../../core/api/managers.ts";

type Json = <S extends z.ZodType>(path: string, schema: S, init?: RequestInit) => Promise<z.output<S>>;
type Send = (path: string, init?: RequestInit) => Promise<Response>;

export interface ManagersApi {
  /** GET /v1/projects: the team's active projects (any member: the picker). */
  projects(): Promise<Project[]>;
  createProject(body: { name: string; budget: number | null; budgetKind: "monthly" | "once" }): Promise<Project>;
  archiveProject(id: string): Promise<Project>;
  /** GET /v1/team/forecast: run-out dates and where each threshold stands. */
  forecast(): Promise<ForecastResponse>;
  /** GET /v1/alerts (managers): the banner's alerts; `all`: dismissed ones too (the Team view). */
  alerts(all?: boolean): Promise<Alert[]>;
  acknowledge(id: string): Promise<void>;
  thresholds(): Promise<Threshold[]>;
  addThreshold(body: { scope: "team" | "project" | "member"; targetId?: string; percent: number }): Promise<Threshold>;
  deleteThreshold(id: string): Promise<void>;
  webhook(): Promise<WebhookResponse>;
  /** Answers the signing secret, shown this once. */
  setWebhook(url: string): Promise<WebhookResponse>;
}

const post = (body?: unknown): RequestInit => ({
  method: "POST",
  ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
});

export function managersApi(json: Json, send: Send): ManagersApi {
  const id = (value: string) => encodeURIComponent(value);
  return {
    projects: async () => (await json("/v1/projects", projectListResponseSchema)).projects,
    createProject: async (body) => (await json("/v1/projects", projectResponseSchema, post(body))).project,
    archiveProject: async (projectId) => (await json(`/v1/projects/${id(projectId)}/archive`, projectResponseSchema, post())).project,
    forecast: () => json("/v1/team/forecast", forecastResponseSchema),
    alerts: async (all = false) => (await json(all ? "/v1/alerts?all=true" : "/v1/alerts", alertListResponseSchema)).alerts,
    acknowledge: async (alertId) => {
      await send(`/v1/alerts/${id(alertId)}/ack`, post());
    },
    thresholds: async () => (await json("/v1/team/thresholds", thresholdListResponseSchema)).thresholds,
    addThreshold: async (body) => (await json("/v1/team/thresholds", thresholdResponseSchema, post(body))).threshold,
    deleteThreshold: async (thresholdId) => {
      await send(`/v1/team/thresholds/${id(thresholdId)}`, { method: "DELETE" });
    },
    webhook: () => json("/v1/team/webhook", webhookResponseSchema),
    setWebhook: (url) => json("/v1/team/webhook", webhookResponseSchema, post({ url })),
  };
}
