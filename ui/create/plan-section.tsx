// The Create studio's "Plan" disclosure: the form as step 1 and the follow-up steps ticked, each with how
// many times it runs, priced line by line and in total by core's estimate() (with the balance and tier
// refusals the badge shows). Nothing runs from it.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { CreateSpec } from "../../core/api/specs.ts";
import { EDIT_KINDS, UPSCALE_MODES, type Catalog, type EditKind, type UpscaleMode } from "../../core/catalog/schema.ts";
import { estimate, type EstimateContext } from "../../core/estimate.ts";
import "../studio-extras.css";
import { EDIT_KINDS_INFO } from "../edit/edit-form.ts";
import { badgeFor } from "../jobs/badge.ts";
import { UPSCALE_MODES_INFO } from "../upscale/upscale-form.ts";
import { buildPlan, initialPlanForm, PLAN_COUNT_MAX, type PlanForm, type PlanStepForm } from "./plan-builder.ts";

type StepKey = "removeBackground" | "edit" | "upscale" | "social";

export function PlanSection({ catalog, ctx, create }: { catalog: Catalog; ctx: EstimateContext; create: CreateSpec }) {
  const [form, setForm] = useState<PlanForm>(initialPlanForm);
  const est = estimate(buildPlan(create, form, catalog), catalog, ctx);
  const badge = badgeFor(est, null, catalog);
  const patch = <K extends StepKey>(key: K, value: Partial<PlanForm[K]>) => setForm((f) => ({ ...f, [key]: { ...f[key], ...value } }));

  const count = (id: string, label: string, value: string, onInput: (v: string) => void) => (
    <input type="number" min={1} max={PLAN_COUNT_MAX} step={1} data-testid={id} aria-label={label} value={value} onInput={(e) => onInput(e.currentTarget.value)} />
  );
  const step = (key: StepKey, label: string, what: JSX.Element | string, unit = "Times") => {
    const s: PlanStepForm = form[key];
    return (
      <div class="field plan-step">
        <label class="plan-what">
          <input type="checkbox" data-testid={`plan-${key}`} checked={s.on} aria-label={label} onChange={(e) => patch(key, { on: e.currentTarget.checked })} />
          {what}
        </label>
        {count(`plan-${key}-count`, `${unit}: ${label}`, s.count, (v) => patch(key, { count: v }))}
      </div>
    );
  };

  return (
    <details class="disclosure" data-testid="plan">
      <summary>
        Plan · <span data-testid="plan-total" data-credits={est.total} data-state={badge.state}>{badge.text}</span>
      </summary>
      <div class="disclosure-body">
        <div class="field plan-step">
          <span class="plan-what">1 · This form</span>
          {count("plan-count", "Times: this form", form.count, (v) => setForm((f) => ({ ...f, count: v })))}
        </div>
        {step("removeBackground", "Remove background", "Remove background")}
        {step(
          "edit",
          "Edit",
          <select data-testid="plan-edit-kind" aria-label="Edit kind" value={form.edit.kind} onChange={(e) => patch("edit", { kind: e.currentTarget.value as EditKind, on: true })}>
            {EDIT_KINDS.filter((k) => k !== "remove-background").map((k) => (
              <option key={k} value={k}>
                {EDIT_KINDS_INFO[k].label}
              </option>
            ))}
          </select>,
        )}
        {step(
          "upscale",
          "Upscale",
          <select data-testid="plan-upscale-mode" aria-label="Upscale mode" value={form.upscale.mode} onChange={(e) => patch("upscale", { mode: e.currentTarget.value as UpscaleMode, on: true })}>
            {UPSCALE_MODES.map((m) => (
              <option key={m} value={m}>
                Upscale · {UPSCALE_MODES_INFO[m].label}
              </option>
            ))}
          </select>,
        )}
        {step("social", "Social formats", "Social formats", "Formats")}
        <ul class="bars" data-testid="plan-lines">
          {est.lines.map((l, i) => (
            <li key={i} class="bar-label" data-credits={l.credits}>
              <span class="bar-name">
                {l.step + 1} · {l.label}
              </span>
              <span class="bar-figure">
                {l.quantity} × {l.unitCredits} = {l.credits}
              </span>
            </li>
          ))}
          <li class="bar-label plan-total">
            <span class="bar-name">Total</span>
            <span>{badge.text}</span>
          </li>
        </ul>
        {badge.hint && <p class={`hint hint-${badge.state}`}>{badge.hint}</p>}
      </div>
    </details>
  );
}
