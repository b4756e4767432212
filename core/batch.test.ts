// Batches in core: the schema, the one estimate of a batch (each item its own line and surcharge, the tier's
// maxBatch, balance and cap over the whole), each item's share of it, and creates split into items.
import { describe, expect, it } from "vitest";
import { batchSchema, jobSpecSchema, MAX_BATCH_ITEMS, type BatchInput } from "./api/specs.ts";
import { createBatch, itemEstimate, itemEstimates } from "./batch.ts";
import { DEFAULT_CATALOG } from "./catalog/default-catalog.ts";
import { estimate, type EstimateContext } from "./estimate.ts";

const catalog = DEFAULT_CATALOG;
const upscale = (width = 1024, height = 1024) => ({ operation: "upscale" as const, mode: "fast" as const, input: { width, height } });
const price = (batch: BatchInput, ctx: EstimateContext = {}) => estimate(batchSchema.parse(batch), catalog, ctx);

describe("batchSchema", () => {
  it("takes 1 to MAX_BATCH_ITEMS specs of one operation", () => {
    expect(batchSchema.safeParse({ items: [upscale()] }).success).toBe(true);
    expect(batchSchema.safeParse({ items: [] }).success).toBe(false);
    expect(batchSchema.safeParse({ items: Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => upscale()) }).success).toBe(false);
    const mixed = batchSchema.safeParse({ items: [upscale(), { operation: "create", prompt: "x", quality: "draft" }] });
    expect(mixed.success).toBe(false);
    expect(mixed.error!.issues.map((i) => i.path.join("."))).toEqual(["items.1.operation"]);
  });

  it("charges every item to one project (or none): one batch, one budget", () => {
    const p = (projectId?: string) => ({ ...upscale(), ...(projectId ? { projectId } : {}) });
    expect(batchSchema.safeParse({ items: [p("prj_aaaaaaaaaa"), p("prj_aaaaaaaaaa")] }).success).toBe(true);
    const split = batchSchema.safeParse({ items: [p("prj_aaaaaaaaaa"), p("prj_bbbbbbbbbb"), p()] });
    expect(split.error!.issues.map((i) => i.path.join("."))).toEqual(["items.1.projectId", "items.2.projectId"]);
  });

  it("refuses fields it does not know, as a job spec does", () => {
    expect(batchSchema.safeParse({ items: [upscale()], total: 0 }).success).toBe(false);
  });
});

describe("estimate() of a batch", () => {
  it("prices 5 fast upscales at 10 credits, one line per item (step = its index)", () => {
    const e = price({ items: Array.from({ length: 5 }, () => upscale()) }, { tier: "pro", available: 100 });
    expect(e).toMatchObject({ total: 10, allowed: true, reasons: [] });
    expect(e.lines.map((l) => [l.step, l.credits])).toEqual([0, 1, 2, 3, 4].map((i) => [i, 2]));
  });

  it("adds each image's own size surcharge", () => {
    const e = price({ items: [upscale(1024, 1024), upscale(3000, 3000), upscale(512, 512)] });
    expect(e.total).toBe(2 + (2 + 2) + 2); // a 9 MP input pays the +2 over 8 MP
    expect(itemEstimates(e).map((i) => i.total)).toEqual([2, 4, 2]);
  });

  it("refuses a batch bigger than the tier's maxBatch first, as invalid_request", () => {
    const six = { items: Array.from({ length: 6 }, () => upscale()) };
    const e = price(six, { tier: "free", available: 0 });
    expect(e.allowed).toBe(false);
    expect(e.reasons[0]).toMatchObject({ code: "invalid_request", details: { maxBatch: 5, items: 6, tier: "free" } });
    expect(price(six, { tier: "basic", available: 1000 }).allowed).toBe(true);
  });

  it("checks the balance and the member's cap against the whole batch", () => {
    const five = { items: Array.from({ length: 5 }, () => upscale()) };
    expect(price(five, { tier: "pro", available: 9 }).reasons[0]).toMatchObject({ code: "insufficient_credits", details: { needed: 10, available: 9 } });
    expect(price(five, { tier: "pro", available: 100, memberCapRemaining: 8 }).reasons[0]!.code).toBe("member_cap_reached");
    expect(price(five, { tier: "pro", available: 10, memberCapRemaining: 10 }).allowed).toBe(true);
  });

  it("never reuses an earlier job for a batch", () => {
    const e = price({ items: [upscale()] }, { reuse: { jobId: "job_x", images: 1 } });
    expect(e.total).toBe(2);
    expect(e.reuse).toBeUndefined();
  });

  it("spends a free allowance across the items in order, as one job would", () => {
    const free = { operation: "create" as const, prompt: "a fox", quality: "draft" as const, provider: "huggingface", model: "flux-schnell", variations: 10 };
    const ctx: EstimateContext = { configuredProviders: ["huggingface"], freeUsed: { "huggingface/flux-schnell": 15 } };
    const e = price({ items: [free, free] }, ctx);
    const shares = itemEstimates(e);
    // 5 free images are left: the first item takes them, the second pays for all 10.
    expect(shares.map((s) => s.steps[0]!.freeUsed)).toEqual([{ "huggingface/flux-schnell": 5 }, {}]);
    expect(shares[0]!.total).toBeLessThan(shares[1]!.total);
  });
});

describe("itemEstimate", () => {
  it("partitions the batch's lines: the shares add up to the total exactly", () => {
    const e = price({ items: [upscale(), upscale(4000, 3000), upscale(2000, 1200)] });
    const shares = itemEstimates(e);
    expect(shares.reduce((n, s) => n + s.total, 0)).toBe(e.total);
    expect(shares.flatMap((s) => s.lines)).toHaveLength(e.lines.length);
    for (const [i, share] of shares.entries()) {
      expect(share.steps).toEqual([e.steps[i]]);
      expect(share.lines.every((l) => l.step === 0)).toBe(true);
      expect(share.reasons).toEqual([]);
    }
  });

  it("throws for an item the batch does not have", () => {
    expect(() => itemEstimate(price({ items: [upscale()] }), 1)).toThrow(RangeError);
  });
});

describe("createBatch", () => {
  it("splits 20 drafts into items of the tier's variations, seeds carrying on", () => {
    const batch = createBatch({ operation: "create", prompt: "mug", quality: "draft", provider: "auto", variations: 1, seed: 100 }, 20, 10);
    expect(batch.items.map((i) => [i.operation === "create" && i.variations, "seed" in i && i.seed])).toEqual([
      [10, 100],
      [10, 110],
    ]);
    const odd = createBatch({ operation: "create", prompt: "mug", quality: "draft", provider: "auto", variations: 1 }, 9, 4);
    expect(odd.items.map((i) => (i.operation === "create" ? i.variations : 0))).toEqual([4, 4, 1]);
    expect(odd.items.every((i) => !("seed" in i))).toBe(true);
    expect(batchSchema.safeParse(batch).success).toBe(true);
  });

  it("prices 20 drafts as batch items at what two jobs of 10 variations cost: example 4's 40 credits", () => {
    const spec = { operation: "create" as const, prompt: "mug", quality: "draft" as const, provider: "auto", variations: 1 };
    const ten = estimate(jobSpecSchema.parse({ ...spec, variations: 10 }), catalog).total;
    expect(price(createBatch(spec, 20, 10)).total).toBe(2 * ten);
    expect(2 * ten).toBe(40);
  });
});
