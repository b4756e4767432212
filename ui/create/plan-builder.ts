// The Create studio's "Plan": the current form as step 1 (x count) and the follow-ups the user ticks, as the
// `{ plan: [...] }` of POST /v1/estimate, priced locally by core's estimate(). Edits and upscales of a plan
// work on what the create makes, so they are priced at its output size. Nothing runs from a plan.
import type { CreateSpec, JobSpecInput, Plan, PlanStep } from "../../core/api/specs.ts";
import type { Catalog, EditKind, UpscaleMode } from "../../core/catalog/schema.ts";
import { createOutputSize } from "../../core/estimate.ts";
import { AUTO } from "../jobs/provider-options.ts";

export const PLAN_COUNT_MAX = 1000;

export interface PlanStepForm {
  on: boolean;
  /** As typed. */
  count: string;
}

export interface PlanForm {
  /** How many times the form itself runs. */
  count: string;
  removeBackground: PlanStepForm;
  edit: PlanStepForm & { kind: EditKind };
  upscale: PlanStepForm & { mode: UpscaleMode };
  /** `count` here is the number of platform formats. */
  social: PlanStepForm;
}

const off = (): PlanStepForm => ({ on: false, count: "1" });

export function initialPlanForm(): PlanForm {
  return { count: "1", removeBackground: off(), edit: { ...off(), kind: "general" }, upscale: { ...off(), mode: "fast" }, social: off() };
}

/** 1..PLAN_COUNT_MAX as typed; anything else counts as 1, as variations do for the badge. */
export function parseCount(raw: string): number {
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : 0;
  return n >= 1 && n <= PLAN_COUNT_MAX ? n : 1;
}

export function buildPlan(create: CreateSpec, form: PlanForm, catalog: Catalog): Plan {
  const input = createOutputSize(catalog, create) ?? undefined;
  const image = { provider: AUTO, ...(input ? { input } : {}) };
  const { fresh: _fresh, ...first } = create;
  const steps: PlanStep[] = [{ ...first, count: parseCount(form.count) }];
  const add = (step: PlanStepForm, spec: JobSpecInput) => step.on && steps.push({ ...spec, count: parseCount(step.count) } as PlanStep);
  add(form.removeBackground, { operation: "edit", kind: "remove-background", ...image });
  add(form.edit, { operation: "edit", kind: form.edit.kind, ...image });
  add(form.upscale, { operation: "upscale", mode: form.upscale.mode, ...image });
  const format = catalog.social.formats[0]?.id;
  if (format) add(form.social, { operation: "social", formats: [format], crop: "smart", ...(input ? { input } : {}) });
  return { plan: steps };
}
