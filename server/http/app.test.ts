import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../core/api/errors.ts";
import { createSpec, startTestServer, type TestServer } from "../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ config: { maxBodyBytes: 4096 } });
});
afterAll(() => s.close());

describe("the HTTP app", () => {
  it("answers the plugin iframe's CORS preflight (origin null)", async () => {
    const res = await s.call("/v1/jobs", {
      method: "OPTIONS",
      headers: { Origin: "null", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type,idempotency-key" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    const allowed = res.headers.get("access-control-allow-headers")!.toLowerCase();
    for (const h of ["authorization", "content-type", "idempotency-key"]) expect(allowed).toContain(h);
  });

  it("allows a private-network preflight (Chromium's, for a proxy on localhost or a LAN), and only when asked", async () => {
    const ask = (extra: Record<string, string>) =>
      s.call("/v1/jobs", { method: "OPTIONS", headers: { Origin: "null", "Access-Control-Request-Method": "POST", ...extra } });
    const asked = await ask({ "Access-Control-Request-Private-Network": "true" });
    expect(asked.status).toBe(204);
    expect(asked.headers.get("access-control-allow-private-network")).toBe("true");
    expect(asked.headers.get("access-control-allow-origin")).toBe("*");
    expect((await ask({})).headers.get("access-control-allow-private-network")).toBeNull();
  });

  it("puts CORS headers on errors too, so the panel can read them", async () => {
    const res = await s.call("/v1/me", { headers: { Origin: "null" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("answers an unknown route with 404 not_found", async () => {
    const res = await s.call("/v2/nothing");
    expect(res.status).toBe(404);
    expect(errorResponseSchema.parse(await res.json()).error.code).toBe("not_found");
  });

  it("refuses a body over the limit with 413 payload_too_large and its limit, holding nothing", async () => {
    const { token } = await s.createTeam("pro");
    const res = await s.call("/v1/jobs", { token, json: createSpec({ prompt: "x".repeat(5000) }) });
    expect(res.status).toBe(413);
    const { error } = errorResponseSchema.parse(await res.json());
    expect(error).toMatchObject({ code: "payload_too_large", details: { limit: 4096 } });
    const chunked = await fetch(`${s.url}/v1/jobs`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      // A stream has no Content-Length: the limit must hold while reading, too.
      body: new Blob([JSON.stringify(createSpec({ prompt: "y".repeat(5000) }))]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await s.deps.stores.ledger.balance((await s.deps.stores.teams.callerByToken(token))!.team.id)).held).toBe(0);
  });

  it("turns an unexpected failure into a bare 500 internal_error without internals", async () => {
    const teams = s.deps.stores.teams;
    const original = teams.callerByToken;
    teams.callerByToken = async () => {
      throw new Error("SQLITE_CORRUPT: /secret/path/studio.db");
    };
    try {
      const res = await s.call("/v1/me", { token: "isk_anything" });
      expect(res.status).toBe(500);
      const text = await res.text();
      const { error } = errorResponseSchema.parse(JSON.parse(text));
      expect(error.code).toBe("internal_error");
      expect(text).not.toMatch(/SQLITE|secret|studio\.db|at /);
      expect(error.message).toContain(res.headers.get("x-request-id")!);
    } finally {
      teams.callerByToken = original;
    }
  });
});
