// The managers' controls in real Chromium: the built panel in a Figma-like iframe (the built plugin in
// QuickJS) against a real proxy process. The project picker charges the Generate job to the project and the
// plugin keeps the choice in the document's plugin data; the badge gives the project's budget and the
// role's refusal as its reason; a crossed threshold shows in the managers' banner until dismissed; the Team
// view shows each project's budget and forecast.
import { beforeAll, describe, expect, it } from "vitest";
import { alertListResponseSchema, projectListResponseSchema, projectResponseSchema } from "../../core/api/managers.ts";
import { jobResponseSchema, meSchema } from "../../core/api/responses.ts";
import { badgeWhen, callProxy, openPanel, openTab, postedByPlugin, receivedByPlugin, runJob, shootPanel, useBrowserSuite, waitForJob } from "../support/browser.ts";

describe("managers' controls in Chromium against a real proxy", () => {
  const suite = useBrowserSuite();
  let manager: string;
  let member: string;
  let projectId: string;

  beforeAll(async () => {
    const { proxy } = suite;
    const created = await proxy.admin<{ team: { id: string }; token: string }>("team", "create", "--name", "Fjord Studio", "--tier", "pro", "--manager", "Maya");
    manager = created.token;
    member = (await proxy.admin<{ token: string }>("member", "add", "--team", created.team.id, "--name", "Bo")).token;
    const res = await callProxy(proxy, manager, "/v1/projects", { name: "Launch", budget: 10, budgetKind: "monthly" });
    projectId = projectResponseSchema.parse(await res.json()).project.id;
    expect((await callProxy(proxy, manager, "/v1/team/thresholds", { scope: "project", percent: 50 })).status).toBe(201);
    const policy = await fetch(`${proxy.url}/v1/team/policy`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${manager}`, "Content-Type": "application/json" },
      body: JSON.stringify({ member: { qualities: ["draft"] } }),
    });
    expect(policy.status).toBe(200);
  }, 60_000);

  it("charges Generate to the picked project, remembers it in the file, and prices the badge with its budget", async () => {
    const { page, panel } = await openPanel(suite, manager);
    const picker = panel.getByTestId("project-picker").locator("select");
    await picker.waitFor();
    expect(await picker.inputValue()).toBe(""); // a new file has no project yet
    await picker.selectOption(projectId);
    await expect.poll(async () => (await receivedByPlugin(page)).filter((m) => m.type === "document-project").length).toBe(2);
    expect((await postedByPlugin(page)).filter((t) => t === "document-project")).toHaveLength(2);

    const create = await openTab(panel, "create");
    await create.getByTestId("prompt").fill("A fjord at dawn");
    await create.getByTestId("quality").selectOption("draft");
    await create.getByTestId("aspect-ratio").selectOption("1:1");
    // 6 drafts: 12 credits, over the project's 10: the badge says why, as the hold would.
    await create.getByTestId("variations").fill("6");
    await badgeWhen(create, (b) => b.credits === 12 && b.state === "unavailable");
    expect(await create.locator("#generate-hint").innerText()).toBe("Project Launch has 10 credits left of its budget; this needs 12");
    await create.getByTestId("variations").fill("3");
    await badgeWhen(create, (b) => b.credits === 6 && b.state === "price");
    // 6 of 10 crosses the project's 50 % threshold: said under the button before the click.
    expect(await create.getByTestId("threshold-warning").innerText()).toBe("This job crosses 50 % of Project Launch");
    await create.getByTestId("generate").click();
    await waitForJob(create);
    // The job went to the project: its spend, and the 50 % alert in the banner.
    const projects = (await (await callProxy(suite.proxy, manager, "/v1/projects")).json()) as { projects: { id: string; spent: number }[] };
    const spent = projects.projects.find((p) => p.id === projectId)!.spent;
    expect(spent).toBe(6); // the badge's amount, charged to the project
    const alerts = alertListResponseSchema.parse(await (await callProxy(suite.proxy, manager, "/v1/alerts")).json()).alerts;
    expect(alerts.map((a) => [a.scope, a.percent])).toEqual([["project", 50]]);
    const banner = panel.getByTestId("alerts-banner");
    await banner.waitFor();
    expect(await banner.innerText()).toContain("50 % of project Launch's budget used");
    await shootPanel(page, "managers-banner");
    await banner.getByRole("button", { name: "Dismiss" }).click();
    await banner.waitFor({ state: "detached" });

    // The Team view: the project's budget and its forecast.
    const team = await openTab(panel, "team");
    const controls = team.getByTestId("team-controls");
    await controls.waitFor();
    // The banner's alerts, the dismissed one included, stay listed here (the banner points here for more).
    expect(await controls.getByTestId("alert-row").innerText()).toMatch(/: 50 % of project Launch's budget used \(6 of 10 credits\) · dismissed$/);
    const row = controls.getByTestId("project");
    expect(await row.innerText()).toContain("Launch");
    expect(await row.getAttribute("data-remaining")).toBe(String(10 - spent));
    expect(await controls.getByTestId("forecast-balance").innerText()).toMatch(/^Balance: (Runs out around|Lasts this period at)/);
    await controls.getByTestId("project-form").scrollIntoViewIfNeeded();
    await shootPanel(page, "managers-team");

    // The forms are the panel's labelled fields: a manager adds a one-off project and a team alert by label.
    await controls.getByLabel("New project", { exact: true }).fill("Catalogue");
    await controls.getByLabel("Budget", { exact: true }).fill("40");
    await controls.getByLabel("Per", { exact: true }).selectOption("once");
    await controls.getByTestId("project-form").getByRole("button", { name: "Add" }).click();
    await expect.poll(async () => (await controls.getByTestId("project").allInnerTexts()).join("|")).toContain("Catalogue");
    await controls.getByLabel("Alert at a percent", { exact: true }).selectOption("team");
    await controls.getByLabel("%", { exact: true }).fill("90");
    await controls.getByRole("button", { name: "Add alert" }).click();
    await expect.poll(async () => (await controls.getByTestId("threshold").allInnerTexts()).join("|")).toContain("90 % of the allocation");
    const listed = projectListResponseSchema.parse(await (await callProxy(suite.proxy, manager, "/v1/projects")).json()).projects;
    expect(listed.find((p) => p.name === "Catalogue")).toMatchObject({ budget: 40, budgetKind: "once" });
    await page.close();
  }, 90_000);

  it("shows a member the role's refusal on the badge, as the proxy refuses it", async () => {
    const { page, panel } = await openPanel(suite, member);
    const me = meSchema.parse(await (await callProxy(suite.proxy, member, "/v1/me")).json());
    expect(me.roleRules).toEqual({ qualities: ["draft"] });
    const create = await openTab(panel, "create");
    await create.getByTestId("prompt").fill("A fjord at dusk");
    await create.getByTestId("quality").selectOption("standard");
    await badgeWhen(create, (b) => b.state === "unavailable");
    expect(await create.locator("#generate-hint").innerText()).toBe("Members of this team may not use standard quality");
    const res = await callProxy(suite.proxy, member, "/v1/jobs", { operation: "create", prompt: "A fjord at dusk", quality: "standard" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("role_not_allowed");
    await page.close();
  }, 60_000);

  it("runs jobs charged to the project through the API too", async () => {
    const job = await runJob(suite.proxy, manager, { operation: "create", prompt: "p", quality: "draft", projectId });
    expect(jobResponseSchema.shape.job.parse(job).projectId).toBe(projectId);
  });
});
