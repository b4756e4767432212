// The OpenAPI document against the proxy itself: every route served is documented and everything documented
// is served, the document is valid OpenAPI 3.1, and its examples are requests and answers the API accepts.
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONS, openApiPath } from "../../../core/api/openapi.ts";
import { startTestServer, type TestServer } from "../../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

type Doc = { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; info: { version: string } };

async function fetchDocument(): Promise<Doc> {
  const res = await s.call("/v1/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  return (await res.json()) as Doc;
}

describe("GET /v1/openapi.json", () => {
  it("is served without a token and is a valid OpenAPI 3.1 document", async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe(s.deps.version);
    const result = await new Validator().validate(doc as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("documents every route the proxy serves, and serves every route it documents", async () => {
    const served = new Set(
      s.app.routes
        .filter((r) => ["GET", "POST", "PATCH", "DELETE", "PUT"].includes(r.method) && !r.path.includes("*"))
        .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`),
    );
    const doc = await fetchDocument();
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`)));
    expect([...served].filter((r) => !documented.has(r)), "served but not documented").toEqual([]);
    expect([...documented].filter((r) => !served.has(r)), "documented but not served").toEqual([]);
  });

  it("names the errors each route can answer, with their statuses", async () => {
    const doc = await fetchDocument();
    expect(Object.keys(doc.paths["/v1/jobs"]!.post!.responses)).toEqual(expect.arrayContaining(["202", "200", "400", "401", "402", "403", "413", "415", "422", "429", "503"]));
    expect(Object.keys(doc.paths["/v1/team"]!.get!.responses)).toEqual(expect.arrayContaining(["200", "401", "403"]));
  });

  it("has examples the API accepts: each request example passes the route's schema, and is answered as documented", async () => {
    const { token } = await s.createTeam("pro");
    for (const op of OPERATIONS) {
      if (op.bodyExample !== undefined) expect(op.body!.safeParse(op.bodyExample).success, `${op.method} ${op.path}`).toBe(true);
      for (const success of op.success) if (success.example !== undefined) expect(success.schema!.safeParse(success.example).success, `${op.path} ${success.status}`).toBe(true);
    }
    // The estimate example, sent as documented, is priced: 200 with the documented shape.
    const estimate = OPERATIONS.find((op) => op.path === "/v1/estimate")!;
    const res = await s.call("/v1/estimate", { token, json: estimate.bodyExample });
    expect(res.status).toBe(200);
    expect(estimate.success[0]!.schema!.safeParse(await res.json()).success).toBe(true);
    // The batch example, sent as documented, is held: 202 with the documented shape.
    const batches = OPERATIONS.find((op) => op.path === "/v1/batches" && op.method === "post")!;
    const batch = await s.call("/v1/batches", { token, json: batches.bodyExample, headers: { "Idempotency-Key": "openapi-example" } });
    expect(batch.status).toBe(202);
    expect(batches.success[0]!.schema!.safeParse(await batch.json()).success).toBe(true);
  });
});
