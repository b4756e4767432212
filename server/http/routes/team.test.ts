import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../../core/api/errors.ts";
import { ledgerPageSchema, teamResponseSchema } from "../../../core/api/reports.ts";
import { meSchema, type Job } from "../../../core/api/responses.ts";
import { createSpec, SMALL, startTestServer, type TestServer } from "../../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const runJob = (token: string, overrides: Record<string, unknown> = {}): Promise<Job> => s.runJob(token, createSpec({ aspectRatio: SMALL, ...overrides }));

async function team(token: string) {
  const res = await s.call("/v1/team", { token });
  expect(res.status).toBe(200);
  return teamResponseSchema.parse(await res.json());
}

describe("GET /v1/team", () => {
  it("shows a new team: its tier, full allocation, period, and the manager", async () => {
    const { team: t, manager, token } = await s.createTeam("pro", { name: "Acme" });
    expect(await team(token)).toEqual({
      team: { id: t.id, name: "Acme", tier: "pro" },
      balance: { available: 2000, held: 0, granted: 2000, spent: 0, periodStartsAt: t.periodStart, periodEndsAt: t.periodEnd },
      members: [{ id: manager.id, name: "Manager", role: "manager", monthlyCap: null, disabled: false, spent: 0, held: 0, capRemaining: null }],
    });
  });

  it("agrees with the ledger and with each member's /v1/me after real jobs", async () => {
    const { team: t, manager, token } = await s.createTeam("pro");
    const { member: bo, token: boToken } = await s.deps.stores.teams.addMember({ teamId: t.id, name: "Bo", role: "member", monthlyCap: 100 });
    const jobs = [await runJob(token), await runJob(boToken, { variations: 2 }), await runJob(boToken)];
    const boSpent = jobs[1]!.charged + jobs[2]!.charged;
    expect(boSpent).toBeGreaterThan(0);

    const summary = await team(token);
    const ledger = ledgerPageSchema.parse(await (await s.call("/v1/ledger?limit=200", { token })).json());
    const captured = ledger.entries.filter((e) => e.kind === "capture").reduce((n, e) => n + e.amount, 0);
    expect(summary.balance).toMatchObject({ spent: captured, held: 0, granted: 2000, available: 2000 - captured });
    expect(captured).toBe(jobs.reduce((n, j) => n + j.charged, 0));
    expect(summary.balance.available).toBe(ledger.entries[0]!.availableAfter);

    expect(summary.members).toEqual([
      { id: manager.id, name: "Manager", role: "manager", monthlyCap: null, disabled: false, spent: jobs[0]!.charged, held: 0, capRemaining: null },
      { id: bo.id, name: "Bo", role: "member", monthlyCap: 100, disabled: false, spent: boSpent, held: 0, capRemaining: 100 - boSpent },
    ]);
    const boMe = meSchema.parse(await (await s.call("/v1/me", { token: boToken })).json());
    expect(boMe.member).toEqual({ monthlyCap: 100, spent: boSpent, capRemaining: 100 - boSpent });
  });

  it("counts a pending hold as held, for the team and for the member's cap", async () => {
    const { team: t, token } = await s.createTeam("basic");
    const { member } = await s.deps.stores.teams.addMember({ teamId: t.id, name: "Cy", role: "member", monthlyCap: 50 });
    await s.deps.stores.ledger.hold({ teamId: t.id, memberId: member.id, amount: 20, ttlMs: 60_000 });
    const summary = await team(token);
    expect(summary.balance).toMatchObject({ held: 20, available: 480 });
    expect(summary.members.find((m) => m.id === member.id)).toMatchObject({ held: 20, spent: 0, capRemaining: 30 });
  });

  it("shows an enterprise team as unlimited but metered", async () => {
    const { token } = await s.createTeam("enterprise");
    const job = await runJob(token);
    expect((await team(token)).balance).toMatchObject({ available: null, spent: job.charged, granted: 0 });
  });

  it("lists only the caller's own team", async () => {
    const a = await s.createTeam("pro", { name: "A" });
    const b = await s.createTeam("pro", { name: "B" });
    await s.deps.stores.teams.addMember({ teamId: b.team.id, name: "B's member", role: "member" });
    const summary = await team(a.token);
    expect(summary.team.id).toBe(a.team.id);
    expect(summary.members.map((m) => m.id)).toEqual([a.manager.id]);
  });

  it("is 403 forbidden for a member and 401 without a valid token", async () => {
    const { team: t } = await s.createTeam("pro");
    const { token } = await s.deps.stores.teams.addMember({ teamId: t.id, name: "Bo", role: "member" });
    const forbidden = await s.call("/v1/team", { token });
    expect(forbidden.status).toBe(403);
    expect(errorResponseSchema.parse(await forbidden.json()).error.code).toBe("forbidden");
    expect((await s.call("/v1/team")).status).toBe(401);
    expect((await s.call("/v1/team", { token: "isk_notatokennotatokennotatokennotatokennotatok" })).status).toBe(401);
  });
});
