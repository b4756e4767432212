import { describe, expect, it } from "vitest";
import { jobSpecSchema } from "../../core/api/specs.ts";
import { requestHash } from "./request-hash.ts";

const spec = (input: Record<string, unknown>) => jobSpecSchema.parse({ operation: "create", prompt: "p", quality: "draft", ...input });

describe("requestHash", () => {
  it("is the same for the same request, whatever the key order or spelled-out defaults", () => {
    const a = spec({ variations: 1, provider: "auto" });
    const b = jobSpecSchema.parse({ quality: "draft", prompt: "p", operation: "create" });
    expect(requestHash(a)).toBe(requestHash(b));
  });

  it("differs when anything that is charged or produced differs", () => {
    const base = requestHash(spec({}));
    expect(requestHash(spec({ prompt: "q" }))).not.toBe(base);
    expect(requestHash(spec({ variations: 2 }))).not.toBe(base);
    expect(requestHash(spec({}), { image: "a".repeat(64) })).not.toBe(base);
  });
});
