import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "./catalog/default-catalog.ts";
import { catalogSchema, type Catalog } from "./catalog/schema.ts";
import { jobSpecSchema, planSchema, type JobSpecInput } from "./api/specs.ts";
import { catalogIssues, estimate, routeJob, type EstimateContext } from "./estimate.ts";

const catalog: Catalog = catalogSchema.parse(DEFAULT_CATALOG);
const oneMp = { width: 1024, height: 1024 };

function priceOf(spec: JobSpecInput, ctx: EstimateContext = {}) {
  return estimate(jobSpecSchema.parse(spec), catalog, ctx);
}
function planTotal(plan: unknown[], ctx: EstimateContext = {}) {
  return estimate(planSchema.parse({ plan }), catalog, ctx);
}

describe("default catalog", () => {
  it("is valid against its own schema", () => {
    expect(catalogSchema.safeParse(DEFAULT_CATALOG).success).toBe(true);
  });

  it.each([
    ["draft", 2],
    ["standard", 4],
    ["premium", 6],
  ] as const)("prices a %s create on auto at %i credits", (quality, credits) => {
    expect(priceOf({ operation: "create", prompt: "a fox", quality }).total).toBe(credits);
  });

  it.each([
    ["stability", "ultra", 8],
    ["stability", "core", 3],
    ["stability", "sd3.5-large", 7],
    ["stability", "sd3.5-large-turbo", 4],
    ["stability", "sd3.5-medium", 4],
    ["stability", "sd3.5-flash", 3],
    ["wavespeed", "ideogram-v3-turbo", 5],
    ["wavespeed", "ideogram-v3-balanced", 6],
    ["wavespeed", "ideogram-v3-quality", 6],
    ["wavespeed", "qwen-image", 1],
    ["huggingface", "flux-schnell", 1],
    ["gemini", "gemini-3.1-flash-image", 4],
    ["gemini", "gemini-3-pro-image", 8],
    ["local", "procedural", 1],
  ] as const)("prices %s %s at %i credits per 1 MP image once any free allowance is used", (provider, model, credits) => {
    const spec = { operation: "create", prompt: "a fox", quality: "standard", provider, model } as const;
    const usedUp = { [`${provider}/${model}`]: 1000 };
    expect(priceOf(spec, { freeUsed: usedUp }).total).toBe(credits);
  });

  it("prices qwen-image by output size: 1 up to 1 MP, 2 above (plus the large-image surcharge over 2 MP)", () => {
    const qwen = (aspectRatio: { width: number; height: number }) =>
      priceOf({ operation: "create", prompt: "p", quality: "draft", provider: "wavespeed", model: "qwen-image", aspectRatio }).total;
    expect(qwen({ width: 1024, height: 1024 })).toBe(1);
    expect(qwen({ width: 1024, height: 1088 })).toBe(2);
    expect(qwen({ width: 1536, height: 1536 })).toBe(3);
  });

  it.each([
    ["remove-background", 3, {}],
    ["inpaint", 4, { prompt: "a hat" }],
    ["outpaint", 5, { expand: { left: 100 } }],
    ["search-replace", 5, { prompt: "a cat", searchPrompt: "dog" }],
    ["search-recolor", 4, { prompt: "red", selectPrompt: "shirt" }],
    ["replace-background-relight", 6, { prompt: "a beach at dusk" }],
    ["erase", 3, {}],
    ["general", 4, { prompt: "make it snow" }],
  ] as const)("prices edit %s at %i credits", (kind, credits, extra) => {
    expect(priceOf({ operation: "edit", kind, input: oneMp, ...extra }).total).toBe(credits);
  });

  it.each([
    ["fast", 2],
    ["conservative", 6],
    ["creative", 6],
  ] as const)("prices upscale %s at %i credits", (mode, credits) => {
    expect(priceOf({ operation: "upscale", mode, input: oneMp }).total).toBe(credits);
  });

  it("prices the social optimizer at 0 for any number of formats", () => {
    const formats = catalog.social.formats.map((f) => f.id);
    const e = priceOf({ operation: "social", formats, input: oneMp });
    expect(e.total).toBe(0);
    expect(e.lines[0]!.quantity).toBe(formats.length);
  });
});

