import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usageResponseSchema, type UsageResponse } from "../../../core/api/reports.ts";
import { meSchema, type Job } from "../../../core/api/responses.ts";
import { parseCsv } from "../../test-support/seed-rows.ts";
import { expectApiError } from "../../test-support/api-assertions.ts";
import { createSpec, SMALL, startTestServer, type TestServer, type TestTeam } from "../../test-support/harness.ts";
import { fileStamp } from "./usage.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const runJob = (token: string, overrides: Record<string, unknown> = {}): Promise<Job> => s.runJob(token, createSpec({ aspectRatio: SMALL, ...overrides }));

async function usage(token: string, query = ""): Promise<UsageResponse> {
  const res = await s.call(`/v1/usage${query}`, { token });
  expect(res.status).toBe(200);
  return usageResponseSchema.parse(await res.json());
}


const sum = (jobs: Job[], f: (j: Job) => number) => jobs.reduce((n, j) => n + f(j), 0);

describe("GET /v1/usage", () => {
  let t: TestTeam;
  let bo: { id: string; token: string };
  let managerJobs: Job[];
  let boJobs: Job[];

  // One team with real jobs of two members, shared by the tests that only read it.
  beforeAll(async () => {
    t = await s.createTeam("pro", { name: "Usage" });
    const added = await s.deps.stores.teams.addMember({ teamId: t.team.id, name: "Bo, \"the intern\"", role: "member" });
    bo = { id: added.member.id, token: added.token };
    managerJobs = [await runJob(t.token, { variations: 3 })];
    boJobs = [await runJob(bo.token), await runJob(bo.token, { variations: 2 })];
  });

  it("sums a manager's team by member over the current period, matching each job's charge and images", async () => {
    const r = await usage(t.token);
    expect(r).toMatchObject({ from: t.team.periodStart, to: t.team.periodEnd, groupBy: ["member"], member: null });
    expect(r.rows).toHaveLength(2);
    expect(r.rows).toContainEqual({ memberId: t.manager.id, memberName: "Manager", credits: sum(managerJobs, (j) => j.charged), jobs: 1, images: 3 });
    expect(r.rows).toContainEqual({ memberId: bo.id, memberName: 'Bo, "the intern"', credits: sum(boJobs, (j) => j.charged), jobs: 2, images: 3 });
    const me = meSchema.parse(await (await s.call("/v1/me", { token: t.token })).json());
    expect(r.total).toEqual({ credits: me.balance.spent, jobs: 3, images: 6 });
  });

  it("groups by operation, provider, model and day, several at once", async () => {
    const r = await usage(t.token, "?groupBy=operation,provider,model,day");
    // Usually one row; two if the jobs straddled midnight UTC.
    for (const row of r.rows) expect(row).toMatchObject({ operation: "create", provider: "local", model: "procedural", day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(r.rows.reduce((n, x) => n + x.credits, 0)).toBe(r.total.credits);
    expect(r.total).toMatchObject({ jobs: 3, images: 6 });
    // Repeated parameters mean the same as a comma-separated list.
    expect((await usage(t.token, "?groupBy=operation&groupBy=day")).groupBy).toEqual(["operation", "day"]);
  });

  it("exports CSV that reads back to the same numbers as the JSON, as a download", async () => {
    const json = await usage(t.token, "?groupBy=member,operation");
    const res = await s.call("/v1/usage?groupBy=member,operation&format=csv", { token: t.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="usage-${fileStamp(t.team.periodStart)}-${fileStamp(t.team.periodEnd)}.csv"`,
    );
    const text = await res.text();
    expect(text.endsWith("\r\n")).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(["member_id", "member_name", "operation", "credits", "jobs", "images"]);
    expect(rows).toEqual(json.rows.map((r) => [r.memberId, r.memberName, r.operation, String(r.credits), String(r.jobs), String(r.images)]));
  });

  it("names the file after an explicit range", async () => {
    const res = await s.call("/v1/usage?format=csv&from=2026-01-01&to=2026-02-01T12:30:00Z", { token: t.token });
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="usage-2026-01-01-2026-02-01T123000Z.csv"');
  });

  it("lets a manager narrow to one member", async () => {
    const r = await usage(t.token, `?member=${bo.id}&groupBy=operation`);
    expect(r.member).toBe(bo.id);
    expect(r.total).toEqual({ credits: sum(boJobs, (j) => j.charged), jobs: 2, images: 3 });
  });

  it("shows a member only their own usage, whatever they ask for", async () => {
    const own = { memberId: bo.id, memberName: 'Bo, "the intern"', credits: sum(boJobs, (j) => j.charged), jobs: 2, images: 3 };
    for (const query of ["", "?groupBy=member", `?member=${t.manager.id}`, `?member=${bo.id}`, "?member=mem_someone_else"]) {
      const r = await usage(bo.token, query);
      expect(r.member).toBe(bo.id);
      expect(r.rows).toEqual([own]);
    }
    const csv = parseCsv(await (await s.call("/v1/usage?format=csv", { token: bo.token })).text());
    expect(csv.slice(1).map((row) => row[0])).toEqual([bo.id]);
  });

  it("counts nothing outside [from, to)", async () => {
    const past = await usage(t.token, "?from=2020-01-01&to=2020-02-01");
    expect(past).toMatchObject({ from: "2020-01-01T00:00:00.000Z", to: "2020-02-01T00:00:00.000Z", rows: [], total: { credits: 0, jobs: 0, images: 0 } });
    const upToNow = await usage(t.token, `?from=2020-01-01&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(upToNow.total.jobs).toBe(3);
  });

  it("is 404 when a manager names another team's member or an unknown one", async () => {
    const other = await s.createTeam("pro");
    await expectApiError(await s.call(`/v1/usage?member=${other.manager.id}`, { token: t.token }), 404, "not_found");
    await expectApiError(await s.call("/v1/usage?member=mem_unknown", { token: t.token }), 404, "not_found");
  });

  it.each([
    ["an unknown group", "?groupBy=colour", "groupBy"],
    ["a date that does not exist", "?from=2026-02-30", "from"],
    ["to before from", "?from=2026-03-01&to=2026-02-01", "to"],
    ["from after the period's end, with no to", "?from=2999-01-01", "from"],
    ["an unknown format", "?format=xml", "format"],
    ["an unknown parameter", "?group=day", "group"],
  ])("is 400 invalid_request for %s, naming the field", async (_what, query, field) => {
    const error = await expectApiError(await s.call(`/v1/usage${query}`, { token: t.token }), 400, "invalid_request");
    expect(error.details?.fields).toHaveProperty([field]);
  });

  it("is 401 without a token", async () => {
    await expectApiError(await s.call("/v1/usage"), 401, "unauthorized");
  });
});
