import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectListResponseSchema } from "../../core/api/managers.ts";
import { meSchema } from "../../core/api/responses.ts";
import { startTestServer, tempDir, type TestServer } from "../test-support/harness.ts";
import { runCli } from "./cli.ts";

const exec = promisify(execFile);

let dataDir: string;
let server: TestServer;
beforeAll(async () => {
  dataDir = await tempDir();
  server = await startTestServer({ dataDir }); // the CLI writes while the server runs, as in production
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec("npx", ["tsx", "server/admin/cli.ts", ...args], { env: { ...process.env, DATA_DIR: dataDir }, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function inProcess(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { DATA_DIR: dataDir }, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

async function me(token: string) {
  const res = await server.call("/v1/me", { token });
  return { status: res.status, body: res.status === 200 ? meSchema.parse(await res.json()) : null };
}

describe("admin CLI", () => {
  it("creates a team, adds a member, grants credits and rotates a token, all usable by the running server", async () => {
    const created = await admin("team", "create", "--name", "Acme Design", "--tier", "basic", "--json");
    expect(created.code).toBe(0);
    const { team, token, ...rest } = JSON.parse(created.stdout) as { team: { id: string; name: string; tier: string; manager: { id: string } }; token: string };
    expect(rest).toEqual({});
    expect(team).toMatchObject({ name: "Acme Design", tier: "basic" });
    expect(token).toMatch(/^isk_/);
    expect((await me(token)).body).toMatchObject({ role: "manager", team: { id: team.id, name: "Acme Design", tier: "basic" }, balance: { available: 500 } });

    const added = await admin("member", "add", "--team", team.id, "--name", "Bo", "--json");
    expect(added.code).toBe(0);
    const member = JSON.parse(added.stdout) as { member: { id: string; role: string; teamId: string }; token: string };
    expect(member.member).toMatchObject({ role: "member", teamId: team.id });
    expect((await me(member.token)).body).toMatchObject({ role: "member", user: { name: "Bo" } });

    const granted = await admin("grant", "--team", team.id, "--credits", "250", "--json");
    expect(granted.code).toBe(0);
    expect(JSON.parse(granted.stdout)).toMatchObject({ grant: { kind: "topup", amount: 250, expiresAt: null }, balance: { available: 750, granted: 750 } });
    expect((await me(token)).body?.balance.available).toBe(750);

    const rotated = await admin("token", "rotate", "--member", team.manager.id, "--json");
    expect(rotated.code).toBe(0);
    const fresh = (JSON.parse(rotated.stdout) as { token: string }).token;
    expect((await me(token)).status).toBe(401);
    expect((await me(fresh)).status).toBe(200);
  });

  it("exits 2 with the flag named for bad input", async () => {
    const r = await admin("grant", "--team", "team_aaaaaaaaaaaaaaaaaaaaaaaaaa", "--credits", "-5");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--credits/);
    expect(r.stderr).toContain("Usage:");
  });

  it.each([
    [["team", "create", "--tier", "pro"], /--name/],
    [["team", "create", "--name", "X", "--tier", "gold"], /--tier/],
    [["team", "delete", "--name", "X"], /unknown command "team delete"/],
    [["member", "add", "--team", "nope", "--name", "X"], /--team: must be an id/],
    [["member", "add", "--team", "team_aaaaaaaaaaaaaaaaaaaaaaaaaa", "--name", "X", "--role", "owner"], /--role/],
    [["grant", "--team", "team_aaaaaaaaaaaaaaaaaaaaaaaaaa", "--credits", "1.5"], /--credits: must be a whole number/],
    [["grant", "--team", "team_aaaaaaaaaaaaaaaaaaaaaaaaaa", "--credits", "10", "--tier", "pro"], /--tier is not an option of "grant"/],
    [["team", "create", "--name", "X", "--tier", "pro", "--bogus"], /bogus/],
    [["team", "create", "--name", "Acme\u001b[2J", "--tier", "pro"], /--name: must not contain the control character U\+001B/],
    [["team", "create", "--name", "Acme", "--manager", "Ana\nroot", "--tier", "pro"], /--manager: must not contain a tab or line break/],
    [["member", "add", "--team", "team_aaaaaaaaaaaaaaaaaaaaaaaaaa", "--name", "Bo\u0085"], /--name: must not contain the control character U\+0085/],
  ])("refuses %j", async (args, message) => {
    const r = await inProcess(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("exits 1 for a team or member that does not exist, changing nothing", async () => {
    const before = await server.deps.stores.teams.listTeams();
    const grant = await inProcess("grant", "--team", "team_aaaaaaaaaaaaaaaaaaaaaaaaaa", "--credits", "5");
    expect(grant).toMatchObject({ code: 1 });
    expect(grant.stderr).toMatch(/no team/);
    expect((await inProcess("member", "add", "--team", "team_aaaaaaaaaaaaaaaaaaaaaaaaaa", "--name", "X")).code).toBe(1);
    expect((await inProcess("token", "rotate", "--member", "mem_aaaaaaaaaaaaaaaaaaaaaaaaaa")).code).toBe(1);
    expect(await server.deps.stores.teams.listTeams()).toEqual(before);
  });

  it("creates projects with a monthly, one-off or no budget that the team's manager then sees and charges", async () => {
    const team = JSON.parse((await inProcess("team", "create", "--name", "Projects", "--tier", "pro", "--json")).stdout) as { team: { id: string }; token: string };
    const monthly = await inProcess("project", "create", "--team", team.team.id, "--name", "Launch", "--budget", "30");
    expect(monthly).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Created project "Launch" \(prj_[a-z2-7]+\) of team_\w+, budget 30 credits a month$/) });
    const once = await inProcess("project", "create", "--team", team.team.id, "--name", "Catalogue", "--budget", "100", "--once", "--json");
    expect(JSON.parse(once.stdout)).toMatchObject({ project: { name: "Catalogue", budget: 100, budgetKind: "once", remaining: 100 } });
    expect((await inProcess("project", "create", "--team", team.team.id, "--name", "Notes")).stdout).toContain("no budget");
    const listed = projectListResponseSchema.parse(await (await server.call("/v1/projects", { token: team.token })).json()).projects;
    expect(listed.map((p) => [p.name, p.budget, p.budgetKind])).toEqual([
      ["Launch", 30, "monthly"],
      ["Catalogue", 100, "once"],
      ["Notes", null, "monthly"],
    ]);
    expect((await inProcess("project", "create", "--team", team.team.id, "--name", "X", "--budget", "-3")).code).toBe(2);
    expect((await inProcess("project", "create", "--team", "team_aaaaaaaaaaaaaaaaaaaaaaaaaa", "--name", "X")).code).toBe(1);
  });

  it("prints readable text without --json, with the token shown once", async () => {
    const r = await inProcess("team", "create", "--name", "Studio Two", "--tier", "enterprise");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Created team "Studio Two" \(team_/);
    expect(r.stdout).toContain("unlimited, metered");
    expect(r.stdout.match(/isk_[A-Za-z0-9_-]{43}/g)).toHaveLength(1);
    expect((await inProcess("--help")).stdout).toContain("token rotate --member");
  });
});