describe("variations and size", () => {
  it("multiplies the per-image price by the variations", () => {
    for (let v = 1; v <= 10; v++)
      expect(priceOf({ operation: "create", prompt: "p", quality: "standard", variations: v }).total).toBe(4 * v);
  });

  it("adds +1 per image over 2 MP and +2 over 8 MP, for create outputs and edit/upscale inputs", () => {
    const create = (width: number, height: number, variations = 1) =>
      priceOf({ operation: "create", prompt: "p", quality: "standard", aspectRatio: { width, height }, variations }).total;
    expect(create(1448, 1448)).toBe(4); // 2,096,704 px: just under 2 MP
    expect(create(1449, 1449)).toBe(5); // just over
    expect(create(2048, 2048, 3)).toBe(3 * 5);
    expect(create(4096, 2049)).toBe(6); // over 8 MP
    const upscale = (width: number, height: number) => priceOf({ operation: "upscale", mode: "conservative", input: { width, height } }).total;
    expect(upscale(1024, 1024)).toBe(6);
    expect(upscale(2048, 2048)).toBe(7);
    expect(upscale(4096, 4096)).toBe(8);
  });

  it("shows the surcharge as its own line so the badge's breakdown explains it", () => {
    const e = priceOf({ operation: "edit", kind: "erase", input: { width: 3000, height: 3000 } });
    expect(e.lines.map((l) => [l.credits, l.label])).toEqual([
      [3, "Erase · 3000×3000"],
      [2, "Large image"],
    ]);
  });
});

describe("free allowances", () => {
  it("makes the first images of a period free, then charges the model price", () => {
    const spec = { operation: "create", prompt: "p", quality: "draft", provider: "huggingface", model: "flux-schnell", variations: 4 } as const;
    expect(priceOf(spec, { freeUsed: {} }).total).toBe(0);
    expect(priceOf(spec, { freeUsed: { "huggingface/flux-schnell": 18 } }).total).toBe(2);
    expect(priceOf(spec, { freeUsed: { "huggingface/flux-schnell": 20 } }).total).toBe(4);
    const e = priceOf(spec, { freeUsed: { "huggingface/flux-schnell": 17 } });
    expect(e.steps[0]!.freeUsed).toEqual({ "huggingface/flux-schnell": 3 });
  });

  it("does not apply a model's allowance when quality routing (auto) chooses the provider", () => {
    expect(priceOf({ operation: "create", prompt: "p", quality: "draft" }, { configuredProviders: ["huggingface", "local"] }).total).toBe(2);
  });

  it("consumes the allowance across the steps of a plan", () => {
    const step = { operation: "create", prompt: "p", quality: "draft", provider: "huggingface", model: "flux-schnell", variations: 10 };
    expect(planTotal([step, step, step]).total).toBe(10); // 20 free, then 10 at 1
  });
});

