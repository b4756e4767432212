import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../../core/api/errors.ts";
import { meSchema } from "../../../core/api/responses.ts";
import { startTestServer, type TestServer } from "../../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("GET /v1/me", () => {
  it("describes the caller, the team and its balance", async () => {
    const { team, manager, token } = await s.createTeam("pro", { name: "Acme" });
    const res = await s.call("/v1/me", { token });
    expect(res.status).toBe(200);
    expect(meSchema.parse(await res.json())).toEqual({
      user: { id: manager.id, name: "Manager" },
      role: "manager",
      team: { id: team.id, name: "Acme", tier: "pro" },
      balance: { available: 2000, held: 0, granted: 2000, spent: 0, periodEndsAt: team.periodEnd },
      member: { monthlyCap: null, spent: 0, capRemaining: null },
      freeUsed: {},
    });
  });

  it("shows a member's role and cap, and grants as they arrive", async () => {
    const { team } = await s.createTeam("basic");
    const { token } = await s.deps.stores.teams.addMember({ teamId: team.id, name: "Bo", role: "member", monthlyCap: 120 });
    await s.deps.stores.ledger.grant({ teamId: team.id, kind: "topup", amount: 30 });
    const me = meSchema.parse(await (await s.call("/v1/me", { token })).json());
    expect(me).toMatchObject({ role: "member", user: { name: "Bo" }, member: { monthlyCap: 120, spent: 0, capRemaining: 120 }, balance: { available: 530, granted: 530 } });
  });

  it("counts the member's held credits against the cap left, as the job route does", async () => {
    const { team } = await s.createTeam("basic");
    const { member, token } = await s.deps.stores.teams.addMember({ teamId: team.id, name: "Cy", role: "member", monthlyCap: 50 });
    await s.deps.stores.ledger.hold({ teamId: team.id, memberId: member.id, amount: 20, ttlMs: 60_000 });
    const me = meSchema.parse(await (await s.call("/v1/me", { token })).json());
    expect(me.member).toEqual({ monthlyCap: 50, spent: 0, capRemaining: 30 });
  });

  it("shows an enterprise balance as unlimited", async () => {
    const { token } = await s.createTeam("enterprise");
    const me = meSchema.parse(await (await s.call("/v1/me", { token })).json());
    expect(me.balance.available).toBeNull();
    expect(me.team.tier).toBe("enterprise");
  });

  it.each([
    ["no token", undefined],
    ["a malformed header", "Token abc"],
    ["an unknown token", "Bearer isk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
  ])("answers 401 unauthorized for %s", async (_what, authorization) => {
    const res = await s.call("/v1/me", { headers: authorization ? { Authorization: authorization } : {} });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(errorResponseSchema.parse(await res.json()).error.code).toBe("unauthorized");
  });

  it("answers 401 for a token that was rotated away", async () => {
    const { manager, token } = await s.createTeam("pro");
    const { token: fresh } = await s.deps.stores.teams.rotateToken(manager.id);
    expect((await s.call("/v1/me", { token })).status).toBe(401);
    expect((await s.call("/v1/me", { token: fresh })).status).toBe(200);
  });
});
