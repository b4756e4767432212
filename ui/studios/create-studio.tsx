// The Create studio: prompt and options, a Generate button that carries its price, and the job's progress.
import type { Me, ProviderStatus } from "../../core/api/responses.ts";
import { MAX_VARIATIONS, PROMPT_MAX } from "../../core/api/specs.ts";
import type { Catalog, Quality } from "../../core/catalog/schema.ts";
import type { Provenance, Selection } from "../../core/messages.ts";
import { estimate } from "../../core/estimate.ts";
import { useState } from "preact/hooks";
import { ActionFooter } from "../action-footer.tsx";
import { badgeFor, creditsText } from "../badge.ts";
import {
  AUTO,
  aspectRatioOptions,
  buildCreateSpec,
  estimateContext,
  formFromSpec,
  formProblem,
  initialForm,
  modelOptions,
  providerOptions,
  qualityOptions,
  type CreateForm,
} from "../create-form.ts";
import { Field } from "../field.tsx";
import { layerName } from "../run-job.ts";
import { useJob, type JobHost } from "../use-job.ts";
import { ProviderSelect } from "./provider-select.tsx";

export interface CreateStudioProps extends JobHost {
  catalog: Catalog;
  providers: ProviderStatus[];
  me: Me;
  selection: Selection;
  relaunch?: Provenance | undefined;
}

const QUALITY_LABELS: Record<Quality, string> = { draft: "Draft", standard: "Standard", premium: "Premium" };

const imagesText = (n: number) => `${n} ${n === 1 ? "image" : "images"}`;

function placementHint(selection: Selection): string {
  const first = selection.items[0];
  if (!first) return "Results go to the centre of the view";
  return selection.items.length === 1 ? `Results go beside “${first.name}”` : `Results go beside the ${selection.items.length} selected layers`;
}

export function CreateStudio(props: CreateStudioProps) {
  const { catalog, providers, me } = props;
  const [form, setForm] = useState<CreateForm>(() => formFromSpec(catalog, props.relaunch?.spec) ?? initialForm(catalog));
  const job = useJob(props, "Generating");

  const update = <K extends keyof CreateForm>(key: K, value: CreateForm[K]) =>
    setForm((f) => ({ ...f, [key]: value, ...(key === "provider" ? { model: AUTO } : {}) }));

  const spec = buildCreateSpec(form);
  const problem = formProblem(form);
  const badge = badgeFor(estimate(spec, catalog, estimateContext(me, providers)), problem, catalog);
  const models = modelOptions(catalog, form.provider);

  const onGenerate = () => {
    if (!badge.enabled) return;
    void job.start(
      () => ({ spec, name: layerName(spec.prompt) }),
      (result) => `Placed ${imagesText(result.nodeIds.length)} · ${creditsText(result.job.charged)} charged`,
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
        <Field id="prompt" label="Prompt">
          <textarea
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
          <Field id="variations" label="Variations">
            <input type="number" min={1} max={MAX_VARIATIONS} step={1} value={form.variations} onInput={(e) => update("variations", e.currentTarget.value)} />
          </Field>
        </div>
        <div class="row">
          <ProviderSelect id="provider" value={form.provider} options={providerOptions(catalog, providers)} onChange={(v) => update("provider", v)} />
          <Field id="model" label="Model">
            <select value={form.model} disabled={form.provider === AUTO} onChange={(e) => update("model", e.currentTarget.value)}>
              <option value={AUTO}>{form.provider === AUTO ? "Chosen by quality" : "Default"}</option>
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
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
      </div>
      <ActionFooter id="generate" label="Generate" busyLabel="Generating…" where={placementHint(props.selection)} badge={badge} job={job} onRun={onGenerate} />
    </div>
  );
}