describe("routing", () => {
  it("routes auto to the first configured provider of the quality", () => {
    const route = (quality: "draft" | "standard" | "premium", configuredProviders: string[]) =>
      priceOf({ operation: "create", prompt: "p", quality }, { configuredProviders }).steps[0]!.route;
    expect(route("draft", ["local"])).toEqual({ provider: "local", model: "procedural" });
    expect(route("draft", ["huggingface", "local"])).toEqual({ provider: "huggingface", model: "flux-schnell" });
    expect(route("standard", ["gemini", "wavespeed", "local"])).toEqual({ provider: "wavespeed", model: "ideogram-v3-turbo" });
    expect(route("premium", ["stability", "local"])).toEqual({ provider: "stability", model: "ultra" });
    expect(route("standard", ["gemini", "local"])).toEqual({ provider: "gemini", model: "gemini-3.1-flash-image" });
    expect(route("premium", ["gemini", "local"])).toEqual({ provider: "gemini", model: "gemini-3-pro-image" });
  });

  it("skips a model its provider reported gone, and refuses it when chosen explicitly, saying why", () => {
    const gone = { "gemini/gemini-3.1-flash-image": "Gemini answered 404: not found" };
    const auto = priceOf({ operation: "create", prompt: "p", quality: "standard" }, { configuredProviders: ["gemini", "local"], unavailableModels: gone });
    expect(auto.steps[0]!.route).toEqual({ provider: "local", model: "procedural" });
    expect(auto.allowed).toBe(true);
    const explicit = priceOf(
      { operation: "create", prompt: "p", quality: "standard", provider: "gemini", model: "gemini-3.1-flash-image" },
      { configuredProviders: ["gemini", "local"], unavailableModels: gone },
    );
    expect(explicit.reasons).toEqual([
      expect.objectContaining({ code: "provider_unavailable", message: "Gemini 3.1 Flash Image is no longer offered by Google Gemini: Gemini answered 404: not found" }),
    ]);
    // The provider without a model named falls back to its next usable model.
    const provider = priceOf({ operation: "create", prompt: "p", quality: "standard", provider: "gemini" }, { configuredProviders: ["gemini"], unavailableModels: gone });
    expect(provider.steps[0]!.route).toEqual({ provider: "gemini", model: "gemini-3-pro-image" });
    // With every routed model gone and nothing else configured, auto says which and why.
    const none = priceOf({ operation: "create", prompt: "p", quality: "standard" }, { configuredProviders: ["gemini"], unavailableModels: gone });
    expect(none.reasons[0]).toMatchObject({ code: "provider_unavailable", message: expect.stringContaining("gemini/gemini-3.1-flash-image (Gemini answered 404: not found)") });
  });

  it("routes a general edit to the provider's model that serves it, past one reported gone", () => {
    const general = { operation: "edit", kind: "general", prompt: "snow", input: oneMp } as const;
    expect(priceOf(general, { configuredProviders: ["wavespeed", "gemini"] }).steps[0]!.route).toEqual({ provider: "wavespeed", model: "qwen-image-edit" });
    const ctx = { configuredProviders: ["wavespeed", "gemini"], unavailableModels: { "wavespeed/qwen-image-edit": "gone", "gemini/gemini-3.1-flash-image": "gone" } };
    expect(priceOf(general, ctx).steps[0]!.route).toEqual({ provider: "gemini", model: "gemini-3-pro-image" });
    // Stability's edits have no model choice: the route names none.
    expect(priceOf({ operation: "edit", kind: "erase", input: oneMp }, { configuredProviders: ["stability"] }).steps[0]!.route).toEqual({ provider: "stability", model: null });
  });

  it("refuses an explicit provider that is not configured", () => {
    const e = priceOf({ operation: "create", prompt: "p", quality: "standard", provider: "stability" }, { configuredProviders: ["local"] });
    expect(e.allowed).toBe(false);
    expect(e.reasons.map((r) => r.code)).toEqual(["provider_unavailable"]);
  });

  it("refuses an operation that no configured provider does", () => {
    const e = priceOf({ operation: "edit", kind: "general", prompt: "x", input: oneMp }, { configuredProviders: ["local"] });
    expect(e.reasons[0]?.code).toBe("provider_unavailable");
    expect(e.total).toBe(4); // the price is still shown
  });

  it("routeJob routes as estimate() does without pricing, whatever the caller's tier, balance or allowances", () => {
    const gone = { "gemini/gemini-3.1-flash-image": "gone" };
    const specs: JobSpecInput[] = [
      { operation: "create", prompt: "p", quality: "standard" },
      { operation: "create", prompt: "p", quality: "draft", provider: "huggingface", model: "flux-schnell", variations: 4 },
      { operation: "create", prompt: "p", quality: "standard", provider: "gemini", model: "gemini-3.1-flash-image" },
      { operation: "create", prompt: "p", quality: "premium", provider: "stability" },
      { operation: "edit", kind: "general", prompt: "snow", input: oneMp },
      { operation: "edit", kind: "erase", input: oneMp },
      { operation: "upscale", mode: "creative", input: oneMp },
      { operation: "social", formats: ["instagram-post"], input: oneMp },
    ];
    for (const configuredProviders of [["local"], ["gemini", "huggingface", "local"], ["stability", "wavespeed", "gemini", "huggingface", "local"]])
      for (const input of specs) {
        const spec = jobSpecSchema.parse(input);
        const usable = { configuredProviders, unavailableModels: gone };
        const priced = estimate(spec, catalog, { ...usable, tier: "free", available: 0, memberCapRemaining: 0, freeUsed: { "huggingface/flux-schnell": 99 } });
        const routed = routeJob(spec, catalog, usable);
        expect(routed.route).toEqual(priced.steps[0]!.route);
        expect(routed.unavailable).toEqual(priced.reasons.find((r) => r.code === "provider_unavailable") ?? null);
      }
  });
});

