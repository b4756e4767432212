import { describe, expect, it } from "vitest";
import type { EditSpec } from "../../core/api/specs.ts";
import { job, spec } from "../testing/fixtures.ts";
import { chargedText, mayReuse, parseSeed, seedOf, seedProblem, SEED_MAX } from "./reuse-check.ts";

describe("seeds and reuse", () => {
  it("reads a seed as typed: empty is random, anything but a whole number in range is refused", () => {
    expect(["", "  "].map(parseSeed)).toEqual([undefined, undefined]);
    expect(["0", " 42 ", String(SEED_MAX)].map(parseSeed)).toEqual([0, 42, SEED_MAX]);
    expect(["-1", "1.5", "x", String(SEED_MAX + 1)].map(parseSeed)).toEqual([null, null, null, null]);
    expect(seedOf("12")).toEqual({ seed: 12 });
    expect(seedOf("")).toEqual({});
    expect(seedOf("bad")).toEqual({});
    expect(seedProblem("")).toBeNull();
    expect(seedProblem("bad")).toMatch(/whole number from 0 to 4294967294/);
  });

  it("asks the server only about seeded specs it could match (an edit needs its image's library asset)", () => {
    expect(mayReuse(null)).toBe(false);
    expect(mayReuse(spec)).toBe(false);
    expect(mayReuse({ ...spec, seed: 1 })).toBe(true);
    const edit: EditSpec = { operation: "edit", kind: "remove-background", provider: "auto", seed: 1 };
    expect(mayReuse(edit)).toBe(false);
    expect(mayReuse({ ...edit, sourceAssetId: "ast_abcdefghij234567" })).toBe(true);
    expect(mayReuse({ operation: "social", formats: ["instagram-square"], crop: "smart" })).toBe(false);
  });

  it("words what a finished job cost, reused or charged", () => {
    expect(chargedText(job({ status: "succeeded", charged: 8 }))).toBe("8 credits charged");
    expect(chargedText(job({ status: "succeeded", charged: 0, reusedFrom: "job-0" }))).toBe("reused for 0 credits");
  });
});
