// The managers' banner: thresholds crossed this period and not yet acknowledged (GET /v1/alerts), each
// with Dismiss (POST /v1/alerts/:id/ack). Reloads after each job (`at`), so a crossing shows soon after.
import type { Alert } from "../../core/api/managers.ts";
import type { ApiClient } from "../connection/api-client.ts";
import { afterInteractive } from "../jobs/project-picker.tsx";
import { useLoad } from "../widgets/use-load.ts";
import { alertText } from "./controls-text.ts";

export function AlertsBanner({ api, at }: { api: ApiClient; at: string }) {
  const { state, reload } = useLoad<Alert[]>(async () => (await afterInteractive(), api.managers.alerts()), `${api.proxyUrl}|${at}`);
  if (state.status !== "ready" || state.data.length === 0) return null;
  return (
    <div class="alerts-banner" role="status" data-testid="alerts-banner">
      {state.data.slice(0, 3).map((a) => (
        <p key={a.id} class="alert-line" data-testid="alert" data-scope={a.scope} data-percent={a.percent}>
          <span>{alertText(a)}</span>
          <button type="button" class="button secondary" onClick={() => void api.managers.acknowledge(a.id).then(reload, reload)}>
            Dismiss
          </button>
        </p>
      ))}
      {state.data.length > 3 && <p class="muted">and {state.data.length - 3} more in the Team view</p>}
    </div>
  );
}
