// The Create studio: a template to start from, prompt and options, a Generate button that carries its price
// (or says an identical earlier result comes back for 0 credits), a plan priced before any step runs, and
// the job's progress.
import { useEffect, useRef, useState } from "preact/hooks";
import { PROMPT_MAX } from "../../core/api/specs.ts";
import type { Quality } from "../../core/catalog/schema.ts";
import { estimate } from "../../core/estimate.ts";
import type { Selection } from "../../core/messages.ts";
import { ActionFooter } from "../jobs/action-footer.tsx";
import { badgeFor } from "../jobs/badge.ts";
import { batchBadgeFor } from "../jobs/batch-badge.ts";
import { estimateContext } from "../jobs/estimate-context.ts";
import { AUTO, providerOptions } from "../jobs/provider-options.ts";
import { ProviderSelect } from "../jobs/provider-select.tsx";
import { chargedText, useReuse } from "../jobs/reuse-check.ts";
import { Advanced, ReuseChoice } from "../jobs/reuse-fields.tsx";
import { layerName } from "../jobs/run-job.ts";
import { useJob } from "../jobs/use-job.ts";
import type { StudioProps } from "../studio-props.ts";
import { Field } from "../widgets/field.tsx";
import {
  aspectRatioOptions,
  buildCreateSpec,
  CREATE_IMAGES_MAX,
  createBatchFor,
  formFromSpec,
  formProblem,
  initialForm,
  modelOptions,
  parseImages,
  qualityOptions,
  relaunchSpec,
  variationsPerJob,
  type CreateForm,
} from "./create-form.ts";
import { PlanSection } from "./plan-section.tsx";
import { applyTemplate, clearTemplate, subjectRange, templateOptions } from "./template-apply.ts";

const QUALITY_LABELS: Record<Quality, string> = { draft: "Draft", standard: "Standard", premium: "Premium" };

const imagesText = (n: number) => `${n} ${n === 1 ? "image" : "images"}`;

function placementHint(selection: Selection): string {
  const first = selection.items[0];
  if (!first) return "Results go to the centre of the view";
  return selection.items.length === 1 ? `Results go beside “${first.name}”` : `Results go beside the ${selection.items.length} selected layers`;
}

