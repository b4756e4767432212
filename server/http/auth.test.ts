import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../core/api/errors.ts";
import { errorHandler } from "./error-handler.ts";
import type { AppEnv } from "./types.ts";
import { createLogger } from "../logger.ts";
import type { Caller, TeamStore } from "../teams/types.ts";
import { requireAuth } from "./auth.ts";

const caller: Caller = {
  team: { id: "team_a", name: "A", tier: "pro", periodStart: "2026-01-01T00:00:00.000Z", periodEnd: "2026-02-01T00:00:00.000Z", createdAt: "2026-01-01T00:00:00.000Z" },
  member: { id: "mem_a", teamId: "team_a", name: "Ada", role: "manager", monthlyCap: null, disabled: false, createdAt: "2026-01-01T00:00:00.000Z" },
};
const seen: string[] = [];
const teams = {
  callerByToken: async (token: string) => {
    seen.push(token);
    return token === "isk_good" ? caller : null;
  },
} as unknown as TeamStore;

const app = new Hono<AppEnv>()
  .get("/private", requireAuth(teams), (c) => c.json({ member: c.var.caller.member.id }))
  .onError(errorHandler(createLogger("silent"), 1024));

describe("requireAuth", () => {
  it("lets a known token through with its caller", async () => {
    for (const header of ["Bearer isk_good", "bearer isk_good"]) {
      const res = await app.request("/private", { headers: { Authorization: header } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ member: "mem_a" });
    }
  });

  it.each([
    ["missing", undefined],
    ["not a bearer token", "Basic dXNlcjpwYXNz"],
    ["empty", "Bearer "],
    ["unknown or revoked", "Bearer isk_bad"],
  ])("answers 401 unauthorized when the token is %s", async (_what, header) => {
    const res = await app.request("/private", { headers: header ? { Authorization: header } : {} });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    const body = errorResponseSchema.parse(await res.json());
    expect(body.error.code).toBe("unauthorized");
    expect(JSON.stringify(body)).not.toContain("isk_bad");
  });
});
