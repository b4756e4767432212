import { describe, expect, it } from "vitest";
import type { UpscaleSpec } from "../../core/api/specs.ts";
import { estimate } from "../../core/estimate.ts";
import { catalog, me, onlyLocal } from "../testing/fixtures.ts";
import { batchBadgeFor } from "./batch-badge.ts";
import { estimateContext } from "./estimate-context.ts";

const fast = (width: number, height: number): UpscaleSpec => ({ operation: "upscale", mode: "fast", provider: "auto", input: { width, height } });
const ctx = (overrides: Parameters<typeof me>[0] = {}) => estimateContext(me(overrides), onlyLocal);

describe("the badge of a batch", () => {
  it("says the count and the exact total: 5 images, 10 credits for five small fast upscales", () => {
    const items = Array.from({ length: 5 }, () => fast(512, 384));
    const badge = batchBadgeFor(estimate({ items }, catalog, ctx()), null, catalog, 5);
    expect(badge).toMatchObject({ state: "price", credits: 10, text: "5 images, 10 credits", enabled: true });
  });

  it("includes each image's own size surcharge", () => {
    // Two 3 MP photos among five: each pays the large-image surcharge on top of the catalog's price.
    const items = [fast(512, 384), fast(2048, 1536), fast(512, 384), fast(2048, 1536), fast(256, 256)];
    const total = estimate({ items }, catalog, ctx()).total;
    const single = items.reduce((n, spec) => n + estimate(spec, catalog, ctx()).total, 0);
    expect(total).toBe(single);
    expect(total).toBe(5 * catalog.upscale.fast.credits + 2);
    expect(batchBadgeFor(estimate({ items }, catalog, ctx()), null, catalog, 5).text).toBe(`5 images, ${total} credits`);
  });

  it("checks the balance and the member cap against the whole batch", () => {
    const items = Array.from({ length: 5 }, () => fast(512, 384));
    const short = batchBadgeFor(estimate({ items }, catalog, ctx({ available: 7 })), null, catalog, 5);
    expect(short).toMatchObject({ state: "insufficient", text: "5 images, 10 credits · 3 short", enabled: false });
    const capped = batchBadgeFor(estimate({ items }, catalog, ctx({ capRemaining: 9 })), null, catalog, 5);
    expect(capped).toMatchObject({ state: "insufficient", enabled: false });
  });

  it("refuses a batch bigger than the tier's maxBatch before the click, saying the limit", () => {
    const free = catalog.tiers.find((t) => t.id === "free")!;
    const items = Array.from({ length: free.maxBatch + 1 }, () => fast(512, 384));
    const badge = batchBadgeFor(estimate({ items }, catalog, ctx({ tier: "free" })), null, catalog, items.length);
    expect(badge).toMatchObject({ state: "tier", text: `At most ${free.maxBatch} images`, enabled: false });
    expect(badge.hint).toContain(`at most ${free.maxBatch} images at once`);
    // At the limit it is priced as usual.
    const ok = batchBadgeFor(estimate({ items: items.slice(1) }, catalog, ctx({ tier: "free" })), null, catalog, free.maxBatch);
    expect(ok).toMatchObject({ state: "price", text: `${free.maxBatch} images, ${free.maxBatch * 2} credits` });
  });

  it("lets the form's problem speak first, still showing the count and price", () => {
    const items = Array.from({ length: 3 }, () => fast(512, 384));
    const badge = batchBadgeFor(estimate({ items }, catalog, ctx()), "“Photo 2” is too small", catalog, 3);
    expect(badge).toMatchObject({ state: "empty", text: "3 images, 6 credits", hint: "“Photo 2” is too small", enabled: false });
  });
});
