import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../../core/api/errors.ts";
import { insightsResponseSchema, type InsightKind, type InsightsResponse } from "../../../core/api/insights.ts";
import type { Job } from "../../../core/api/responses.ts";
import { jobSpecSchema } from "../../../core/api/specs.ts";
import { estimate } from "../../../core/estimate.ts";
import { SMALL, startTestServer, type TestServer, type TestTeam } from "../../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

// Small images keep the offline provider quick; without keys, premium on "auto" routes to it.
const premium = (prompt: string) => ({ operation: "create", prompt, quality: "premium", provider: "auto", aspectRatio: SMALL });
const draft = (prompt: string) => ({ ...premium(prompt), quality: "draft" });
/** What the same request costs at draft, priced by core with the server's catalog. */
const draftCost = (prompt: string) => estimate(jobSpecSchema.parse(draft(prompt)), s.deps.catalog).total;

async function insights(token: string): Promise<InsightsResponse> {
  const res = await s.call("/v1/insights", { token });
  expect(res.status).toBe(200);
  return insightsResponseSchema.parse(await res.json());
}

const find = (r: InsightsResponse, kind: InsightKind) => r.insights.find((i) => i.kind === kind);

describe("GET /v1/insights", () => {
  let t: TestTeam;
  let bo: { id: string; token: string };
  let first: Job;
  let again: Job;
  let bosPremium: Job;

  beforeAll(async () => {
    t = await s.createTeam("pro", { name: "Insights" });
    const added = await s.deps.stores.teams.addMember({ teamId: t.team.id, name: "Bo", role: "member" });
    bo = { id: added.member.id, token: added.token };
    // The manager makes a premium image, then the same prompt again; Bo tries an idea at premium, then
    // re-runs it as a draft.
    first = await s.runJob(t.token, premium("A lighthouse at dusk"));
    again = await s.runJob(t.token, premium("a lighthouse at dusk "));
    bosPremium = await s.runJob(bo.token, premium("Paper boat"));
    await s.runJob(bo.token, draft("paper boat"));
  });

  it("shows a manager the team's insights over the current period, each saving priced by the catalog", async () => {
    const r = await insights(t.token);
    expect(r.period).toEqual({ startsAt: t.team.periodStart, endsAt: t.team.periodEnd });
    // draft-first: the manager's first image was re-run, Bo's premium was re-run as a draft.
    const draftFirst = find(r, "draft-first")!;
    expect(draftFirst.jobIds).toEqual([bosPremium.id, first.id]);
    expect(draftFirst.occurrences).toBe(2);
    expect(draftFirst.savedCredits).toBe(first.charged - draftCost("A lighthouse at dusk") + bosPremium.charged - draftCost("Paper boat"));
    expect(draftFirst.savedCredits).toBeGreaterThan(0);
    // reuse-identical: the second lighthouse could have been the first one again.
    expect(find(r, "reuse-identical")).toMatchObject({ occurrences: 1, savedCredits: again.charged, jobIds: [again.id] });
    expect(again.charged).toBe(s.deps.catalog.create.qualities.premium.credits);
    expect(r.insights.map((i) => i.kind)).toEqual(["draft-first", "reuse-identical"]);
    expect(r.savedCredits).toBe(draftFirst.savedCredits + again.charged);
  });

  it("shows a member only their own jobs", async () => {
    const r = await insights(bo.token);
    expect(r.insights).toHaveLength(1);
    expect(r.insights[0]).toMatchObject({
      kind: "draft-first",
      occurrences: 1,
      jobIds: [bosPremium.id],
      savedCredits: bosPremium.charged - draftCost("Paper boat"),
    });
    expect(r.savedCredits).toBe(r.insights[0]!.savedCredits);
  });

  it("is empty for a team that has done nothing yet", async () => {
    const fresh = await s.createTeam("basic", { name: "Quiet" });
    expect(await insights(fresh.token)).toEqual({ period: { startsAt: fresh.team.periodStart, endsAt: fresh.team.periodEnd }, insights: [], savedCredits: 0 });
  });

  it("needs a token", async () => {
    const res = await s.call("/v1/insights");
    expect(res.status).toBe(401);
    expect(errorResponseSchema.parse(await res.json()).error.code).toBe("unauthorized");
  });

  it("refuses query parameters: the period is always the current one", async () => {
    const res = await s.call("/v1/insights?from=2026-01-01", { token: t.token });
    expect(res.status).toBe(400);
    const { error } = errorResponseSchema.parse(await res.json());
    expect(error.code).toBe("invalid_request");
    expect(error.details).toEqual({ fields: { from: "is not a known field" } });
  });
});