export function CreateStudio(props: StudioProps) {
  const { catalog, providers, me } = props;
  const [form, setForm] = useState<CreateForm>(() => formFromSpec(catalog, props.relaunch?.spec) ?? initialForm(catalog));
  const [fresh, setFresh] = useState(false);
  const [advanced, setAdvanced] = useState(() => !!(form.seed || form.negativePrompt));
  // Bumped when a template is applied: its `{subject}` is then selected in the prompt.
  const [applied, setApplied] = useState(0);
  const promptRef = useRef<HTMLTextAreaElement>(null);
  const job = useJob(props, "Generating");

  const update = <K extends keyof CreateForm>(key: K, value: CreateForm[K]) =>
    setForm((f) => ({ ...f, [key]: value, ...(key === "provider" ? { model: AUTO } : {}) }));

  useEffect(() => {
    const el = promptRef.current;
    const range = el && applied ? subjectRange(el.value) : null;
    if (el && range) {
      el.focus();
      el.setSelectionRange(...range);
    }
  }, [applied]);

  const ctx = estimateContext(me, providers);
  const problem = formProblem(form);
  const base = buildCreateSpec(form);
  // More images than one job of this tier makes: a batch of jobs, priced and held as one.
  const batch = createBatchFor(form, catalog, me.team.tier);
  const count = parseImages(form.variations) ?? 1;
  const reuse = useReuse(props.api, problem || batch ? null : base, job.running);
  const spec = reuse && fresh ? { ...base, fresh: true } : base;
  const badge = batch ? batchBadgeFor(estimate(batch, catalog, ctx), problem, catalog, count) : badgeFor(estimate(spec, catalog, { ...ctx, reuse }), problem, catalog);
  const models = modelOptions(catalog, form.provider, providers);
  const templates = templateOptions(catalog, initialForm(catalog), ctx);
  const template = templates.find((t) => t.id === form.templateId);

  const onTemplate = (id: string) => {
    const t = catalog.templates.find((x) => x.id === id);
    setForm((f) => (t ? applyTemplate(f, t) : clearTemplate(f)));
    if (t?.negativePrompt) setAdvanced(true);
    if (t) setApplied((n) => n + 1);
  };

  const onGenerate = () => {
    if (!badge.enabled) return;
    if (batch) {
      const name = layerName(spec.prompt);
      let first = 1;
      void job.startBatch(
        () => ({
          name,
          // Regenerate on any of the results repeats the whole count asked for, not one item's share.
          spec: relaunchSpec(form),
          items: batch.items.map((item) => {
            const made = item.operation === "create" ? item.variations : 1;
            const numbered = { spec: item, name: made > 1 ? `${name} ${first}–${first + made - 1}` : `${name} ${first}`, numberFrom: first };
            first += made;
            return numbered;
          }),
        }),
        (result) => `Placed ${imagesText(result.nodeIds.length)} · ${result.batch.charged} credits charged${result.failures.length ? ` · ${result.failures.length} of ${batch.items.length} jobs failed, not charged` : ""}`,
      );
      return;
    }
    void job.start(
      () => ({ spec, name: layerName(spec.prompt) }),
      (result) => `Placed ${imagesText(result.nodeIds.length)} · ${chargedText(result.job)}`,
    );
  };

  const onPromptKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      onGenerate();
    }
  };

  return (
    <div class="view create">
      <div class="scroll">
        {templates.length > 0 && (
          <Field id="template" label="Template" hint={template?.use}>
            <select value={form.templateId} onChange={(e) => onTemplate(e.currentTarget.value)}>
              <option value="">No template</option>
              {templates.map((t) => (
                <option key={t.id} value={t.id} title={t.use} data-credits={t.credits}>
                  {t.text}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field id="prompt" label="Prompt">
          <textarea
            ref={promptRef}
            rows={5}
            maxLength={PROMPT_MAX}
            value={form.prompt}
            onInput={(e) => update("prompt", e.currentTarget.value)}
            onKeyDown={onPromptKeyDown}
            placeholder="A watercolor fox in a misty pine forest, soft morning light"
          />
        </Field>
        <div class="row">
          <Field id="quality" label="Quality">
            <select value={form.quality} onChange={(e) => update("quality", e.currentTarget.value as Quality)}>
              {qualityOptions.map((q) => (
                <option key={q} value={q}>
                  {QUALITY_LABELS[q]}
                </option>
              ))}
            </select>
          </Field>
          <Field id="variations" label="Images" hint={batch ? `Runs as ${batch.items.length} jobs of up to ${variationsPerJob(catalog, me.team.tier)}` : undefined}>
            <input type="number" min={1} max={CREATE_IMAGES_MAX} step={1} value={form.variations} onInput={(e) => update("variations", e.currentTarget.value)} />
          </Field>
        </div>
        <div class="row">
          <ProviderSelect id="provider" value={form.provider} options={providerOptions(catalog, providers)} onChange={(v) => update("provider", v)} />
          <Field id="model" label="Model">
            <select value={form.model} disabled={form.provider === AUTO} onChange={(e) => update("model", e.currentTarget.value)}>
              <option value={AUTO}>{form.provider === AUTO ? "Chosen by quality" : "Default"}</option>
              {models.map((m) => (
                <option key={m.id} value={m.id} disabled={m.unavailable !== undefined} title={m.unavailable}>
                  {m.unavailable ? `${m.label} (${m.unavailable})` : m.label}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <Field id="aspect-ratio" label="Aspect ratio">
          <select value={form.aspectRatio} onChange={(e) => update("aspectRatio", e.currentTarget.value)}>
            {aspectRatioOptions(catalog).map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
        </Field>
        <Advanced id="create" seed={form.seed} onSeed={(v) => update("seed", v)} open={advanced} onToggle={setAdvanced}>
          <Field id="negative-prompt" label="Avoid (optional)">
            <textarea rows={2} maxLength={PROMPT_MAX} value={form.negativePrompt} placeholder="text, watermark" onInput={(e) => update("negativePrompt", e.currentTarget.value)} />
          </Field>
        </Advanced>
        <PlanSection catalog={catalog} ctx={ctx} create={base} />
      </div>
      <ActionFooter id="generate" label="Generate" busyLabel="Generating…" where={placementHint(props.selection)} badge={badge} job={job} onRun={onGenerate}>
        {reuse && <ReuseChoice id="create" fresh={fresh} price={estimate(base, catalog, ctx).total} onChange={setFresh} />}
      </ActionFooter>
    </div>
  );
}
