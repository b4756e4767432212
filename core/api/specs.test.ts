import { describe, expect, it } from "vitest";
import { issuesToFields } from "./errors.ts";
import { jobSpecSchema, PROMPT_MAX } from "./specs.ts";

function fieldsOf(body: unknown): Record<string, string> {
  const r = jobSpecSchema.safeParse(body);
  return r.success ? {} : issuesToFields(r.error.issues);
}

describe("job specs", () => {
  const create = { operation: "create", prompt: "a red fox", quality: "standard" };

  it("fills defaults a client may omit", () => {
    expect(jobSpecSchema.parse(create)).toMatchObject({ provider: "auto", variations: 1 });
  });

  it.each([
    ["an empty prompt", { prompt: "" }, "prompt"],
    ["a blank prompt", { prompt: "   \n" }, "prompt"],
    ["a prompt over 10,000 characters", { prompt: "x".repeat(PROMPT_MAX + 1) }, "prompt"],
    ["0 variations", { variations: 0 }, "variations"],
    ["11 variations", { variations: 11 }, "variations"],
    ["fractional variations", { variations: 1.5 }, "variations"],
    ["a prompt of the wrong type", { prompt: 42 }, "prompt"],
    ["an unknown quality", { quality: "ultra" }, "quality"],
    ["an unknown field", { colour: "red" }, "(body)"],
    ["a seed out of range", { seed: -1 }, "seed"],
  ])("refuses %s and names the field", (_, patch, field) => {
    expect(Object.keys(fieldsOf({ ...create, ...patch }))).toEqual([field]);
  });

  it("accepts a prompt of exactly 10,000 characters", () => {
    expect(fieldsOf({ ...create, prompt: "x".repeat(PROMPT_MAX) })).toEqual({});
  });

  it("requires each edit kind's prompts", () => {
    const edit = { operation: "edit" };
    expect(Object.keys(fieldsOf({ ...edit, kind: "inpaint" }))).toEqual(["prompt"]);
    expect(Object.keys(fieldsOf({ ...edit, kind: "search-replace", prompt: "cat" }))).toEqual(["searchPrompt"]);
    expect(Object.keys(fieldsOf({ ...edit, kind: "search-recolor", prompt: "red" }))).toEqual(["selectPrompt"]);
    expect(fieldsOf({ ...edit, kind: "remove-background" })).toEqual({});
  });

  it("refuses an outpaint that expands no side", () => {
    expect(Object.keys(fieldsOf({ operation: "edit", kind: "outpaint", expand: { left: 0, right: 0, up: 0, down: 0 } }))).toEqual(["expand"]);
    expect(Object.keys(fieldsOf({ operation: "edit", kind: "outpaint" }))).toEqual(["expand"]);
    expect(fieldsOf({ operation: "edit", kind: "outpaint", expand: { up: 64 } })).toEqual({});
  });

  it("refuses an unknown operation", () => {
    expect(jobSpecSchema.safeParse({ operation: "teleport" }).success).toBe(false);
  });
});
