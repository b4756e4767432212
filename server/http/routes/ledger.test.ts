import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerPageSchema, type LedgerEntry } from "../../../core/api/reports.ts";
import { meSchema, type Job } from "../../../core/api/responses.ts";
import { expectApiError } from "../../test-support/api-assertions.ts";
import { createSpec, SMALL, startTestServer, type TestServer } from "../../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const runJob = (token: string, overrides: Record<string, unknown> = {}): Promise<Job> => s.runJob(token, createSpec({ aspectRatio: SMALL, ...overrides }));

async function ledger(token: string, query = "") {
  const res = await s.call(`/v1/ledger${query}`, { token });
  expect(res.status).toBe(200);
  return ledgerPageSchema.parse(await res.json());
}


describe("GET /v1/ledger", () => {
  it("shows a job's hold and capture newest first, naming the member, down to the monthly grant", async () => {
    const { team, token } = await s.createTeam("pro");
    const { member: bo, token: boToken } = await s.deps.stores.teams.addMember({ teamId: team.id, name: "Bo", role: "member" });
    const job = await runJob(boToken, { variations: 2 });

    const page = await ledger(token);
    expect(page.nextCursor).toBeNull();
    expect(page.entries.map((e) => [e.kind, e.amount])).toEqual([
      ["capture", job.charged],
      ["hold", job.estimate.total],
      ["grant", 2000],
    ]);
    expect(page.entries[0]).toMatchObject<Partial<LedgerEntry>>({ memberId: bo.id, memberName: "Bo", jobId: job.id });
    expect(page.entries[2]).toMatchObject({ memberId: null, jobId: null });
    expect(page.entries[2]).not.toHaveProperty("memberName");
    // The newest entry's balance is the balance everyone sees now.
    const me = meSchema.parse(await (await s.call("/v1/me", { token })).json());
    expect(page.entries[0]!.availableAfter).toBe(me.balance.available);
    expect(page.entries.map((e) => e.createdAt)).toEqual([...page.entries.map((e) => e.createdAt)].sort().reverse());
  });

  it("pages through every entry exactly once with the cursor", async () => {
    const { team, token } = await s.createTeam("pro");
    for (let i = 0; i < 6; i++) await s.deps.stores.ledger.grant({ teamId: team.id, kind: "topup", amount: i + 1 });
    const all = (await ledger(token)).entries.map((e) => e.id);
    expect(all).toHaveLength(7);

    const seen: string[] = [];
    let query = "?limit=3";
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(3);
      const page = await ledger(token, query);
      seen.push(...page.entries.map((e) => e.id));
      if (!page.nextCursor) break;
      query = `?limit=3&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(seen).toEqual(all);
  });

  it("answers the entries of one job, and of one member", async () => {
    const { team, manager, token } = await s.createTeam("pro");
    const { token: boToken } = await s.deps.stores.teams.addMember({ teamId: team.id, name: "Bo", role: "member" });
    const mine = await runJob(token);
    await runJob(boToken);
    expect((await ledger(token, `?job=${mine.id}`)).entries.map((e) => [e.kind, e.jobId])).toEqual([
      ["capture", mine.id],
      ["hold", mine.id],
    ]);
    const managers = await ledger(token, `?member=${manager.id}`);
    expect(managers.entries.every((e) => e.memberId === manager.id)).toBe(true);
    expect(managers.entries).toHaveLength(2);
  });

  it("is 404 for another team's job or member, as for an unknown one", async () => {
    const a = await s.createTeam("pro");
    const b = await s.createTeam("pro");
    const theirs = await runJob(b.token);
    for (const query of [`?job=${theirs.id}`, `?member=${b.manager.id}`, "?job=job_unknown", "?member=mem_unknown"])
      await expectApiError(await s.call(`/v1/ledger${query}`, { token: a.token }), 404, "not_found");
  });

  it.each([
    ["a limit over 200", "?limit=201", "limit"],
    ["a limit of 0", "?limit=0", "limit"],
    ["a cursor it never gave out", "?cursor=bm90LWEtc2Vx", "cursor"],
    ["an unknown parameter", "?since=2026-01-01", "since"],
  ])("is 400 invalid_request for %s, naming the field", async (_what, query, field) => {
    const { token } = await s.createTeam("pro");
    const error = await expectApiError(await s.call(`/v1/ledger${query}`, { token }), 400, "invalid_request");
    expect(error.details?.fields).toHaveProperty([field]);
  });

  it("is 403 forbidden for a member", async () => {
    const { team } = await s.createTeam("pro");
    const { token } = await s.deps.stores.teams.addMember({ teamId: team.id, name: "Bo", role: "member" });
    await expectApiError(await s.call("/v1/ledger", { token }), 403, "forbidden");
  });
});