describe("tier gates", () => {
  const premium = { operation: "create", prompt: "p", quality: "premium" } as const;

  it("names the lowest tier that allows a quality", () => {
    const e = priceOf(premium, { tier: "basic" });
    expect(e.allowed).toBe(false);
    expect(e.reasons[0]).toMatchObject({ code: "tier_required", details: { tier: "pro" } });
    expect(priceOf(premium, { tier: "pro" }).allowed).toBe(true);
  });

  it("gates an explicit model by its quality class", () => {
    const ultra = { operation: "create", prompt: "p", quality: "draft", provider: "stability", model: "ultra" } as const;
    expect(priceOf(ultra, { tier: "free" }).reasons[0]).toMatchObject({ code: "tier_required", details: { tier: "pro" } });
  });

  it("gates variations by the tier's maximum", () => {
    const v = (variations: number, tier: "free" | "basic" | "pro") =>
      priceOf({ operation: "create", prompt: "p", quality: "draft", variations }, { tier }).reasons[0]?.details?.tier ?? null;
    expect(v(2, "free")).toBeNull();
    expect(v(3, "free")).toBe("basic");
    expect(v(5, "basic")).toBe("pro");
    expect(v(10, "pro")).toBeNull();
  });

  it("gates operations: free does remove-background and fast upscale but not inpaint or creative upscale", () => {
    const ctx = { tier: "free" } as const;
    expect(priceOf({ operation: "edit", kind: "remove-background", input: oneMp }, ctx).allowed).toBe(true);
    expect(priceOf({ operation: "upscale", mode: "fast", input: oneMp }, ctx).allowed).toBe(true);
    expect(priceOf({ operation: "edit", kind: "inpaint", prompt: "x", input: oneMp }, ctx).reasons[0]).toMatchObject({ code: "tier_required", details: { tier: "basic" } });
    expect(priceOf({ operation: "upscale", mode: "creative", input: oneMp }, ctx).reasons[0]).toMatchObject({ code: "tier_required", details: { tier: "basic" } });
  });
});

describe("balance and caps", () => {
  const spec = { operation: "create", prompt: "p", quality: "standard", variations: 3 } as const; // 12

  it("allows a job the balance covers exactly", () => {
    expect(priceOf(spec, { available: 12 }).allowed).toBe(true);
  });

  it("reports the shortfall when the balance is one credit short", () => {
    const e = priceOf(spec, { available: 11 });
    expect(e.allowed).toBe(false);
    expect(e.reasons).toEqual([expect.objectContaining({ code: "insufficient_credits", details: { needed: 12, available: 11, shortfall: 1 } })]);
  });

  it("treats null as unlimited (enterprise) and still prices the job", () => {
    const e = priceOf(spec, { available: null, tier: "enterprise" });
    expect(e).toMatchObject({ allowed: true, total: 12 });
  });

  it("refuses a job over the member's remaining cap", () => {
    expect(priceOf(spec, { available: 100, memberCapRemaining: 11 }).reasons[0]?.code).toBe("member_cap_reached");
  });
});

