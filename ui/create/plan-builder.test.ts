import { describe, expect, it } from "vitest";
import { planSchema, type CreateSpec } from "../../core/api/specs.ts";
import { estimate } from "../../core/estimate.ts";
import { badgeFor } from "../jobs/badge.ts";
import { catalog } from "../testing/fixtures.ts";
import { buildPlan, initialPlanForm, parseCount, type PlanForm } from "./plan-builder.ts";

const create = (quality: CreateSpec["quality"], extra: Partial<CreateSpec> = {}): CreateSpec => ({
  operation: "create",
  prompt: "a fox",
  quality,
  provider: "auto",
  aspectRatio: "1:1",
  variations: 1,
  ...extra,
});
const plan = (patch: Partial<PlanForm>): PlanForm => ({ ...initialPlanForm(), ...patch });
const on = (count: number) => ({ on: true, count: String(count) });
const total = (c: CreateSpec, p: PlanForm) => estimate(buildPlan(c, p, catalog), catalog).total;

describe("the plan builder", () => {
  it("prices the cost guide's four worked examples exactly", () => {
    // 5 creates at standard, 3 remove-background, social optimizer for 3 platforms.
    expect(total(create("standard"), plan({ count: "5", removeBackground: on(3), social: on(3) }))).toBe(29);
    // 1 create at premium, 1 conservative upscale, social optimizer.
    expect(total(create("premium"), plan({ upscale: { ...on(1), mode: "conservative" }, social: on(1) }))).toBe(12);
    // 1 create at premium, 1 remove-background, 3 search-recolor.
    expect(total(create("premium"), plan({ removeBackground: on(1), edit: { ...on(3), kind: "search-recolor" } }))).toBe(21);
    // 20 creates at draft, 10 general edits, 5 fast upscales.
    expect(total(create("draft"), plan({ count: "20", edit: { ...on(10), kind: "general" }, upscale: { ...on(5), mode: "fast" } }))).toBe(90);
  });

  it("is the form alone until steps are ticked, one line per step in order", () => {
    const p = buildPlan(create("standard", { variations: 2 }), initialPlanForm(), catalog);
    expect(p.plan).toHaveLength(1);
    expect(p.plan[0]).toMatchObject({ operation: "create", variations: 2, count: 1 });
    const est = estimate(buildPlan(create("standard"), plan({ count: "2", removeBackground: on(3), social: on(4) }), catalog), catalog);
    expect(est.lines.map((l) => [l.step, l.quantity, l.credits])).toEqual([
      [0, 2, 8],
      [1, 3, 9],
      [2, 4, 0],
    ]);
  });

  it("prices edits and upscales at the create's output size, with the large-image surcharge", () => {
    // 2048 x 1536 is 3 MP: over the 2 MP threshold, for the create and for each edit or upscale of its image.
    const big = create("standard", { aspectRatio: { width: 2048, height: 1536 } });
    const p = buildPlan(big, plan({ removeBackground: on(1), upscale: { ...on(1), mode: "fast" } }), catalog);
    expect(p.plan[1]).toMatchObject({ operation: "edit", kind: "remove-background", input: { width: 2048, height: 1536 } });
    expect(estimate(p, catalog).total).toBe(4 + 1 + (3 + 1) + (2 + 1));
  });

  it("drops `fresh` from the create step and builds a plan the schema accepts", () => {
    const p = buildPlan(create("standard", { fresh: true, seed: 3 }), plan({ removeBackground: on(2), upscale: { ...on(1), mode: "conservative" }, social: on(3) }), catalog);
    expect(p.plan[0]).not.toHaveProperty("fresh");
    expect(planSchema.safeParse(p).success).toBe(true);
  });

  it("counts 1 to 1000 as typed, anything else as 1", () => {
    expect(["1", " 20 ", "1000"].map(parseCount)).toEqual([1, 20, 1000]);
    expect(["0", "", "1001", "2.5", "x"].map(parseCount)).toEqual([1, 1, 1, 1, 1]);
  });

  it("shows the badge's refusals for the whole plan: short of credits, a tier that does not allow a step", () => {
    const p = buildPlan(create("standard"), plan({ count: "5", removeBackground: on(3), social: on(3) }), catalog);
    const short = badgeFor(estimate(p, catalog, { tier: "pro", available: 20 }), null, catalog);
    expect(short).toMatchObject({ state: "insufficient", credits: 29, text: "29 credits · 9 short" });
    const recolor = buildPlan(create("standard"), plan({ edit: { ...on(1), kind: "search-recolor" } }), catalog);
    expect(badgeFor(estimate(recolor, catalog, { tier: "free", available: 50 }), null, catalog)).toMatchObject({ state: "tier", text: "Basic tier" });
  });
});
