// NUL and other control characters in any text the proxy reads are 400 invalid_request naming the field, on
// SQLite and PostgreSQL alike, before anything is held or sent to a provider. (PostgreSQL refuses NUL in
// text: a NUL prompt used to reach the provider, be paid there, and then fail to be stored.)
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../core/api/errors.ts";
import { failingProvider } from "../../server/test-support/fake-providers.ts";
import { createTestDatabaseUrl, DB_KINDS, type TestDatabaseUrl } from "../../server/test-support/databases.ts";
import { startTestServer, type TestServer, type TestTeam } from "../../server/test-support/harness.ts";

for (const kind of DB_KINDS) {
  describe(`control characters (${kind})`, () => {
    let db: TestDatabaseUrl | undefined;
    let s: TestServer;
    let team: TestTeam;
    const provider = failingProvider(); // counts every call; none may come
    beforeAll(async () => {
      db = kind === "postgres" ? await createTestDatabaseUrl("postgres") : undefined;
      s = await startTestServer({ adapters: [provider], ...(db ? { env: { DATABASE_URL: db.url } } : {}) });
      team = await s.createTeam("pro");
    });
    afterAll(async () => {
      await s?.close();
      await db?.cleanup();
    });

    async function refusal(res: Response): Promise<Record<string, string>> {
      const text = await res.text();
      expect(res.status, text).toBe(400);
      const body = errorResponseSchema.parse(JSON.parse(text));
      expect(body.error.code).toBe("invalid_request");
      return body.error.details!.fields as Record<string, string>;
    }

    it.each([
      ["NUL in a prompt", { prompt: "a cat\u0000 on a mat" }, "prompt"],
      ["BEL in a prompt", { prompt: "a cat\u0007" }, "prompt"],
      ["a lone surrogate in a prompt", { prompt: "a cat \ud83d" }, "prompt"],
      ["NUL in a negative prompt", { prompt: "a cat", negativePrompt: "\u0000" }, "negativePrompt"],
    ])("%s: a job is refused naming the field, nothing held, no provider called", async (_what, fields, field) => {
      const spec = { operation: "create", quality: "draft", ...fields };
      expect(await refusal(await s.call("/v1/jobs", { token: team.token, json: spec, headers: { "Idempotency-Key": randomUUID() } }))).toHaveProperty([field]);
      expect(await refusal(await s.call("/v1/estimate", { token: team.token, json: spec }))).toHaveProperty([field]);
      expect(provider.calls).toBe(0);
      expect((await s.deps.stores.ledger.entries(team.team.id)).map((e) => e.kind)).toEqual(["grant"]);
    });

    it("keeps a prompt's line breaks and tabs", async () => {
      const res = await s.call("/v1/estimate", { token: team.token, json: { operation: "create", quality: "draft", prompt: "line one\nline two\twith a tab" } });
      expect(res.status).toBe(200);
    });

    it("refuses them in a member's name (a newline too), a query value and a path id, naming each", async () => {
      expect(await refusal(await s.call("/v1/team/members", { token: team.token, json: { name: "Bo\u0000" } }))).toHaveProperty(["name"]);
      expect(await refusal(await s.call("/v1/team/members", { token: team.token, json: { name: "Bo\nroot" } }))).toHaveProperty(["name"]);
      expect(await refusal(await s.call("/v1/assets?q=sun%00set", { token: team.token }))).toHaveProperty(["q"]);
      expect(await refusal(await s.call("/v1/ledger?member=%00", { token: team.token }))).toHaveProperty(["member"]);
      expect(await refusal(await s.call("/v1/usage?member=a%01", { token: team.token }))).toHaveProperty(["member"]);
      expect(await refusal(await s.call("/v1/jobs/job_%00", { token: team.token }))).toHaveProperty(["id"]);
      expect(await refusal(await s.call("/v1/assets/a%00b/content", { token: team.token }))).toHaveProperty(["id"]);
      expect(await refusal(await s.call("/v1/team/members/%00", { token: team.token, method: "PATCH", json: { role: "member" } }))).toHaveProperty(["id"]);
      expect((await s.deps.stores.teams.listMembers(team.team.id)).map((m) => m.name)).toEqual(["Manager"]);
    });

    it("refuses them in the headers it reads, naming the header", async () => {
      for (const [name, value] of [
        ["Idempotency-Key", "key\u0001"],
        ["Authorization", `Bearer ${team.token}\u007f`],
        ["If-None-Match", '"\u001b"'],
      ] as const) {
        const res = await s.app.request("/v1/me", { headers: { authorization: `Bearer ${team.token}`, [name]: value } });
        expect(await refusal(res)).toHaveProperty([name]);
      }
    });
  });
}
