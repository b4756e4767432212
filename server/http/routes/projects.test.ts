// The managers' controls through the HTTP API: projects and their budgets on POST /v1/jobs, usage, CSV and
// the library by project, the role policy refusing in the hold, thresholds firing once into the banner, the
// webhook's secret shown once, and the forecast. Each refusal leaves the balance untouched.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assetPageSchema } from "../../../core/api/assets.ts";
import {
  alertListResponseSchema,
  forecastResponseSchema,
  MAX_ACTIVE_PROJECTS,
  MAX_THRESHOLDS,
  projectListResponseSchema,
  projectResponseSchema,
  rolePolicyResponseSchema,
  thresholdListResponseSchema,
  webhookResponseSchema,
} from "../../../core/api/managers.ts";
import { usageResponseSchema } from "../../../core/api/reports.ts";
import { jobResponseSchema, meSchema } from "../../../core/api/responses.ts";
import { expectApiError } from "../../test-support/api-assertions.ts";
import { createSpec, SMALL, startTestServer, type TestServer } from "../../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const post = (token: string, path: string, json?: unknown) => s.call(path, { token, method: "POST", ...(json === undefined ? {} : { json }) });
const job = (token: string, spec: Record<string, unknown>) => s.call("/v1/jobs", { token, json: createSpec({ aspectRatio: SMALL, ...spec }), headers: { "Idempotency-Key": randomUUID() } });
const available = async (token: string) => meSchema.parse(await (await s.call("/v1/me", { token })).json()).balance.available;

async function newProject(token: string, json: unknown) {
  const res = await post(token, "/v1/projects", json);
  expect(res.status).toBe(201);
  return projectResponseSchema.parse(await res.json()).project;
}

async function member(token: string, name = "Bo") {
  const res = await post(token, "/v1/team/members", { name });
  return (await res.json()) as { member: { id: string }; token: string };
}

