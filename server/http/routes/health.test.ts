import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { healthSchema } from "../../../core/api/responses.ts";
import { startTestServer, type TestServer } from "../../test-support/harness.ts";
import { VERSION } from "../../version.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("GET /health", () => {
  it("answers without a token, with the version and the database", async () => {
    const res = await s.call("/health", { headers: { Origin: "null" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(healthSchema.parse(await res.json())).toEqual({ ok: true, version: VERSION, database: "sqlite" });
  });

  it("says not ok once the database is gone", async () => {
    const own = await startTestServer();
    const app = own.app;
    await own.deps.stores.close();
    const res = await app.request("/health");
    expect(res.status).toBe(503);
    expect(healthSchema.parse(await res.json()).ok).toBe(false);
    await own.close();
  });
});
