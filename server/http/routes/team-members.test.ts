import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberResponseSchema, memberTokenResponseSchema, teamResponseSchema } from "../../../core/api/reports.ts";
import { estimateSchema, jobResponseSchema, meSchema } from "../../../core/api/responses.ts";
import { expectApiError } from "../../test-support/api-assertions.ts";
import { type CallOptions, createSpec, SMALL, startTestServer, type TestServer } from "../../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());



async function addMember(token: string, json: unknown) {
  const res = await s.call("/v1/team/members", { token, json });
  expect(res.status).toBe(201);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return memberTokenResponseSchema.parse(await res.json());
}

const patch = (token: string, id: string, json: unknown) => s.call(`/v1/team/members/${id}`, { token, method: "PATCH", json });
const rotate = (token: string, id: string) => s.call(`/v1/team/members/${id}/token`, { token, method: "POST" });
const meStatus = async (token: string) => (await s.call("/v1/me", { token })).status;

async function postJob(token: string) {
  return s.call("/v1/jobs", { token, json: createSpec({ aspectRatio: SMALL }), headers: { "Idempotency-Key": randomUUID() } });
}

describe("POST /v1/team/members", () => {
  it("adds a member and shows a token, once, that works right away", async () => {
    const { team, token } = await s.createTeam("pro");
    const { member, token: fresh } = await addMember(token, { name: "Bo" });
    expect(member).toEqual({ id: member.id, name: "Bo", role: "member", monthlyCap: null, disabled: false, spent: 0, held: 0, capRemaining: null });
    const me = meSchema.parse(await (await s.call("/v1/me", { token: fresh })).json());
    expect(me).toMatchObject({ user: { id: member.id, name: "Bo" }, role: "member", team: { id: team.id } });
    const listed = teamResponseSchema.parse(await (await s.call("/v1/team", { token })).json()).members;
    expect(listed.map((m) => m.name)).toEqual(["Manager", "Bo"]);
  });

  it("adds a manager with a cap", async () => {
    const { token } = await s.createTeam("pro");
    const { member, token: fresh } = await addMember(token, { name: "  Cy  ", role: "manager", monthlyCap: 300 });
    expect(member).toMatchObject({ name: "Cy", role: "manager", monthlyCap: 300, capRemaining: 300 });
    // A new manager can manage.
    expect((await s.call("/v1/team", { token: fresh })).status).toBe(200);
  });

  it.each<[string, CallOptions, string]>([
    ["no name", { json: { role: "member" } }, "name"],
    ["a blank name", { json: { name: "  " } }, "name"],
    ["an unknown role", { json: { name: "A", role: "owner" } }, "role"],
    ["a negative cap", { json: { name: "A", monthlyCap: -5 } }, "monthlyCap"],
    ["an unknown field", { json: { name: "A", email: "a@example.com" } }, "email"],
    ["malformed JSON", { body: "{", headers: { "Content-Type": "application/json" } }, "(body)"],
  ])("is 400 invalid_request for %s, naming the field", async (_what, options, field) => {
    const { token, team } = await s.createTeam("pro");
    const error = await expectApiError(await s.call("/v1/team/members", { token, method: "POST", ...options }), 400, "invalid_request");
    expect(error.details?.fields).toHaveProperty([field]);
    expect(await s.deps.stores.teams.listMembers(team.id)).toHaveLength(1);
  });

  it("is 403 forbidden for a member, and adds no one", async () => {
    const { team, token } = await s.createTeam("pro");
    const { token: memberToken } = await addMember(token, { name: "Bo" });
    await expectApiError(await s.call("/v1/team/members", { token: memberToken, json: { name: "Sneaky", role: "manager" } }), 403, "forbidden");
    expect((await s.deps.stores.teams.listMembers(team.id)).map((m) => m.name).sort()).toEqual(["Bo", "Manager"]);
  });
});

