// The project jobs are charged to (docs/api.md "Projects"), above the studios: the team's active projects
// with what their budgets have left, starting from the one last used in this Figma file (kept in the
// document's plugin data by the plugin: the `document-project` message). Shown only when the team has any.
import { useEffect, useState } from "preact/hooks";
import type { Project } from "../../core/api/managers.ts";
import type { ApiClient } from "../connection/api-client.ts";
import type { PluginBridge } from "../connection/plugin-bridge.ts";
import { Field } from "../widgets/field.tsx";
import { useLoad } from "../widgets/use-load.ts";
import { chooseProject, chosenProject, setThresholds } from "./project-choice.ts";
import "./project-picker.css";

/**
 * Waits for the effects of this render to finish, the panel's interactive mark among them (ui/load-mark.ts):
 * projects and alerts are not what the panel waits for before it takes input, so they load just after.
 */
export const afterInteractive = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export function ProjectPicker({ api, bridge, memberId, at, onChange }: { api: ApiClient; bridge: PluginBridge; memberId: string; at: string; onChange(): void }) {
  // Reloaded after each job (`at`), so a budget's remainder on the badge follows what was spent.
  const { state } = useLoad<Project[]>(async () => {
    await afterInteractive();
    const [projects, forecast] = await Promise.all([api.managers.projects(), api.managers.forecast().catch(() => null)]);
    // Where the thresholds stand, for the badge's warning (best effort: the picker works without it).
    if (forecast) setThresholds(forecast.thresholds, memberId);
    return projects;
  }, `${api.proxyUrl}|${at}`);
  const [remembered, setRemembered] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    const stop = bridge.subscribe((m) => {
      if (m.type === "document-project") setRemembered(m.projectId);
    });
    bridge.post({ type: "document-project" });
    return stop;
  }, [bridge]);

  const projects = state.status === "ready" ? state.data : [];
  useEffect(() => {
    if (remembered === undefined || state.status !== "ready") return;
    // The file's project, with fresh figures; an archived or unknown one is no choice.
    const next = projects.find((p) => p.id === (chosenProject()?.id ?? remembered)) ?? null;
    const current = chosenProject();
    if (next?.id !== current?.id || next?.remaining !== current?.remaining) {
      chooseProject(next);
      onChange();
    }
  }, [remembered, state]);

  if (projects.length === 0) return null;
  return (
    <div class="project-picker" data-testid="project-picker">
      <Field id="project-choice" label="Project">
        <select
          value={chosenProject()?.id ?? ""}
          onChange={(event) => {
            const chosen = projects.find((p) => p.id === event.currentTarget.value) ?? null;
            chooseProject(chosen);
            bridge.post({ type: "document-project", projectId: chosen?.id ?? null });
            onChange();
          }}
        >
          <option value="">No project</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.remaining === null ? p.name : `${p.name} · ${p.remaining} left`}
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}
