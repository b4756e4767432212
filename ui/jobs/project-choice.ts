// The project the panel charges jobs to (docs/api.md "Projects"): one choice for every studio, as one Figma
// file is one piece of work. The picker sets it (and the plugin keeps it in the file's plugin data); each
// job and batch item is sent with its `projectId`, and each badge prices with its budget.
import type { ForecastResponse, Project } from "../../core/api/managers.ts";
import type { JobSpec } from "../../core/api/specs.ts";
import type { EstimateContext } from "../../core/estimate.ts";
import { thresholdsCrossedBy } from "../../core/forecast.ts";

let chosen: Project | null = null;
const listeners = new Set<() => void>();

export function chosenProject(): Project | null {
  return chosen;
}

export function chooseProject(project: Project | null): void {
  chosen = project;
  for (const listener of listeners) listener();
}

/** Calls `listener` after every choice; returns the unsubscribe function. */
export function onProjectChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The spec charged to the chosen project, unless it names one itself. */
export function withProject<T extends JobSpec>(spec: T): T {
  return chosen && !spec.projectId ? { ...spec, projectId: chosen.id } : spec;
}

/** estimate()'s `project`: the chosen project's budget, as the hold will check it. */
export function projectContext(): Pick<EstimateContext, "project"> {
  return chosen ? { project: { id: chosen.id, name: chosen.name, remaining: chosen.remaining } } : {};
}

/** Where the team's thresholds stand (GET /v1/team/forecast) and who is asking: for the badge's warning. */
let thresholds: { statuses: ForecastResponse["thresholds"]; memberId: string } = { statuses: [], memberId: "" };

export function setThresholds(statuses: ForecastResponse["thresholds"], memberId: string): void {
  thresholds = { statuses, memberId };
}

/**
 * "This job crosses 80 % of Project Launch": the thresholds a job of `credits` would cross that apply to it
 * (the team's, the chosen project's, the caller's own cap's).
 */
export function crossingWarnings(credits: number): string[] {
  const applies = thresholds.statuses.filter(
    (t) => t.scope === "team" || (t.scope === "project" && t.targetId === chosen?.id) || (t.scope === "member" && t.targetId === thresholds.memberId),
  );
  return thresholdsCrossedBy(credits, applies).map((t) => {
    const what = t.scope === "team" ? "the team's allocation" : t.scope === "project" ? `Project ${t.label}` : "your monthly cap";
    return `This job crosses ${t.percent} % of ${what}`;
  });
}
