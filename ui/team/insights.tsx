// Ways to save: the cost-saving suggestions of /v1/insights (the team's, or a member's own) with what each
// would have saved this period.
import type { InsightsResponse } from "../../core/api/insights.ts";
import type { ApiClient } from "../connection/api-client.ts";
import { describeError } from "../connection/error-text.ts";
import { ErrorMessage } from "../widgets/error-message.tsx";
import { SectionHead } from "../widgets/section-head.tsx";
import { useLoad } from "../widgets/use-load.ts";
import { insightFigure } from "./team-data.ts";

/** Suggestions from this period's jobs, loaded apart from the figures so one failing leaves the other. */
// `at`: when the figures were loaded; they reload after each job and on Refresh, and so do these.
export function Insights({ api, at }: { api: ApiClient; at: number }) {
  const { state } = useLoad<InsightsResponse>(() => api.insights(), `${api.proxyUrl}|${at}`);
  const list = state.status === "ready" ? state.data.insights : [];
  return (
    <section class="team-section" aria-labelledby="insights-title" data-testid="insights" data-state={state.status}>
      <SectionHead id="insights-title" title="Ways to save" />
      {state.status === "loading" && <p class="muted">Loading…</p>}
      {/* Refresh (above) asks again. */}
      {state.status === "error" && <ErrorMessage message={describeError(state.error)} />}
      {state.status === "ready" &&
        (list.length === 0 ? (
          <p class="empty" data-testid="insights-empty">
            Nothing to suggest this period
          </p>
        ) : (
          <ul class="members">
            {list.map((i) => (
              <li key={i.kind} class="member" data-testid="insight" data-kind={i.kind} data-saved={i.savedCredits} data-occurrences={i.occurrences}>
                <div class="bar-label">
                  <strong class="bar-name" title={i.title}>
                    {i.title}
                  </strong>
                  <span class="bar-figure">{insightFigure(i)}</span>
                </div>
                <p class="muted">{i.advice}</p>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