describe("projects", () => {
  it("charges jobs to a project until its budget is spent, then refuses with 402 project_budget_reached", async () => {
    const { token } = await s.createTeam("pro");
    const project = await newProject(token, { name: "Spring launch", budget: 5, budgetKind: "monthly" });
    expect(project).toMatchObject({ name: "Spring launch", budget: 5, budgetKind: "monthly", spent: 0, held: 0, remaining: 5, archived: false });
    const first = await s.runJob(token, createSpec({ aspectRatio: SMALL, projectId: project.id, variations: 2 })); // 4 credits
    expect(first.charged).toBe(4);
    const before = await available(token);
    const refused = await expectApiError(await job(token, { projectId: project.id }), 402, "project_budget_reached"); // 2 > 1 left
    expect(refused.details).toMatchObject({ projectId: project.id, remaining: 1, needed: 2 });
    expect(await available(token)).toBe(before);
    const listed = projectListResponseSchema.parse(await (await s.call("/v1/projects", { token })).json()).projects;
    expect(listed).toEqual([expect.objectContaining({ id: project.id, spent: 4, held: 0, remaining: 1 })]);

    // Usage, its CSV and the library, by project.
    await s.runJob(token, createSpec({ aspectRatio: SMALL })); // not charged to the project
    const usage = usageResponseSchema.parse(await (await s.call(`/v1/usage?groupBy=project&project=${project.id}`, { token })).json());
    expect(usage.rows).toEqual([expect.objectContaining({ projectId: project.id, projectName: "Spring launch", credits: 4, jobs: 1, images: 2 })]);
    const all = usageResponseSchema.parse(await (await s.call("/v1/usage?groupBy=project", { token })).json());
    expect(all.rows.map((r) => [r.projectName, r.credits])).toEqual([
      ["Spring launch", 4],
      [null, 2],
    ]);
    const csv = await (await s.call(`/v1/usage?groupBy=project&format=csv`, { token })).text();
    expect(csv).toBe(`project_id,project_name,credits,jobs,images\r\n${project.id},Spring launch,4,1,2\r\n,,2,1,1\r\n`);
    const library = assetPageSchema.parse(await (await s.call(`/v1/assets?project=${project.id}`, { token })).json());
    expect(library.assets.map((a) => a.jobId)).toEqual([first.id, first.id]);
  });

  it("refuses an unknown project (404) and an archived one (400) before anything is held", async () => {
    const { token } = await s.createTeam("pro");
    const other = await s.createTeam("pro");
    const theirs = await newProject(other.token, { name: "Theirs" });
    const old = await newProject(token, { name: "Old", budget: 50, budgetKind: "once" });
    const archived = projectResponseSchema.parse(await (await post(token, `/v1/projects/${old.id}/archive`)).json()).project;
    expect(archived.archived).toBe(true);
    const before = await available(token);
    await expectApiError(await job(token, { projectId: theirs.id }), 404, "not_found");
    const error = await expectApiError(await job(token, { projectId: old.id }), 400, "invalid_request");
    expect(error.details?.fields).toHaveProperty(["projectId"]);
    await expectApiError(await job(token, { projectId: "nope" }), 400, "invalid_request");
    expect(await available(token)).toBe(before);
    // Archived projects leave the picker's list.
    expect(projectListResponseSchema.parse(await (await s.call("/v1/projects", { token })).json()).projects).toEqual([]);
    expect(projectListResponseSchema.parse(await (await s.call("/v1/projects?archived=true", { token })).json()).projects).toHaveLength(1);
    await expectApiError(await s.call(`/v1/usage?project=${theirs.id}`, { token }), 404, "not_found");
    await expectApiError(await s.call(`/v1/assets?project=${theirs.id}`, { token }), 404, "not_found");
  });

  it("lets only managers create, change and archive projects; members list them", async () => {
    const { token } = await s.createTeam("pro");
    const bo = await member(token);
    await expectApiError(await post(bo.token, "/v1/projects", { name: "X" }), 403, "forbidden");
    const p = await newProject(token, { name: "X" });
    expect((await s.call("/v1/projects", { token: bo.token })).status).toBe(200);
    await expectApiError(await s.call(`/v1/projects/${p.id}`, { token: bo.token, method: "PATCH", json: { budget: 1 } }), 403, "forbidden");
    const changed = await s.call(`/v1/projects/${p.id}`, { token, method: "PATCH", json: { name: "Y", budget: 10, budgetKind: "once" } });
    expect(projectResponseSchema.parse(await changed.json()).project).toMatchObject({ name: "Y", budget: 10, budgetKind: "once", remaining: 10 });
    await expectApiError(await s.call(`/v1/projects/${p.id}`, { token, method: "PATCH", json: { budget: -1 } }), 400, "invalid_request");
    await expectApiError(await s.call("/v1/projects/prj_aaaaaaaaaaaaaaaaaaaaaaaaaa", { token, method: "PATCH", json: { budget: 1 } }), 404, "not_found");
  });
});

describe("roles", () => {
  it("refuses a member's premium job with 403 role_not_allowed in the hold, with the reason the badge shows", async () => {
    const { token } = await s.createTeam("pro");
    const bo = await member(token);
    const set = await s.call("/v1/team/policy", { token, method: "PATCH", json: { member: { qualities: ["draft", "standard"] } } });
    expect(rolePolicyResponseSchema.parse(await set.json()).policy).toEqual({ member: { qualities: ["draft", "standard"] }, manager: null });
    const before = await available(token);
    const error = await expectApiError(await job(bo.token, { quality: "premium" }), 403, "role_not_allowed");
    expect(error.message).toBe("Members of this team may not use premium quality");
    expect(await available(token)).toBe(before);
    expect((await job(token, { quality: "premium" })).status).toBe(202); // managers have no rules
    await expectApiError(await s.call("/v1/team/policy", { token, method: "PATCH", json: { member: { qualities: ["ultra"] } } }), 400, "invalid_request");
    await expectApiError(await s.call("/v1/team/policy", { token: bo.token }), 403, "forbidden");
  });
});

