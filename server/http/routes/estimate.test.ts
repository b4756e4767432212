import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../../core/api/errors.ts";
import { estimateSchema, meSchema } from "../../../core/api/responses.ts";
import { DEFAULT_CATALOG } from "../../../core/catalog/default-catalog.ts";
import { estimate } from "../../../core/estimate.ts";
import { jobSpecSchema } from "../../../core/api/specs.ts";
import { startTestServer, type TestServer } from "../../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const post = (token: string, json: unknown) => s.call("/v1/estimate", { token, json });

describe("POST /v1/estimate", () => {
  it("prices a spec exactly as core's estimate() does for the caller", async () => {
    const { token } = await s.createTeam("pro");
    const spec = { operation: "create", prompt: "a kite", quality: "standard", aspectRatio: "16:9", variations: 3 };
    const res = await post(token, spec);
    expect(res.status).toBe(200);
    const body = estimateSchema.parse(await res.json());
    const expected = estimate(jobSpecSchema.parse(spec), DEFAULT_CATALOG, { tier: "pro", available: 2000, configuredProviders: ["local"], memberCapRemaining: null, freeUsed: {} });
    expect(body).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(body).toMatchObject({ total: 12, allowed: true, steps: [{ route: { provider: "local", model: "procedural" } }] });
  });

  it("prices the cost guide's plans (29 and 90 credits)", async () => {
    const { token } = await s.createTeam("pro");
    const image = { width: 1024, height: 1024 };
    const plan29 = {
      plan: [
        { operation: "create", prompt: "p", quality: "standard", count: 5 },
        { operation: "edit", kind: "remove-background", input: image, count: 3 },
        { operation: "social", formats: ["instagram-square", "linkedin-feed", "x-post"], input: image },
      ],
    };
    const plan90 = {
      plan: [
        { operation: "create", prompt: "p", quality: "draft", count: 20 },
        { operation: "edit", kind: "general", prompt: "warmer", input: image, count: 10 },
        { operation: "upscale", mode: "fast", input: image, count: 5 },
      ],
    };
    expect(estimateSchema.parse(await (await post(token, plan29)).json()).total).toBe(29);
    expect(estimateSchema.parse(await (await post(token, plan90)).json()).total).toBe(90);
  });

  it("says why a job would be refused, and charges nothing either way", async () => {
    const { team, token } = await s.createTeam("free", { monthlyCredits: 3 });
    const tooDear = estimateSchema.parse(await (await post(token, { operation: "create", prompt: "p", quality: "draft", variations: 2 })).json());
    expect(tooDear).toMatchObject({ total: 4, allowed: false, reasons: [{ code: "insufficient_credits", details: { needed: 4, available: 3 } }] });
    const premium = estimateSchema.parse(await (await post(token, { operation: "create", prompt: "p", quality: "premium" })).json());
    expect(premium.reasons[0]).toMatchObject({ code: "tier_required", details: { tier: "pro" } });
    const me = meSchema.parse(await (await s.call("/v1/me", { token })).json());
    expect(me.balance).toMatchObject({ available: 3, held: 0, spent: 0 });
    expect((await s.deps.stores.ledger.entries(team.id)).map((e) => e.kind)).toEqual(["grant"]);
  });

  it.each([
    ["malformed JSON", "{ nope", "(body)"],
    ["a wrong type", { operation: "create", prompt: "p", quality: 3 }, "quality"],
    ["an unknown field", { operation: "create", prompt: "p", quality: "draft", colour: "red" }, "colour"],
    ["an unknown provider", { operation: "create", prompt: "p", quality: "draft", provider: "acme" }, "provider"],
    ["an unknown model in a plan step", { plan: [{ operation: "create", prompt: "p", quality: "draft", provider: "local", model: "nope" }] }, "plan.0.model"],
    ["an empty plan", { plan: [] }, "plan"],
  ])("answers 400 invalid_request naming the field for %s", async (_what, body, field) => {
    const { token } = await s.createTeam("pro");
    const res =
      typeof body === "string"
        ? await s.call("/v1/estimate", { token, body, headers: { "Content-Type": "application/json" } })
        : await post(token, body);
    expect(res.status).toBe(400);
    const { error } = errorResponseSchema.parse(await res.json());
    expect(error.code).toBe("invalid_request");
    expect(Object.keys((error.details?.fields ?? {}) as object)).toContain(field);
  });

  it("needs a token", async () => {
    expect((await s.call("/v1/estimate", { json: { operation: "create", prompt: "p", quality: "draft" } })).status).toBe(401);
  });
});
