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

  // The cost guide's four worked examples, through the route, with the step each line belongs to.
  const image = { width: 1024, height: 1024 };
  const examples = [
    {
      name: "social media campaign",
      total: 29,
      steps: [20, 9, 0],
      plan: [
        { operation: "create", prompt: "p", quality: "standard", count: 5 },
        { operation: "edit", kind: "remove-background", input: image, count: 3 },
        { operation: "social", formats: ["instagram-square", "linkedin-feed", "x-post"], input: image },
      ],
    },
    {
      name: "featured image",
      total: 12,
      steps: [6, 6, 0],
      plan: [
        { operation: "create", prompt: "hero", quality: "premium" },
        { operation: "upscale", mode: "conservative", input: image },
        { operation: "social", formats: ["x-post", "facebook-feed"], input: { width: 4096, height: 4096 }, crop: "smart" },
      ],
    },
    {
      name: "product photography",
      total: 21,
      steps: [6, 3, 12],
      plan: [
        { operation: "create", prompt: "sneaker", quality: "premium" },
        { operation: "edit", kind: "remove-background", input: image },
        { operation: "edit", kind: "search-recolor", prompt: "red", selectPrompt: "shoe", input: image, count: 3 },
      ],
    },
    {
      name: "content library",
      total: 90,
      steps: [40, 40, 10],
      plan: [
        { operation: "create", prompt: "p", quality: "draft", count: 20 },
        { operation: "edit", kind: "general", prompt: "warmer", input: image, count: 10 },
        { operation: "upscale", mode: "fast", input: image, count: 5 },
      ],
    },
  ];
  for (const example of examples)
    it(`prices the cost guide's ${example.name} plan at ${example.total} credits, step by step, charging nothing`, async () => {
      const { token } = await s.createTeam("pro");
      const res = await post(token, { plan: example.plan });
      expect(res.status).toBe(200);
      const body = estimateSchema.parse(await res.json());
      expect(body.total).toBe(example.total);
      const perStep = example.plan.map((_, i) => body.lines.filter((l) => l.step === i).reduce((sum, l) => sum + l.credits, 0));
      expect(perStep).toEqual(example.steps);
      // The pro team's tier and balance allow every plan; only general edits lack a provider on an offline proxy.
      expect(body.reasons.filter((r) => r.code !== "provider_unavailable")).toEqual([]);
      const me = meSchema.parse(await (await s.call("/v1/me", { token })).json());
      expect(me.balance).toMatchObject({ held: 0, spent: 0 });
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
