// Templates in Create: named presets from the catalog (so they list without waiting for the proxy), each
// priced for the caller by core's estimate() on the Create spec it fills in, as GET /v1/templates prices it.
import type { CreateSpec } from "../../core/api/specs.ts";
import type { Catalog, Template } from "../../core/catalog/schema.ts";
import { estimate, type EstimateContext } from "../../core/estimate.ts";
import { badgeFor } from "../jobs/badge.ts";
import { AUTO } from "../jobs/provider-options.ts";
import { buildCreateSpec, type CreateForm } from "./create-form.ts";

/** Where the designer's own words go in a template's prompt. */
export const SUBJECT = "{subject}";

/** The form with the template's settings; routing goes back to Auto, which is what the template's price assumes. */
export function applyTemplate(form: CreateForm, t: Template): CreateForm {
  return {
    ...form,
    prompt: t.prompt,
    negativePrompt: t.negativePrompt ?? "",
    quality: t.quality,
    aspectRatio: t.aspectRatio,
    variations: String(t.variations),
    provider: AUTO,
    model: AUTO,
    templateId: t.id,
    stylePreset: t.stylePreset ?? "",
  };
}

/** "No template": the form keeps what it has, the spec no longer names a template or its style. */
export const clearTemplate = (form: CreateForm): CreateForm => ({ ...form, templateId: "", stylePreset: "" });

/** The text range of `{subject}` in a prompt, to select it so typing replaces it; null without one. */
export function subjectRange(prompt: string): [number, number] | null {
  const i = prompt.indexOf(SUBJECT);
  return i < 0 ? null : [i, i + SUBJECT.length];
}

/** The Create spec a template fills in on a fresh form (the spec GET /v1/templates prices). */
export const templateSpec = (t: Template, blank: CreateForm): CreateSpec => buildCreateSpec(applyTemplate(blank, t));

export interface TemplateOption {
  id: string;
  /** "Product shot · 4 credits", or the badge's refusal ("Pro tier"). */
  text: string;
  use: string;
  credits: number;
}

export function templateOptions(catalog: Catalog, blank: CreateForm, ctx: EstimateContext): TemplateOption[] {
  return catalog.templates.map((t) => {
    const badge = badgeFor(estimate(templateSpec(t, blank), catalog, ctx), null, catalog);
    return { id: t.id, text: `${t.name} · ${badge.text}`, use: t.use, credits: badge.credits };
  });
}
