// The Create studio: prompt and options, a Generate button that carries its price, and the job's progress.
import { useRef, useState } from "preact/hooks";
import type { Me, ProviderStatus } from "../../core/api/responses.ts";
import { MAX_VARIATIONS, PROMPT_MAX } from "../../core/api/specs.ts";
import type { Catalog, Quality } from "../../core/catalog/schema.ts";
import type { Provenance, Selection } from "../../core/messages.ts";
import { estimate } from "../../core/estimate.ts";
import { toApiError } from "../api-error.ts";
import type { ApiClient } from "../api-client.ts";
import { badgeFor, creditsText } from "../badge.ts";
import { CostBadge } from "../cost-badge.tsx";
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
import { ErrorMessage } from "../error-message.tsx";
import { describeError } from "../error-text.ts";
import { generate, type Progress } from "../generate.ts";
import { JobStatus, type Run } from "../job-status.tsx";
import type { PluginBridge } from "../plugin-bridge.ts";
import { randomId } from "../uuid.ts";

export interface CreateStudioProps {
  catalog: Catalog;
  providers: ProviderStatus[];
  me: Me;
  api: ApiClient;
  bridge: PluginBridge;
  selection: Selection;
  relaunch?: Provenance | undefined;
  /** Re-reads the balance; awaited so the balance is current by the time the job shows as done. */
  refreshBalance(): Promise<void>;
}

const QUALITY_LABELS: Record<Quality, string> = { draft: "Draft", standard: "Standard", premium: "Premium" };

const imagesText = (n: number) => `${n} ${n === 1 ? "image" : "images"}`;

function progressRun(progress: Progress): Run {
  switch (progress.phase) {
    case "starting":
      return { status: "starting", text: "Starting…" };
    case "queued": {
      const position = progress.job.progress.queuePosition;
      return { status: "queued", text: position ? `Queued · position ${position}` : "Queued…" };
    }
    case "running": {
      const { completed, total } = progress.job.progress;
      return { status: "running", text: `Generating · ${completed} of ${total} done`, fraction: completed / total };
    }
    case "placing":
      return { status: "placing", text: `Placing ${imagesText(progress.job.assets.length)} on the canvas…`, fraction: 1 };
  }
}

function placementHint(selection: Selection): string {
  const first = selection.items[0];
  if (!first) return "Results go to the centre of the view";
  return selection.items.length === 1 ? `Results go beside “${first.name}”` : `Results go beside the ${selection.items.length} selected layers`;
}

export function CreateStudio(props: CreateStudioProps) {
  const { catalog, providers, me } = props;
  const [form, setForm] = useState<CreateForm>(() => formFromSpec(catalog, props.relaunch?.spec) ?? initialForm(catalog));
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const [running, setRunning] = useState(false);

  const update = <K extends keyof CreateForm>(key: K, value: CreateForm[K]) =>
    setForm((f) => ({ ...f, [key]: value, ...(key === "provider" ? { model: AUTO } : {}) }));

  const spec = buildCreateSpec(form);
  const problem = formProblem(form);
  const badge = badgeFor(estimate(spec, catalog, estimateContext(me, providers)), problem, catalog);
  const providerList = providerOptions(catalog, providers);
  const models = modelOptions(catalog, form.provider);

  async function onGenerate() {
    // A ref, not state: a double click must not start two jobs before the re-render disables the button.
    if (busy.current || !badge.enabled) return;
    busy.current = true;
    setRunning(true);
    setError(null);
    let heldRead: Promise<void> | null = null;
    try {
      const result = await generate(spec, {
        api: props.api,
        place: (input) => props.bridge.placeImages(input),
        newKey: randomId,
        onProgress: (progress) => {
          setRun(progressRun(progress));
          // Once the credits are held, show the held amount in the balance.
          if (progress.phase !== "starting" && !heldRead) heldRead = props.refreshBalance();
        },
      });
      // After the early read, so a slow early answer cannot overwrite the final balance.
      await heldRead;
      await props.refreshBalance();
      const n = result.nodeIds.length;
      setRun({ status: "succeeded", text: `Placed ${imagesText(n)} · ${creditsText(result.job.charged)} charged` });
    } catch (caught) {
      await heldRead;
      await props.refreshBalance();
      setRun({ status: "failed", text: "Failed" });
      setError(describeError(toApiError(caught)));
    } finally {
      busy.current = false;
      setRunning(false);
    }
  }

  const onPromptKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      void onGenerate();
    }
  };

  return (
    <div class="view create">
      <div class="scroll">
        <div class="field">
          <label for="prompt">Prompt</label>
          <textarea
            id="prompt"
            data-testid="prompt"
            rows={5}
            maxLength={PROMPT_MAX}
            value={form.prompt}
            onInput={(e) => update("prompt", e.currentTarget.value)}
            onKeyDown={onPromptKeyDown}
            placeholder="A watercolor fox in a misty pine forest, soft morning light"
          />
        </div>
        <div class="row">
          <div class="field">
            <label for="quality">Quality</label>
            <select id="quality" data-testid="quality" value={form.quality} onChange={(e) => update("quality", e.currentTarget.value as Quality)}>
              {qualityOptions.map((q) => (
                <option key={q} value={q}>
                  {QUALITY_LABELS[q]}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="variations">Variations</label>
            <input
              id="variations"
              data-testid="variations"
              type="number"
              min={1}
              max={MAX_VARIATIONS}
              step={1}
              value={form.variations}
              onInput={(e) => update("variations", e.currentTarget.value)}
            />
          </div>
        </div>
        <div class="row">
          <div class="field">
            <label for="provider">Provider</label>
            <select id="provider" data-testid="provider" value={form.provider} onChange={(e) => update("provider", e.currentTarget.value)}>
              <option value={AUTO}>Auto</option>
              {providerList.map((p) => (
                <option key={p.id} value={p.id} disabled={!p.configured} title={p.reason}>
                  {p.configured ? p.name : `${p.name} (${p.reason})`}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="model">Model</label>
            <select id="model" data-testid="model" value={form.model} disabled={form.provider === AUTO} onChange={(e) => update("model", e.currentTarget.value)}>
              <option value={AUTO}>{form.provider === AUTO ? "Chosen by quality" : "Default"}</option>
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div class="field">
          <label for="aspect-ratio">Aspect ratio</label>
          <select id="aspect-ratio" data-testid="aspect-ratio" value={form.aspectRatio} onChange={(e) => update("aspectRatio", e.currentTarget.value)}>
            {aspectRatioOptions(catalog).map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div class="footer">
        <p class="muted">{placementHint(props.selection)}</p>
        <button
          type="button"
          class="button generate"
          data-testid="generate"
          disabled={!badge.enabled || running}
          onClick={() => void onGenerate()}
          aria-describedby={badge.hint ? "generate-hint" : undefined}
        >
          <span>{running ? "Generating…" : "Generate"}</span>
          <CostBadge badge={badge} />
        </button>
        {badge.hint && (
          <p id="generate-hint" class={`hint hint-${badge.state}`}>
            {badge.hint}
          </p>
        )}
        {run && <JobStatus run={run} />}
        {error && <ErrorMessage message={error} />}
      </div>
    </div>
  );
}
