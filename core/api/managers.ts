// Shapes of the managers' controls (docs/api.md "Projects, roles and alerts"): projects with budgets, the
// team's role policy, thresholds, the webhook, alerts and the forecast. The server parses and builds with
// these; the panel imports them for its Team view and project picker.
import * as z from "zod";
import { operationKeySchema, qualitySchema } from "../catalog/schema.ts";
import { projectIdSchema } from "./specs.ts";
import { lineText } from "./text.ts";

/** PostgreSQL's INTEGER is 32-bit. */
const CREDITS_MAX = 2_147_483_647;
const credits = z.number().int().nonnegative();
const name = lineText().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");
const budget = z.number().int("must be a whole number of credits").min(0, "must be 0 or more").max(CREDITS_MAX, `must be at most ${CREDITS_MAX}`);

// ---------------------------------------------------------------------------------------------------------
// Forecast (core/forecast.ts)

export const forecastSchema = z.object({
  remaining: credits.nullable(),
  spentThisPeriod: credits,
  pacePerDay: z.number().nonnegative(),
  runsOutAt: z.string().nullable(),
  outlook: z.enum(["now", "this_period", "not_this_period", "no_limit"]),
});

// ---------------------------------------------------------------------------------------------------------
// /v1/projects

export const budgetKindSchema = z.enum(["monthly", "once"]);

export const projectSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** null: no budget (the project only groups usage). */
  budget: credits.nullable(),
  /** monthly: per billing period; once: for the project's life. */
  budgetKind: budgetKindSchema,
  /** Captured in the budget's period (monthly) or ever (once). */
  spent: credits,
  held: credits,
  /** budget - spent - held, at least 0; null without a budget. */
  remaining: credits.nullable(),
  archived: z.boolean(),
  createdAt: z.string(),
});
export type Project = z.infer<typeof projectSchema>;

/** A team's active projects at most (the picker lists them all; the forecast reads each). */
export const MAX_ACTIVE_PROJECTS = 200;
/** A team's thresholds at most: every hold's transaction measures each one (docs/ledger.md). */
export const MAX_THRESHOLDS = 50;

export const projectCreateSchema = z.strictObject({
  name,
  budget: budget.nullable().optional(),
  budgetKind: budgetKindSchema.default("monthly"),
});
export const projectPatchSchema = z.strictObject({
  name: name.optional(),
  budget: budget.nullable().optional(),
  budgetKind: budgetKindSchema.optional(),
});
export const projectListResponseSchema = z.object({ projects: z.array(projectSchema) });
export const projectResponseSchema = z.object({ project: projectSchema });
export type ProjectListResponse = z.infer<typeof projectListResponseSchema>;
export type ProjectResponse = z.infer<typeof projectResponseSchema>;

/** GET /v1/projects?archived=true lists archived ones too. */
export const projectListQuerySchema = z.strictObject({ archived: z.enum(["true", "false"]).optional() });

// ---------------------------------------------------------------------------------------------------------
// /v1/team/policy: what each role may use

export const roleRulesSchema = z.strictObject({
  operations: z.array(operationKeySchema).max(50).optional(),
  qualities: z.array(qualitySchema).max(3).optional(),
  /** `provider/model` */
  models: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}\/[a-z0-9][a-z0-9.-]{0,63}$/, "must be provider/model"))
    .max(200)
    .optional(),
});
export type RoleRulesBody = z.infer<typeof roleRulesSchema>;

/** Each role's rules; null (or absent in a PUT) = no restriction. */
export const rolePolicySchema = z.strictObject({
  member: roleRulesSchema.nullable().optional(),
  manager: roleRulesSchema.nullable().optional(),
});
export const rolePolicyResponseSchema = z.object({ policy: z.object({ member: roleRulesSchema.nullable(), manager: roleRulesSchema.nullable() }) });
export type RolePolicyResponse = z.infer<typeof rolePolicyResponseSchema>;

