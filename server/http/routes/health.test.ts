import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../../core/api/errors.ts";
import { healthSchema } from "../../../core/api/responses.ts";
import { createApp } from "../app.ts";
import { Lifecycle } from "../lifecycle.ts";
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
    expect(healthSchema.parse(await res.json())).toEqual({ ok: true, status: "ok", version: VERSION, database: "sqlite" });
  });

  it("says not ok once the database is gone", async () => {
    const own = await startTestServer();
    const app = own.app;
    await own.deps.stores.close();
    const res = await app.request("/health");
    expect(res.status).toBe(503);
    expect(healthSchema.parse(await res.json())).toMatchObject({ ok: false, status: "unavailable" });
    await own.close();
  });

  it("says draining, and refuses new jobs and batches with Retry-After, once the instance drains", async () => {
    const own = await startTestServer();
    const lifecycle = new Lifecycle();
    const app = createApp({ ...own.deps, lifecycle });
    expect((await app.request("/health")).status).toBe(200);
    lifecycle.drain();
    const res = await app.request("/health");
    expect(res.status).toBe(503);
    expect(healthSchema.parse(await res.json())).toMatchObject({ ok: false, status: "draining" });
    for (const path of ["/v1/jobs", "/v1/batches"]) {
      const refused = await app.request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("2");
      expect(errorResponseSchema.parse(await refused.json()).error).toMatchObject({ code: "provider_unavailable", details: { draining: true } });
    }
    // Everything else keeps serving meanwhile: clients follow their jobs until the process exits.
    expect((await app.request("/v1/catalog")).status).not.toBe(503);
    await own.close();
  });
});
