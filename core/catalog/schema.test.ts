import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "./default-catalog.ts";
import { catalogSchema } from "./schema.ts";

/** A deep copy of the default catalog with one change applied. */
function broken(mutate: (c: Record<string, any>) => void): unknown {
  const copy = structuredClone(DEFAULT_CATALOG) as unknown as Record<string, any>;
  mutate(copy);
  return copy;
}

function firstIssuePath(value: unknown): string {
  const r = catalogSchema.safeParse(value);
  if (r.success) return "(valid)";
  return r.error.issues[0]!.path.join(".");
}

describe("catalog schema", () => {
  it("names the field of a price that is not a whole number", () => {
    expect(firstIssuePath(broken((c) => (c.create.qualities.draft.credits = 1.5)))).toBe("create.qualities.draft.credits");
    expect(firstIssuePath(broken((c) => (c.edit.inpaint.credits = -1)))).toBe("edit.inpaint.credits");
  });

  it("names a route that points at an unknown model", () => {
    expect(firstIssuePath(broken((c) => (c.create.qualities.premium.route[0].model = "nope")))).toBe("create.qualities.premium.route.0");
  });

  it("refuses tiers out of order, a missing tier and unknown fields", () => {
    expect(firstIssuePath(broken((c) => c.tiers.reverse()))).toBe("tiers.0.id");
    expect(firstIssuePath(broken((c) => c.tiers.pop()))).toBe("tiers");
    expect(firstIssuePath(broken((c) => (c.create.models[0].discount = 5)))).toBe("create.models.0");
  });

  it("refuses a duplicate social format and a stepped price without an open last step", () => {
    expect(firstIssuePath(broken((c) => c.social.formats.push({ ...c.social.formats[0] })))).toBe("social.formats.15.id");
    expect(
      firstIssuePath(broken((c) => (c.create.models[0].price = { steps: [{ upToMegapixels: 1, credits: 1 }] }))),
    ).toBe("create.models.0.price.steps");
  });
});
