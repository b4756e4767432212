import { afterEach, describe, expect, it } from "vitest";
import { createSpecSchema } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { estimate } from "../../core/estimate.ts";
import { chooseProject, crossingWarnings, onProjectChange, projectContext, setThresholds, withProject } from "./project-choice.ts";

const project = { id: "prj_abcdefghijklmnopqrstuvwxyz", name: "Spring", budget: 10, budgetKind: "monthly" as const, spent: 7, held: 0, remaining: 3, archived: false, createdAt: "" };
const spec = createSpecSchema.parse({ operation: "create", prompt: "p", quality: "draft", variations: 2 });

afterEach(() => {
  chooseProject(null);
  setThresholds([], "");
});

describe("the chosen project", () => {
  it("charges specs to it and prices the badge with its budget", () => {
    expect(withProject(spec)).toBe(spec);
    let heard = 0;
    const stop = onProjectChange(() => heard++);
    chooseProject(project);
    stop();
    expect(heard).toBe(1);
    expect(withProject(spec).projectId).toBe(project.id);
    const badge = estimate(spec, DEFAULT_CATALOG, { tier: "pro", ...projectContext() });
    expect(badge.reasons[0]).toMatchObject({ code: "project_budget_reached", message: "Project Spring has 3 credits left of its budget; this needs 4" });
    // A spec that names its own project keeps it.
    expect(withProject({ ...spec, projectId: "prj_zzzzzzzzzzzzzzzzzzzzzzzzzz" }).projectId).toBe("prj_zzzzzzzzzzzzzzzzzzzzzzzzzz");
  });
});

describe("the badge's threshold warning", () => {
  it("names the thresholds this job would cross among those that apply to it", () => {
    const statuses = [
      { id: "t1", scope: "project" as const, targetId: project.id, label: "Spring", percent: 80, used: 7, base: 10 },
      { id: "t2", scope: "project" as const, targetId: "prj_otherotherotherotherother", label: "Other", percent: 80, used: 7, base: 10 },
      { id: "t3", scope: "team" as const, targetId: "team_x", label: "the team's allocation", percent: 50, used: 999, base: 2000 },
      { id: "t4", scope: "member" as const, targetId: "mem_someone", label: "Bo's monthly cap", percent: 50, used: 0, base: 2 },
    ];
    setThresholds(statuses, "mem_me");
    expect(crossingWarnings(2)).toEqual(["This job crosses 50 % of the team's allocation"]);
    chooseProject(project);
    expect(crossingWarnings(2)).toEqual(["This job crosses 80 % of Project Spring", "This job crosses 50 % of the team's allocation"]);
    expect(crossingWarnings(0)).toEqual([]);
  });
});
