// The managers' controls in the Team view (docs/api.md "Projects, roles and alerts"): the forecast of the
// balance, projects with their budgets and run-out forecasts (create, archive), thresholds (add, remove)
// and the webhook URL (its signing secret shown once, when set).
import { useState } from "preact/hooks";
import type { ForecastResponse, Project, Threshold } from "../../core/api/managers.ts";
import type { ApiClient } from "../connection/api-client.ts";
import { toApiError } from "../connection/api-error.ts";
import { describeError } from "../connection/error-text.ts";
import { ErrorMessage } from "../widgets/error-message.tsx";
import { SectionHead } from "../widgets/section-head.tsx";
import { useLoad } from "../widgets/use-load.ts";
import { forecastText } from "./controls-text.ts";
import "./controls-view.css";

interface Controls {
  forecast: ForecastResponse;
  projects: Project[];
  thresholds: Threshold[];
  webhook: string | null;
}

export function ControlsView({ api, at }: { api: ApiClient; at: string }) {
  const { state, reload } = useLoad<Controls>(async () => {
    const [forecast, projects, thresholds, webhook] = await Promise.all([
      api.managers.forecast(),
      api.managers.projects(),
      api.managers.thresholds(),
      api.managers.webhook(),
    ]);
    return { forecast, projects, thresholds, webhook: webhook.webhook?.url ?? null };
  }, `${api.proxyUrl}|${at}`);
  const [problem, setProblem] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const act = (work: Promise<unknown>) =>
    void work.then(
      () => (setProblem(null), reload()),
      (error: unknown) => setProblem(describeError(toApiError(error))),
    );

  if (state.status !== "ready") return state.status === "error" ? <ErrorMessage message={describeError(state.error)} /> : null;
  const { forecast, projects, thresholds, webhook } = state.data;
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
      <form
        class="controls-form"
        data-testid="project-form"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const budget = String(data.get("budget") ?? "").trim();
          act(
            api.managers.createProject({
              name: String(data.get("name") ?? ""),
              budget: budget === "" ? null : Number(budget),
              budgetKind: data.get("kind") === "once" ? "once" : "monthly",
            }),
          );
          event.currentTarget.reset();
        }}
      >
        <input name="name" placeholder="New project" aria-label="Project name" required maxLength={200} />
        <input name="budget" type="number" min={0} placeholder="Budget" aria-label="Budget in credits" />
        <select name="kind" aria-label="Budget period">
          <option value="monthly">a month</option>
          <option value="once">one-off</option>
        </select>
        <button type="submit" class="button secondary">
          Add
        </button>
      </form>
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
      <form
        class="controls-form"
        data-testid="threshold-form"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const scope = String(data.get("scope")) as Threshold["scope"];
          act(api.managers.addThreshold({ scope, percent: Number(data.get("percent")) }));
        }}
      >
        <select name="scope" aria-label="Threshold of">
          <option value="project">of each project's budget</option>
          <option value="team">of the allocation</option>
          <option value="member">of each member's cap</option>
        </select>
        <input name="percent" type="number" min={1} max={1000} defaultValue="80" aria-label="Percent" required />
        <button type="submit" class="button secondary">
          Add alert
        </button>
      </form>
      <form
        class="controls-form"
        data-testid="webhook-form"
        onSubmit={(event) => {
          event.preventDefault();
          const url = String(new FormData(event.currentTarget).get("url") ?? "");
          act(api.managers.setWebhook(url).then((res) => setSecret(res.secret ?? null)));
        }}
      >
        <input name="url" type="url" placeholder="https://… webhook" defaultValue={webhook ?? ""} aria-label="Webhook URL" required />
        <button type="submit" class="button secondary">
          Save webhook
        </button>
      </form>
      {secret && (
        <p class="muted" data-testid="webhook-secret">
          Signing secret (shown once): <code>{secret}</code>
        </p>
      )}
    </section>
  );
}
