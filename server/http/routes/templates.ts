// GET /v1/templates: the catalog's Create presets, each priced for the caller as Create would price the
// form it fills (same estimate(), same catalog), so the list shows what applying a template will cost.
import { Hono } from "hono";
import { createSpecSchema } from "../../../core/api/specs.ts";
import type { Template } from "../../../core/catalog/schema.ts";
import { estimate } from "../../../core/estimate.ts";
import type { TemplatesResponse } from "../../../core/api/responses.ts";
import { requireAuth } from "../auth.ts";
import { callerState } from "../../jobs/pricing-state.ts";
import type { AppDeps, AppEnv } from "../types.ts";

/** The Create spec a template fills in; `{subject}` stays in the prompt for the designer to replace. */
export function templateSpec(t: Template) {
  return createSpecSchema.parse({
    operation: "create",
    prompt: t.prompt,
    ...(t.negativePrompt ? { negativePrompt: t.negativePrompt } : {}),
    quality: t.quality,
    aspectRatio: t.aspectRatio,
    ...(t.stylePreset ? { stylePreset: t.stylePreset } : {}),
    variations: t.variations,
    templateId: t.id,
  });
}

export function templatesRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/templates", requireAuth(deps.stores.teams), async (c) => {
    const { context } = await callerState(deps.stores, deps.providers, deps.catalog, c.var.caller);
    const body: TemplatesResponse = {
      templates: deps.catalog.templates.map((t) => ({ ...t, estimate: estimate(templateSpec(t), deps.catalog, context) })),
    };
    return c.json(body);
  });
}
