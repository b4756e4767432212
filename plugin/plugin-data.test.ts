import { describe, expect, it } from "vitest";
import { PLUGIN_DATA_VALUE_BUDGET, provenanceData, restoredSpec, trimToBytes, utf8Length } from "./plugin-data.ts";

const bytesOf = (s: string) => new TextEncoder().encode(s).length;

describe("provenance within Figma's 100 kB plugin-data limit", () => {
  it("counts UTF-8 bytes as TextEncoder does, without it (the sandbox has none)", () => {
    for (const text of ["", "fox", "café", "狐狸在雪地里", "🦊 in snow", "a\u{1F98A}b\uD800", "x".repeat(1000)]) expect(utf8Length(text), text).toBe(bytesOf(text));
  });

  it("trims at a character boundary, never splitting a surrogate pair", () => {
    expect(trimToBytes("🦊🦊", 5)).toBe("🦊");
    expect(trimToBytes("狐狸", 5)).toBe("狐");
    expect(trimToBytes("fox", 10)).toBe("fox");
  });

  it("keeps a short spec whole", () => {
    const spec = JSON.stringify({ operation: "create", prompt: "fox", quality: "draft" });
    expect(provenanceData({ jobId: "j", operation: "create", prompt: "fox", spec }, "a")).toEqual({
      values: { jobId: "j", assetId: "a", prompt: "fox", operation: "create", spec },
      specWithoutPrompt: false,
    });
  });

  it("stores a long non-Latin prompt once: the spec goes without it, and Regenerate gets it back", () => {
    const prompt = "雪の中の赤い狐、".repeat(1250); // 10,000 characters, 30,000 bytes
    const spec = JSON.stringify({ operation: "create", prompt, negativePrompt: "ぼやけた".repeat(7_000), quality: "premium" });
    expect(bytesOf(spec)).toBeGreaterThan(100_000);
    const { values, specWithoutPrompt } = provenanceData({ jobId: "j", operation: "create", prompt, spec }, "a");
    expect(specWithoutPrompt).toBe(true);
    for (const value of Object.values(values)) expect(bytesOf(value)).toBeLessThanOrEqual(PLUGIN_DATA_VALUE_BUDGET);
    expect(JSON.parse(restoredSpec(values.spec, values.prompt, specWithoutPrompt))).toEqual(JSON.parse(spec));
  });

  it("drops a spec that is too big even without its prompt, rather than throw mid-placement", () => {
    const spec = JSON.stringify({ operation: "create", prompt: "fox", negativePrompt: "狐".repeat(40_000) });
    const { values, specWithoutPrompt } = provenanceData({ jobId: "j", operation: "create", prompt: "fox", spec }, "a");
    expect(values.spec).toBe("");
    expect(specWithoutPrompt).toBe(false);
    expect(values.prompt).toBe("fox");
  });
});
