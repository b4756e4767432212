import { describe, expect, it } from "vitest";
import { assetQuerySchema } from "./assets.ts";
import { ledgerQuerySchema, memberCreateSchema, usageQuerySchema } from "./reports.ts";
import { createSpecSchema, editSpecSchema, planSchema } from "./specs.ts";
import { textProblem } from "./text.ts";

const pathsOf = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  r.success ? [] : r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);

describe("textProblem", () => {
  it.each([
    ["NUL", "a\u0000b", "must not contain the control character U+0000 (at 1)"],
    ["a C0 control", "\u0001", "must not contain the control character U+0001 (at 0)"],
    ["ESC (terminal escapes)", "x\u001b[2J", "must not contain the control character U+001B (at 1)"],
    ["DEL", "\u007f", "must not contain the control character U+007F (at 0)"],
    ["a C1 control (NEL)", "ab\u0085", "must not contain the control character U+0085 (at 2)"],
    ["a lone high surrogate", "a\ud800", "must be valid Unicode text (a lone surrogate U+D800 at 1)"],
    ["a lone low surrogate", "\udc00a", "must be valid Unicode text (a lone surrogate U+DC00 at 0)"],
    ["surrogates in the wrong order", "\udc00\ud800", "must be valid Unicode text (a lone surrogate U+DC00 at 0)"],
  ])("refuses %s anywhere", (_what, text, problem) => {
    expect(textProblem(text, true)).toBe(problem);
    expect(textProblem(text, false)).toBe(problem);
  });

  it("keeps tab and line breaks for multi-line text only", () => {
    for (const text of ["a\tb", "line one\nline two", "windows\r\nline"]) {
      expect(textProblem(text, true)).toBeNull();
      expect(textProblem(text, false)).toMatch(/^must not contain a tab or line break/);
    }
  });

  it("accepts what people write: accents, right-to-left scripts, emoji (surrogate pairs), symbols", () => {
    for (const text of ["Crème brûlée", "مرحبا بالعالم", "a 🐈 on a mat 👩🏽‍🎨", "50% off — “quoted” ½ ©", "日本語のテキスト", ""])
      expect(textProblem(text, false)).toBeNull();
  });
});

describe("core's request schemas refuse control characters, naming the field", () => {
  it("in prompts of every operation, plans included, and keeps their line breaks", () => {
    expect(pathsOf(createSpecSchema.safeParse({ operation: "create", prompt: "a cat\u0000", quality: "draft" }))).toEqual([
      "prompt: must not contain the control character U+0000 (at 5)",
    ]);
    expect(pathsOf(createSpecSchema.safeParse({ operation: "create", prompt: "a cat", negativePrompt: "dog\u0007", quality: "draft" }))).toEqual([
      "negativePrompt: must not contain the control character U+0007 (at 3)",
    ]);
    expect(pathsOf(editSpecSchema.safeParse({ operation: "edit", kind: "search-replace", prompt: "a", searchPrompt: "b\ud800" }))).toEqual([
      "searchPrompt: must be valid Unicode text (a lone surrogate U+D800 at 1)",
    ]);
    expect(pathsOf(planSchema.safeParse({ plan: [{ operation: "create", prompt: "\u0000", quality: "draft" }] }))[0]).toMatch(/^plan\.0\.prompt: must not contain/);
    expect(createSpecSchema.safeParse({ operation: "create", prompt: "line one\nline two\twith a tab", quality: "draft" }).success).toBe(true);
  });

  it("in a member's name: one line, checked before the trim", () => {
    expect(pathsOf(memberCreateSchema.safeParse({ name: "Bo\u0000" }))).toEqual(["name: must not contain the control character U+0000 (at 2)"]);
    expect(pathsOf(memberCreateSchema.safeParse({ name: "Bo\n" }))).toEqual(["name: must not contain a tab or line break (at 2)"]);
    expect(memberCreateSchema.parse({ name: "  Bo  " }).name).toBe("Bo");
  });

  it("in query values", () => {
    expect(pathsOf(assetQuerySchema.safeParse({ q: "sun\u0000set" }))).toEqual(["q: must not contain the control character U+0000 (at 3)"]);
    expect(pathsOf(ledgerQuerySchema.safeParse({ member: "mem\u0001" }))).toEqual(["member: must not contain the control character U+0001 (at 3)"]);
    expect(pathsOf(usageQuerySchema.safeParse({ member: "\u0000" }))).toEqual(["member: must not contain the control character U+0000 (at 0)"]);
    expect(pathsOf(usageQuerySchema.safeParse({ from: "2026-01-01\u0000" }))[0]).toMatch(/^from: /);
  });
});
