// POST /v1/estimate: prices a spec or a plan for the caller (tier, balance, allowances) without holding or
// charging anything. Same estimate() and catalog as the job route, so the quote is what a job would hold.
import { Hono } from "hono";
import { batchSchema, planSchema, jobSpecSchema, type JobSpec } from "../../../core/api/specs.ts";
import { catalogIssues, estimate, routeJob, type EstimateContext } from "../../../core/estimate.ts";
import { requireAuth } from "../auth.ts";
import { callerState } from "../../jobs/pricing-state.ts";
import { ProjectUnavailableError } from "../../ledger/project-errors.ts";
import { reuseKey } from "../../jobs/reuse-key.ts";
import { invalidRequest } from "../api-error.ts";
import { readJson } from "../read-json.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { parseOrThrow } from "../validate.ts";

const isPlanBody = (raw: unknown): boolean => typeof raw === "object" && raw !== null && !Array.isArray(raw) && "plan" in raw;
/** A batch (POST /v1/batches's body, with `input: {width, height}` per item instead of images). */
const isBatchBody = (raw: unknown): boolean => typeof raw === "object" && raw !== null && !Array.isArray(raw) && "items" in raw;

/**
 * Whether POST /v1/jobs would reuse an identical earlier job. The input image is known by the library asset
 * it came from (`sourceAssetId`); a spec with other image parts (a mask, references) cannot be matched here.
 */
async function findReuse(deps: AppDeps, teamId: string, spec: JobSpec, context: EstimateContext) {
  if (spec.operation === "social" || spec.seed === undefined || spec.fresh) return null;
  let inputs: Record<string, string> = {};
  if (spec.operation !== "create") {
    const source = spec.sourceAssetId ? await deps.stores.assets.get(teamId, spec.sourceAssetId) : null;
    if (!source) return null;
    inputs = { image: source.sha256 };
  }
  // The route depends on which providers and models can be used, not on the balance or tier.
  const { route } = routeJob(spec, deps.catalog, context);
  const key = reuseKey(spec, route, inputs);
  return key ? deps.stores.jobs.findReusable(teamId, key) : null;
}

export function estimateRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().post("/v1/estimate", requireAuth(deps.stores.teams), async (c) => {
    const raw = await readJson(c);
    // The members of core's estimateRequestSchema, parsed apart so errors name the plan step's (item's) field.
    const input = isPlanBody(raw) ? parseOrThrow(planSchema, raw) : isBatchBody(raw) ? parseOrThrow(batchSchema, raw) : parseOrThrow(jobSpecSchema, raw);
    const specs: { spec: JobSpec; prefix: string }[] =
      "plan" in input
        ? input.plan.map(({ count: _count, ...spec }, i) => ({ spec: spec as JobSpec, prefix: `plan.${i}.` }))
        : "items" in input
          ? input.items.map((spec, i) => ({ spec, prefix: `items.${i}.` }))
          : [{ spec: input, prefix: "" }];
    const fields: Record<string, string> = {};
    for (const { spec, prefix } of specs)
      for (const [k, v] of Object.entries(catalogIssues(spec, deps.catalog))) fields[prefix + k] = v;
    if (Object.keys(fields).length) throw invalidRequest(fields);
    const { context } = await callerState(deps.stores, deps.providers, deps.catalog, c.var.caller);
    // A batch's items never reuse an earlier job (each is made anew); estimate() knows it too.
    const reuse = "plan" in input || "items" in input ? null : await findReuse(deps, c.var.caller.team.id, input, context);
    // The project the spec (or a batch's first item) is charged to: its budget prices the badge as the hold will.
    const projectId = "plan" in input ? undefined : "items" in input ? input.items[0]?.projectId : input.projectId;
    const { team } = c.var.caller;
    const found = projectId ? await deps.stores.managers.getProject(team.id, projectId, team.periodStart) : null;
    if (projectId && (!found || found.archived)) throw new ProjectUnavailableError(projectId, found ? "archived" : "unknown");
    const project = found ? { id: found.id, name: found.name, remaining: found.remaining } : null;
    return c.json(estimate(input, deps.catalog, { ...context, reuse, project }));
  });
}
