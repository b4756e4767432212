import { describe, expect, it } from "vitest";
import { me, onlyLocal } from "../testing/fixtures.ts";
import { estimateContext } from "./estimate-context.ts";

describe("the estimate context", () => {
  it("turns /v1/me and /v1/catalog into the estimate context, taking the cap left from the server", () => {
    // 30 cap, 12 spent, 6 held by a running job: the server says 12 left, not 18.
    expect(estimateContext(me({ tier: "basic", available: 40, cap: 30, spent: 12, capRemaining: 12 }), onlyLocal)).toEqual({
      tier: "basic",
      available: 40,
      memberCapRemaining: 12,
      freeUsed: {},
      configuredProviders: ["local"],
      unavailableModels: {},
    });
    expect(estimateContext(me({ available: null }), []).memberCapRemaining).toBeNull();
  });
});