describe("thresholds, alerts and the webhook", () => {
  it("fires a crossed threshold once into the managers' banner, until acknowledged", async () => {
    const { token } = await s.createTeam("pro");
    const p = await newProject(token, { name: "Launch", budget: 10 });
    expect((await post(token, "/v1/team/thresholds", { scope: "project", targetId: p.id, percent: 50 })).status).toBe(201);
    await expectApiError(await post(token, "/v1/team/thresholds", { scope: "team", targetId: p.id, percent: 50 }), 400, "invalid_request");
    await expectApiError(await post(token, "/v1/team/thresholds", { scope: "project", targetId: "prj_aaaaaaaaaaaaaaaaaaaaaaaaaa", percent: 50 }), 404, "not_found");

    // The forecast says where the threshold stands, so the badge can warn before the click.
    const forecast = forecastResponseSchema.parse(await (await s.call("/v1/team/forecast", { token })).json());
    expect(forecast.thresholds).toEqual([expect.objectContaining({ scope: "project", targetId: p.id, label: "Launch", percent: 50, used: 0, base: 10 })]);
    expect(forecast.projects).toEqual([expect.objectContaining({ projectId: p.id, remaining: 10, spentThisPeriod: 0, outlook: "not_this_period" })]);

    await s.runJob(token, createSpec({ aspectRatio: SMALL, projectId: p.id, variations: 3 })); // 6 of 10
    await s.runJob(token, createSpec({ aspectRatio: SMALL, projectId: p.id })); // 8 of 10: no second alert
    const alerts = alertListResponseSchema.parse(await (await s.call("/v1/alerts", { token })).json()).alerts;
    expect(alerts).toEqual([expect.objectContaining({ scope: "project", targetId: p.id, targetName: "Launch", percent: 50, used: 6, base: 10, acknowledgedAt: null })]);
    const after = forecastResponseSchema.parse(await (await s.call("/v1/team/forecast", { token })).json());
    expect(after.projects[0]).toMatchObject({ spentThisPeriod: 8, remaining: 2 });
    expect(after.balance.spentThisPeriod).toBe(8);

    expect((await post(token, `/v1/alerts/${alerts[0]!.id}/ack`)).status).toBe(200);
    expect(alertListResponseSchema.parse(await (await s.call("/v1/alerts", { token })).json()).alerts).toEqual([]);
    expect(alertListResponseSchema.parse(await (await s.call("/v1/alerts?all=true", { token })).json()).alerts).toHaveLength(1);
    const bo = await member(token);
    await expectApiError(await s.call("/v1/alerts", { token: bo.token }), 403, "forbidden");
  });

  it("shows the webhook's secret once, never again, and validates the URL", async () => {
    const { token } = await s.createTeam("pro");
    const set = await post(token, "/v1/team/webhook", { url: "https://hooks.acme.example/studio" });
    expect(set.headers.get("cache-control")).toBe("no-store");
    const shown = webhookResponseSchema.parse(await set.json());
    expect(shown.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const read = await (await s.call("/v1/team/webhook", { token })).text();
    expect(webhookResponseSchema.parse(JSON.parse(read)).webhook?.url).toBe("https://hooks.acme.example/studio");
    expect(read).not.toContain(shown.secret!);
    for (const url of ["ftp://x.example/", "not a url", "https://x.example/\u0000"])
      await expectApiError(await post(token, "/v1/team/webhook", { url }), 400, "invalid_request");
    expect((await s.call("/v1/team/webhook", { token, method: "DELETE" })).status).toBe(204);
    expect(webhookResponseSchema.parse(await (await s.call("/v1/team/webhook", { token })).json()).webhook).toBeNull();
  });

  it("bounds a team's thresholds and active projects, even when created all at once", async () => {
    const { token } = await s.createTeam("pro");
    const percents = Array.from({ length: MAX_THRESHOLDS + 5 }, (_, i) => i + 1);
    const added = await Promise.all(percents.map((percent) => post(token, "/v1/team/thresholds", { scope: "team", percent })));
    expect(added.filter((r) => r.status === 201)).toHaveLength(MAX_THRESHOLDS);
    for (const res of added.filter((r) => r.status !== 201)) expect((await expectApiError(res, 400, "invalid_request")).details).toEqual({ max: MAX_THRESHOLDS });
    const kept = thresholdListResponseSchema.parse(await (await s.call("/v1/team/thresholds", { token })).json()).thresholds;
    expect(kept).toHaveLength(MAX_THRESHOLDS);
    // The same threshold again is the existing one, not a new one, even at the bound.
    expect((await post(token, "/v1/team/thresholds", { scope: "team", percent: kept[0]!.percent })).status).toBe(201);

    const names = Array.from({ length: MAX_ACTIVE_PROJECTS + 3 }, (_, i) => `P${i}`);
    const created = await Promise.all(names.map((name) => post(token, "/v1/projects", { name })));
    expect(created.filter((r) => r.status === 201)).toHaveLength(MAX_ACTIVE_PROJECTS);
    const listed = projectListResponseSchema.parse(await (await s.call("/v1/projects", { token })).json()).projects;
    expect(listed).toHaveLength(MAX_ACTIVE_PROJECTS);
    await expectApiError(await post(token, "/v1/projects", { name: "One more" }), 400, "invalid_request");
    expect((await post(token, `/v1/projects/${listed[0]!.id}/archive`)).status).toBe(200); // an archived one frees a place
    expect((await post(token, "/v1/projects", { name: "One more" })).status).toBe(201);
  });

  it("refuses a webhook aimed at the proxy's own network (SSRF) unless WEBHOOK_ALLOW_PRIVATE_TARGETS", async () => {
    const { token } = await s.createTeam("pro");
    const internal = [
      "http://127.0.0.1:8787/v1/team",
      "http://2130706433/", // 127.0.0.1 spelled as a number
      "http://localhost:5432/",
      "http://api.localhost/",
      "http://169.254.169.254/latest/meta-data/",
      "http://10.1.2.3/",
      "http://172.20.0.1/",
      "http://192.168.1.1/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[fd00::1]/",
      "http://[fe80::1]/",
      "http://0.0.0.0/",
    ];
    for (const url of internal) {
      const res = await post(token, "/v1/team/webhook", { url });
      await expectApiError(res, 400, "invalid_request");
    }
    expect(webhookResponseSchema.parse(await (await s.call("/v1/team/webhook", { token })).json()).webhook).toBeNull();
    expect((await post(token, "/v1/team/webhook", { url: "https://172.32.0.1/hook" })).status).toBe(200); // public: just past 172.16/12

    const open = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: "true" } });
    try {
      const team = await open.createTeam("pro");
      const res = await open.call("/v1/team/webhook", { token: team.token, method: "POST", json: { url: "http://127.0.0.1:9/hook" } });
      expect(res.status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

it("keeps a job's project on the job as sent", async () => {
  const { token } = await s.createTeam("pro");
  const p = await newProject(token, { name: "P" });
  const res = await job(token, { projectId: p.id });
  expect(jobResponseSchema.parse(await res.json()).job.projectId).toBe(p.id);
});

it("prices the badge with the role's limits and the project's budget, as the hold will refuse", async () => {
  const { token } = await s.createTeam("pro");
  const bo = await member(token);
  await s.call("/v1/team/policy", { token, method: "PATCH", json: { member: { qualities: ["draft"] } } });
  const me = meSchema.parse(await (await s.call("/v1/me", { token: bo.token })).json());
  expect(me.roleRules).toEqual({ qualities: ["draft"] });
  const p = await newProject(token, { name: "Tiny", budget: 3 });
  const estimate = async (who: string, spec: Record<string, unknown>) =>
    (await (await s.call("/v1/estimate", { token: who, json: createSpec({ aspectRatio: SMALL, ...spec }) })).json()) as { allowed: boolean; reasons: { code: string; message: string }[] };
  expect((await estimate(bo.token, { quality: "standard" })).reasons[0]).toEqual(
    expect.objectContaining({ code: "role_not_allowed", message: "Members of this team may not use standard quality" }),
  );
  expect((await estimate(token, { projectId: p.id, variations: 2 })).reasons).toEqual([
    expect.objectContaining({ code: "project_budget_reached", message: "Project Tiny has 3 credits left of its budget; this needs 4" }),
  ]);
  expect((await estimate(token, { projectId: p.id })).allowed).toBe(true);
});