describe("the cost guide's worked examples, as plans", () => {
  const img = oneMp;
  it("social media campaign: 5 standard creates, 3 remove-background, social for 3 platforms = 29", () => {
    const e = planTotal([
      { operation: "create", prompt: "campaign", quality: "standard", variations: 5 },
      { operation: "edit", kind: "remove-background", input: img, count: 3 },
      { operation: "social", formats: ["instagram-square", "facebook-feed", "linkedin-feed"], input: img },
    ]);
    expect(e.total).toBe(29);
    expect(e.lines.map((l) => l.credits)).toEqual([20, 9, 0]);
  });

  it("featured image: premium create, conservative upscale, social = 12", () => {
    expect(
      planTotal([
        { operation: "create", prompt: "hero", quality: "premium" },
        { operation: "upscale", mode: "conservative", input: img },
        { operation: "social", formats: ["x-post"], input: img },
      ]).total,
    ).toBe(12);
  });

  it("product photography: premium create, remove background, 3 search-recolor = 21", () => {
    expect(
      planTotal([
        { operation: "create", prompt: "sneaker", quality: "premium" },
        { operation: "edit", kind: "remove-background", input: img },
        { operation: "edit", kind: "search-recolor", prompt: "red", selectPrompt: "shoe", input: img, count: 3 },
      ]).total,
    ).toBe(21);
  });

  it("content library: 20 draft creates, 10 general edits, 5 fast upscales = 90", () => {
    expect(
      planTotal([
        { operation: "create", prompt: "library", quality: "draft", count: 20 },
        { operation: "edit", kind: "general", prompt: "warmer", input: img, count: 10 },
        { operation: "upscale", mode: "fast", input: img, count: 5 },
      ]).total,
    ).toBe(90);
  });

  it("sums a plan's lines to its total, step by step", () => {
    const e = planTotal([
      { operation: "create", prompt: "a", quality: "premium", variations: 2 },
      { operation: "edit", kind: "erase", input: { width: 4000, height: 3000 } },
    ]);
    expect(e.total).toBe(e.lines.reduce((s, l) => s + l.credits, 0));
    expect(new Set(e.lines.map((l) => l.step))).toEqual(new Set([0, 1]));
  });
});

describe("catalogIssues", () => {
  const issues = (spec: JobSpecInput) => catalogIssues(jobSpecSchema.parse(spec), catalog);
  it("names unknown providers, models, aspect ratios and formats", () => {
    expect(Object.keys(issues({ operation: "create", prompt: "p", quality: "draft", provider: "acme" }))).toEqual(["provider"]);
    expect(Object.keys(issues({ operation: "create", prompt: "p", quality: "draft", provider: "stability", model: "turbo-9000" }))).toEqual(["model"]);
    expect(Object.keys(issues({ operation: "create", prompt: "p", quality: "draft", aspectRatio: "7:3" }))).toEqual(["aspectRatio"]);
    expect(Object.keys(issues({ operation: "social", formats: ["x-post", "myspace-banner"] }))).toEqual(["formats.1"]);
    expect(issues({ operation: "create", prompt: "p", quality: "draft", provider: "local", model: "procedural" })).toEqual({});
    // An edit-only model is not a create model.
    expect(Object.keys(issues({ operation: "create", prompt: "p", quality: "draft", provider: "wavespeed", model: "qwen-image-edit" }))).toEqual(["model"]);
  });

  it("refuses a style preset outside the catalog's list before anything is priced", () => {
    expect(issues({ operation: "create", prompt: "p", quality: "draft", stylePreset: "watercolour" })).toEqual({
      stylePreset: expect.stringMatching(/^unknown style preset "watercolour"; one of enhance, anime/),
    });
    expect(issues({ operation: "create", prompt: "p", quality: "draft", stylePreset: "pixel-art" })).toEqual({});
  });
});