// ---------------------------------------------------------------------------------------------------------
// /v1/team/thresholds

export const alertScopeSchema = z.enum(["team", "project", "member"]);

export const thresholdCreateSchema = z
  .strictObject({
    scope: alertScopeSchema,
    /** A project or member id; absent = every project / every member (team: always absent). */
    targetId: z.union([projectIdSchema, z.string().regex(/^mem_[a-z2-7]{10,40}$/, "must be a member id")]).optional(),
    /** Percent of the period's allocation, of the project's budget, of the member's cap. */
    percent: z.number().int().min(1).max(1000),
  })
  .superRefine((t, ctx) => {
    const ok = t.targetId === undefined || (t.scope === "project" ? t.targetId.startsWith("prj_") : t.scope === "member" && t.targetId.startsWith("mem_"));
    if (!ok) ctx.addIssue({ code: "custom", path: ["targetId"], message: `must be ${t.scope === "team" ? "absent for the team" : `a ${t.scope} id`}` });
  });
export const thresholdSchema = z.object({
  id: z.string(),
  scope: alertScopeSchema,
  targetId: z.string().nullable(),
  percent: z.number().int(),
  createdAt: z.string(),
});
export type Threshold = z.infer<typeof thresholdSchema>;
export const thresholdListResponseSchema = z.object({ thresholds: z.array(thresholdSchema) });
export const thresholdResponseSchema = z.object({ threshold: thresholdSchema });

// ---------------------------------------------------------------------------------------------------------
// /v1/team/webhook

export const webhookPutSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .max(2000, "must be at most 2000 characters")
    .refine((u) => !/[\u0000-\u001f\u007f]/.test(u), "must not hold control characters"),
});
export const webhookResponseSchema = z.object({
  webhook: z.object({ url: z.string(), updatedAt: z.string() }).nullable(),
  /** The HMAC-SHA256 key, only in the answer to the PUT that set it: shown once. */
  secret: z.string().optional(),
});
export type WebhookResponse = z.infer<typeof webhookResponseSchema>;

// ---------------------------------------------------------------------------------------------------------
// /v1/alerts

export const alertSchema = z.object({
  id: z.string(),
  scope: alertScopeSchema,
  targetId: z.string(),
  targetName: z.string(),
  percent: z.number().int(),
  used: credits,
  base: credits,
  /** The period it fired in ('once' for a one-off project budget). */
  periodStart: z.string(),
  createdAt: z.string(),
  acknowledgedAt: z.string().nullable(),
});
export type Alert = z.infer<typeof alertSchema>;
/** GET /v1/alerts?all=true lists acknowledged ones too. */
export const alertsQuerySchema = z.strictObject({ all: z.enum(["true", "false"]).optional() });
export const alertListResponseSchema = z.object({ alerts: z.array(alertSchema) });
export type AlertListResponse = z.infer<typeof alertListResponseSchema>;

/** The webhook's body (signed): the event id is the alert's id, for deduplication. */
export const alertEventSchema = z.object({
  id: z.string(),
  type: z.literal("threshold.crossed"),
  createdAt: z.string(),
  teamId: z.string(),
  alert: alertSchema.pick({ scope: true, targetId: true, targetName: true, percent: true, used: true, base: true, periodStart: true }),
});

// ---------------------------------------------------------------------------------------------------------
// GET /v1/team/forecast

export const forecastResponseSchema = z.object({
  periodStart: z.string(),
  periodEnd: z.string(),
  balance: forecastSchema,
  projects: z.array(z.object({ projectId: z.string(), name: z.string() }).extend(forecastSchema.shape)),
  /** Each threshold with where it stands, for the badge's warning (core/forecast.ts thresholdsCrossedBy). */
  thresholds: z.array(z.object({ id: z.string(), scope: alertScopeSchema, targetId: z.string(), label: z.string(), percent: z.number().int(), used: credits, base: credits })),
});
export type ForecastResponse = z.infer<typeof forecastResponseSchema>;
