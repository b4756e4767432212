// estimate()'s managers' controls (docs/api.md "Roles", "Projects"): a role's forbidden operation, quality
// or model, and a project's budget, as reasons with the codes and messages the badge and the hold share.
import { describe, expect, it } from "vitest";
import { createSpecSchema, editSpecSchema } from "./api/specs.ts";
import { DEFAULT_CATALOG } from "./catalog/default-catalog.ts";
import { estimate } from "./estimate.ts";

const create = (input: Record<string, unknown>) => createSpecSchema.parse({ operation: "create", prompt: "p", quality: "draft", ...input });
const ctx = { tier: "pro" as const, available: 1000, configuredProviders: ["local", "stability"] };

describe("estimate() with a role's rules", () => {
  it("refuses a quality, a model or an operation the role may not use, first among the reasons", () => {
    const member = { role: "member" as const, rules: { qualities: ["draft" as const], models: ["local/procedural"], operations: ["create" as const] } };
    const premium = estimate(create({ quality: "premium", variations: 2 }), DEFAULT_CATALOG, { ...ctx, available: 1, role: member });
    expect(premium.allowed).toBe(false);
    expect(premium.reasons[0]).toEqual({ code: "role_not_allowed", message: "Members of this team may not use premium quality", details: { role: "member", quality: "premium" } });
    expect(premium.reasons.map((r) => r.code)).toContain("insufficient_credits");
    const model = estimate(create({ provider: "stability", model: "ultra", quality: "premium" }), DEFAULT_CATALOG, { ...ctx, role: { role: "manager", rules: { models: ["local/procedural"] } } });
    expect(model.reasons).toEqual([{ code: "role_not_allowed", message: "Managers of this team may not use the model stability/ultra", details: { role: "manager", model: "stability/ultra" } }]);
    const edit = editSpecSchema.parse({ operation: "edit", kind: "remove-background", input: { width: 512, height: 512 } });
    expect(estimate(edit, DEFAULT_CATALOG, { ...ctx, role: member }).reasons[0]).toMatchObject({ code: "role_not_allowed", details: { operation: "edit.remove-background" } });
    // Allowed: the same price as without rules.
    const draft = estimate(create({}), DEFAULT_CATALOG, { ...ctx, role: member });
    expect(draft).toEqual(estimate(create({}), DEFAULT_CATALOG, ctx));
    expect(draft.allowed).toBe(true);
  });
});

describe("estimate() with a project's budget", () => {
  it("refuses a job over what the budget has left, and says so with the project's name", () => {
    const project = { id: "prj_aaaaaaaaaaaaaaaaaaaaaaaaaa", name: "Spring", remaining: 5 };
    expect(estimate(create({ variations: 2 }), DEFAULT_CATALOG, { ...ctx, project }).allowed).toBe(true); // 4 ≤ 5
    const over = estimate(create({ variations: 3 }), DEFAULT_CATALOG, { ...ctx, project });
    expect(over.reasons).toEqual([
      { code: "project_budget_reached", message: "Project Spring has 5 credits left of its budget; this needs 6", details: { projectId: project.id, needed: 6, remaining: 5 } },
    ]);
    expect(estimate(create({ variations: 10 }), DEFAULT_CATALOG, { ...ctx, project: { ...project, remaining: null } }).allowed).toBe(true);
  });
});
