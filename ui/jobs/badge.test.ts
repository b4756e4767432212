import { describe, expect, it } from "vitest";
import type { CreateSpec } from "../../core/api/specs.ts";
import { estimate, type EstimateContext } from "../../core/estimate.ts";
import { catalog } from "../testing/fixtures.ts";
import { badgeFor } from "./badge.ts";

const base: CreateSpec = { operation: "create", prompt: "a fox", quality: "standard", provider: "auto", aspectRatio: "1:1", variations: 1 };
const everyone: EstimateContext = { tier: "pro", available: 100, configuredProviders: ["local", "huggingface", "stability"] };

const badge = (spec: Partial<CreateSpec>, ctx: Partial<EstimateContext> = {}, problem: string | null = null) =>
  badgeFor(estimate({ ...base, ...spec }, catalog, { ...everyone, ...ctx }), problem, catalog);

describe("badgeFor", () => {
  it("prices an allowed spec", () => {
    expect(badge({})).toEqual({ state: "price", credits: 4, text: "4 credits", hint: null, enabled: true });
    expect(badge({ variations: 3 })).toMatchObject({ state: "price", credits: 12, text: "12 credits" });
    expect(badge({ provider: "local" })).toMatchObject({ state: "price", credits: 1, text: "1 credit" });
  });

  it("says Free when a free allowance covers it", () => {
    expect(badge({ provider: "huggingface", model: "flux-schnell", quality: "draft" })).toMatchObject({ state: "free", credits: 0, text: "Free", enabled: true });
  });

  it("shows the shortfall when the balance is too low", () => {
    const b = badge({ variations: 2 }, { tier: "free", available: 5 });
    expect(b).toMatchObject({ state: "insufficient", credits: 8, text: "8 credits · 3 short", enabled: false });
    expect(b.hint).toMatch(/5 available/);
  });

  it("treats a member cap like a balance", () => {
    expect(badge({ variations: 2 }, { memberCapRemaining: 6 })).toMatchObject({ state: "insufficient", credits: 8, text: "8 credits · 2 short", enabled: false });
  });

  it("names the tier that allows the choice", () => {
    const b = badge({ quality: "premium" }, { tier: "free" });
    expect(b).toMatchObject({ state: "tier", credits: 6, text: "Pro tier", enabled: false });
    expect(b.hint).toMatch(/Pro/);
    expect(badge({ variations: 3 }, { tier: "free" })).toMatchObject({ state: "tier", text: "Basic tier" });
  });

  it("refuses an unconfigured provider", () => {
    const b = badge({ provider: "gemini" });
    expect(b).toMatchObject({ state: "unavailable", enabled: false });
    expect(b.hint).toMatch(/not configured/);
  });

  it("shows the price but stays disabled while the form is incomplete", () => {
    expect(badge({ prompt: "" }, {}, "Describe the image you want")).toEqual({
      state: "empty",
      credits: 4,
      text: "4 credits",
      hint: "Describe the image you want",
      enabled: false,
    });
  });

  it("says Reuse · 0 when the server found an identical earlier job, and the price again for a fresh one", () => {
    const reuse = { jobId: "job_1", images: 2 };
    const b = badge({ seed: 7, variations: 2 }, { reuse });
    expect(b).toEqual({ state: "reuse", credits: 0, text: "Reuse · 0", hint: null, enabled: true });
    // Even with no credits left: reusing costs nothing.
    expect(badge({ seed: 7 }, { reuse, available: 0 })).toMatchObject({ state: "reuse", enabled: true });
    expect(badge({ seed: 7, variations: 2, fresh: true }, { reuse })).toMatchObject({ state: "price", credits: 8, text: "8 credits" });
    // The form's problem and the tier still come first.
    expect(badge({ seed: 7, prompt: "" }, { reuse }, "Describe the image you want").state).toBe("empty");
    expect(badge({ seed: 7, quality: "premium" }, { reuse, tier: "free" }).state).toBe("tier");
  });

  it("puts fixing the choice before paying for it", () => {
    expect(badge({ quality: "premium", variations: 2 }, { tier: "free", available: 1 }).state).toBe("tier");
  });
});