describe("PATCH /v1/team/members/:id", () => {
  it("changes the cap, and the next job is checked against it (402 member_cap_reached once it is met)", async () => {
    const { token } = await s.createTeam("pro");
    const { member, token: boToken } = await addMember(token, { name: "Bo" });
    const quote = estimateSchema.parse(await (await s.call("/v1/estimate", { token: boToken, json: createSpec({ aspectRatio: SMALL }) })).json());
    expect(quote.total).toBeGreaterThan(0);

    const res = await patch(token, member.id, { monthlyCap: quote.total });
    expect(res.status).toBe(200);
    expect(memberResponseSchema.parse(await res.json()).member).toMatchObject({ monthlyCap: quote.total, capRemaining: quote.total, spent: 0 });

    const first = await postJob(boToken);
    expect(first.status).toBe(202);
    const job = await s.waitForJob(boToken, jobResponseSchema.parse(await first.json()).job.id);
    expect(job).toMatchObject({ status: "succeeded", charged: quote.total });
    await expectApiError(await postJob(boToken), 402, "member_cap_reached");

    // Raising the cap lets the member work again; removing it lifts the limit.
    const raised = memberResponseSchema.parse(await (await patch(token, member.id, { monthlyCap: quote.total * 2 })).json());
    expect(raised.member).toMatchObject({ spent: quote.total, capRemaining: quote.total });
    expect((await postJob(boToken)).status).toBe(202);
    const lifted = memberResponseSchema.parse(await (await patch(token, member.id, { monthlyCap: null })).json());
    expect(lifted.member).toMatchObject({ monthlyCap: null, capRemaining: null });
  });

  it("disables a member, whose token then gets 401, and enables them again", async () => {
    const { token } = await s.createTeam("pro");
    const { member, token: boToken } = await addMember(token, { name: "Bo" });
    const off = await patch(token, member.id, { disabled: true });
    expect(memberResponseSchema.parse(await off.json()).member.disabled).toBe(true);
    await expectApiError(await s.call("/v1/me", { token: boToken }), 401, "unauthorized");
    await expectApiError(await postJob(boToken), 401, "unauthorized");
    await patch(token, member.id, { disabled: false });
    expect(await meStatus(boToken)).toBe(200);
  });

  it("promotes a member to manager and back, leaving everything else alone", async () => {
    const { token } = await s.createTeam("pro");
    const { member, token: boToken } = await addMember(token, { name: "Bo", monthlyCap: 40 });
    expect(memberResponseSchema.parse(await (await patch(token, member.id, { role: "manager" })).json()).member).toMatchObject({ role: "manager", monthlyCap: 40 });
    expect((await s.call("/v1/team", { token: boToken })).status).toBe(200);
    await patch(token, member.id, { role: "member" });
    await expectApiError(await s.call("/v1/team", { token: boToken }), 403, "forbidden");
  });

  it("refuses to leave the team without an active manager: 400 naming the field", async () => {
    const { manager, token } = await s.createTeam("pro");
    for (const [body, field] of [
      [{ role: "member" }, "role"],
      [{ disabled: true }, "disabled"],
    ] as const) {
      const error = await expectApiError(await patch(token, manager.id, body), 400, "invalid_request");
      expect(error.message).toMatch(/active manager/);
      expect(error.details?.fields).toHaveProperty([field]);
    }
    expect(await meStatus(token)).toBe(200);
    // With a second manager, the first may step down.
    await addMember(token, { name: "Cy", role: "manager" });
    expect((await patch(token, manager.id, { role: "member" })).status).toBe(200);
  });

  it.each<[string, unknown, string]>([
    ["an empty patch", {}, "(body)"],
    ["a misspelt field", { monthly_cap: 10 }, "monthly_cap"],
    ["a name change", { name: "Bob" }, "name"],
    ["a fractional cap", { monthlyCap: 2.5 }, "monthlyCap"],
    ["disabled as text", { disabled: "yes" }, "disabled"],
  ])("is 400 invalid_request for %s, changing nothing", async (_what, body, field) => {
    const { token } = await s.createTeam("pro");
    const { member } = await addMember(token, { name: "Bo", monthlyCap: 10 });
    const error = await expectApiError(await patch(token, member.id, body), 400, "invalid_request");
    expect(error.details?.fields).toHaveProperty([field]);
    expect(await s.deps.stores.teams.getMember(member.id)).toMatchObject({ name: "Bo", monthlyCap: 10, disabled: false });
  });
});

describe("POST /v1/team/members/:id/token", () => {
  it("issues a new token; the old one stops working at once", async () => {
    const { token } = await s.createTeam("pro");
    const { member, token: old } = await addMember(token, { name: "Bo" });
    const res = await rotate(token, member.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { member: shown, token: fresh } = memberTokenResponseSchema.parse(await res.json());
    expect(shown.id).toBe(member.id);
    expect(fresh).not.toBe(old);
    await expectApiError(await s.call("/v1/me", { token: old }), 401, "unauthorized");
    expect(await meStatus(fresh)).toBe(200);
  });

  it("lets a manager rotate their own token", async () => {
    const { manager, token } = await s.createTeam("pro");
    const { token: fresh } = memberTokenResponseSchema.parse(await (await rotate(token, manager.id)).json());
    expect(await meStatus(token)).toBe(401);
    expect(await meStatus(fresh)).toBe(200);
  });
});

describe("a team's members are its own", () => {
  it("answers 404 for another team's member id on every route, and changes nothing there", async () => {
    const a = await s.createTeam("pro");
    const b = await s.createTeam("pro");
    const { member: theirs, token: theirToken } = await addMember(b.token, { name: "B's member", monthlyCap: 5 });
    for (const id of [theirs.id, b.manager.id, "mem_doesnotexist"]) {
      await expectApiError(await patch(a.token, id, { disabled: true }), 404, "not_found");
      await expectApiError(await rotate(a.token, id), 404, "not_found");
    }
    expect(await meStatus(theirToken)).toBe(200);
    expect(await meStatus(b.token)).toBe(200);
    expect(await s.deps.stores.teams.getMember(theirs.id)).toMatchObject({ disabled: false, monthlyCap: 5 });
  });

  it("answers 403 to a member before looking at the id at all", async () => {
    const a = await s.createTeam("pro");
    const b = await s.createTeam("pro");
    const { member, token: memberToken } = await addMember(a.token, { name: "Bo" });
    for (const id of [a.manager.id, member.id, b.manager.id, "mem_doesnotexist"]) {
      await expectApiError(await patch(memberToken, id, { monthlyCap: null }), 403, "forbidden");
      await expectApiError(await rotate(memberToken, id), 403, "forbidden");
    }
    expect(await meStatus(a.token)).toBe(200);
  });
});
