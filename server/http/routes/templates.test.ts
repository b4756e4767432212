import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../../core/api/errors.ts";
import { templatesResponseSchema } from "../../../core/api/responses.ts";
import { DEFAULT_CATALOG } from "../../../core/catalog/default-catalog.ts";
import { estimate } from "../../../core/estimate.ts";
import { createSpec, startTestServer, type TestServer } from "../../test-support/harness.ts";
import { templateSpec } from "./templates.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("GET /v1/templates", () => {
  it("needs a token", async () => {
    const res = await s.call("/v1/templates");
    expect(res.status).toBe(401);
    expect(errorResponseSchema.parse(await res.json()).error.code).toBe("unauthorized");
  });

  it("lists the catalog's templates, each priced for the caller as the Create form it fills", async () => {
    const { token } = await s.createTeam("pro");
    const body = templatesResponseSchema.parse(await (await s.call("/v1/templates", { token })).json());
    expect(body.templates.map((t) => t.id)).toEqual(DEFAULT_CATALOG.templates.map((t) => t.id));
    for (const t of body.templates) {
      const own = estimate(templateSpec(t), DEFAULT_CATALOG, { tier: "pro", available: 2000, memberCapRemaining: null, freeUsed: {}, configuredProviders: ["local"] });
      expect(t.estimate.total, t.id).toBe(own.total);
      expect(t.estimate.allowed, t.id).toBe(true);
      const quality = DEFAULT_CATALOG.create.qualities[t.quality].credits;
      expect(t.estimate.total, t.id).toBe(quality * t.variations);
    }
  });

  it("says which templates the caller's tier cannot use, and why", async () => {
    const { token } = await s.createTeam("free");
    const body = templatesResponseSchema.parse(await (await s.call("/v1/templates", { token })).json());
    const premium = body.templates.filter((t) => t.quality === "premium");
    expect(premium.length).toBeGreaterThan(0);
    for (const t of premium) expect(t.estimate.reasons[0]).toMatchObject({ code: "tier_required", details: { tier: "pro" } });
    for (const t of body.templates.filter((x) => x.quality !== "premium")) expect(t.estimate.allowed, t.id).toBe(true);
  });

  it("a job made from a template is charged what the template said, and an unknown templateId is a 400", async () => {
    const { token } = await s.createTeam("pro");
    const body = templatesResponseSchema.parse(await (await s.call("/v1/templates", { token })).json());
    const t = body.templates.find((x) => x.id === "story-background")!;
    const job = await s.runJob(token, { ...templateSpec(t), prompt: t.prompt.replace("{subject}", "autumn leaves") });
    expect(job.charged).toBe(t.estimate.total);
    const bad = await s.call("/v1/jobs", { token, json: createSpec({ templateId: "no-such-template" }) });
    expect(bad.status).toBe(400);
    expect(errorResponseSchema.parse(await bad.json()).error.details).toMatchObject({ fields: { templateId: expect.stringContaining("unknown template") } });
  });
});
