// The managers' controls in the Team view (docs/api.md "Projects, roles and alerts"): the forecast of the
// balance, projects with their budgets and run-out forecasts (create, archive), thresholds (add, remove)
// and the webhook URL (its signing secret shown once, when set).
import { useState } from "preact/hooks";
import type { Alert, ForecastResponse, Project, Threshold } from "../../core/api/managers.ts";
import type { ApiClient } from "../connection/api-client.ts";
import { toApiError } from "../connection/api-error.ts";
import { describeError } from "../connection/error-text.ts";
import type { ComponentChildren } from "preact";
import { ErrorMessage } from "../widgets/error-message.tsx";
import { Field } from "../widgets/field.tsx";
import { SectionHead } from "../widgets/section-head.tsx";
import { useLoad } from "../widgets/use-load.ts";
import { dateText } from "../widgets/format.ts";
import { alertText, forecastText } from "./controls-text.ts";
import "./controls-view.css";

interface Controls {
  forecast: ForecastResponse;
  projects: Project[];
  thresholds: Threshold[];
  webhook: string | null;
  alerts: Alert[];
}

/** The newest alerts the view lists (the banner shows three; the rest are here). */
const ALERTS_SHOWN = 10;

export function ControlsView({ api, at }: { api: ApiClient; at: string }) {
  const { state, reload } = useLoad<Controls>(async () => {
    const [forecast, projects, thresholds, webhook, alerts] = await Promise.all([
      api.managers.forecast(),
      api.managers.projects(),
      api.managers.thresholds(),
      api.managers.webhook(),
      api.managers.alerts(true),
    ]);
    return { forecast, projects, thresholds, webhook: webhook.webhook?.url ?? null, alerts };
  }, `${api.proxyUrl}|${at}`);
  const [problem, setProblem] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const act = (work: Promise<unknown>) =>
    void work.then(
      () => (setProblem(null), reload()),
      (error: unknown) => setProblem(describeError(toApiError(error))),
    );

  if (state.status !== "ready") return state.status === "error" ? <ErrorMessage message={describeError(state.error)} /> : null;
  const { forecast, projects, thresholds, webhook, alerts } = state.data;
  const forecasts = new Map(forecast.projects.map((f) => [f.projectId, f]));
  const names = new Map(projects.map((p) => [p.id, p.name]));

  return (
    <section class="team-section" aria-labelledby="controls-title" data-testid="team-controls">
      <SectionHead id="controls-title" title="Projects and alerts" />
      <p data-testid="forecast-balance">Balance: {forecastText(forecast.balance)}</p>
      {problem && <ErrorMessage message={problem} />}
      <ul class="members" data-testid="projects">
        {projects.map((p) => (
          <li key={p.id} class="member" data-testid="project" data-remaining={p.remaining ?? ""}>
            <div class="bar-label">
              <strong class="bar-name">{p.name}</strong>
              <span class="bar-figure">{p.budget === null ? `${p.spent} spent` : `${p.spent + p.held} of ${p.budget}${p.budgetKind === "once" ? " (one-off)" : " a month"}`}</span>
            </div>
            <p class="muted controls-row" data-testid="project-forecast">
              {forecasts.has(p.id) ? forecastText(forecasts.get(p.id)!) : ""}{" "}
              <button type="button" class="button secondary" onClick={() => act(api.managers.archiveProject(p.id))}>
                Archive
              </button>
            </p>
          </li>
        ))}
      </ul>
      <ControlsForm
        id="project-form"
        submit="Add"
        onSubmit={(data, form) => {
          const budget = String(data.get("budget") ?? "").trim();
          act(
            api.managers.createProject({
              name: String(data.get("name") ?? ""),
              budget: budget === "" ? null : Number(budget),
              budgetKind: data.get("kind") === "once" ? "once" : "monthly",
            }),
          );
          form.reset();
        }}
      >
        <Field id="new-project-name" label="New project">
          <input name="name" placeholder="Name" required maxLength={200} />
        </Field>
        <Field id="new-project-budget" label="Budget">
          <input name="budget" type="number" min={0} placeholder="No limit" />
        </Field>
        <Field id="new-project-kind" label="Per">
          <select name="kind">
            <option value="monthly">month</option>
            <option value="once">one-off</option>
          </select>
        </Field>
      </ControlsForm>
      <ul class="controls-list" data-testid="thresholds">
        {thresholds.map((t) => (
          <li key={t.id} class="controls-row" data-testid="threshold">
            <span>
              {t.percent} % of {t.scope === "team" ? "the allocation" : t.targetId ? (names.get(t.targetId) ?? t.targetId) : `every ${t.scope}'s ${t.scope === "project" ? "budget" : "cap"}`}
            </span>{" "}
            <button type="button" class="button secondary" onClick={() => act(api.managers.deleteThreshold(t.id))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <ControlsForm
        id="threshold-form"
        submit="Add alert"
        onSubmit={(data) => act(api.managers.addThreshold({ scope: String(data.get("scope")) as Threshold["scope"], percent: Number(data.get("percent")) }))}
      >
        <Field id="threshold-scope" label="Alert at a percent">
          <select name="scope">
            <option value="project">of each project's budget</option>
            <option value="team">of the allocation</option>
            <option value="member">of each member's cap</option>
          </select>
        </Field>
        <Field id="threshold-percent" label="%">
          <input name="percent" type="number" min={1} max={1000} defaultValue="80" required />
        </Field>
      </ControlsForm>
      {alerts.length > 0 && (
        <ul class="controls-list" data-testid="alerts" aria-label="Alerts">
          {alerts.slice(0, ALERTS_SHOWN).map((a) => (
            <li key={a.id} class="controls-row muted" data-testid="alert-row" data-dismissed={a.acknowledgedAt !== null}>
              <span>
                {dateText(a.createdAt)}: {alertText(a)}
                {a.acknowledgedAt !== null ? " · dismissed" : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
      <ControlsForm
        id="webhook-form"
        submit="Save webhook"
        onSubmit={(data) => act(api.managers.setWebhook(String(data.get("url") ?? "")).then((res) => setSecret(res.secret ?? null)))}
      >
        <Field id="webhook-url" label="Webhook URL">
          <input name="url" type="url" placeholder="https://…" defaultValue={webhook ?? ""} required />
        </Field>
      </ControlsForm>
      {secret && (
        <p class="muted" data-testid="webhook-secret">
          Signing secret (shown once): <code>{secret}</code>
        </p>
      )}
    </section>
  );
}

/** One of the view's small forms: the panel's Fields in a wrapping row, then its button; reads FormData. */
function ControlsForm({ id, submit, onSubmit, children }: { id: string; submit: string; onSubmit(data: FormData, form: HTMLFormElement): void; children: ComponentChildren }) {
  return (
    <form
      class="controls-form"
      data-testid={id}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(new FormData(event.currentTarget), event.currentTarget);
      }}
    >
      {children}
      <button type="submit" class="button secondary">
        {submit}
      </button>
    </form>
  );
}
