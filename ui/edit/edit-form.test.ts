import { describe, expect, it } from "vitest";
import { editSpecSchema } from "../../core/api/specs.ts";
import { EDIT_KINDS } from "../../core/catalog/schema.ts";
import { estimate } from "../../core/estimate.ts";
import type { Selection } from "../../core/messages.ts";
import { badgeFor } from "../jobs/badge.ts";
import { estimateContext } from "../jobs/estimate-context.ts";
import { inputOf } from "../jobs/image-form.ts";
import { catalog, me } from "../testing/fixtures.ts";
import { buildEditSpec, EDIT_KINDS_INFO, editFormFromSpec, editProblem, initialEditForm, needsMask, outpaintSize, parseSide, type EditForm } from "./edit-form.ts";

const photo = { id: "1:2", name: "Photo", width: 1024, height: 768, source: "fill" as const };
const selected = (image: Selection["image"] = photo): Selection => ({ items: [], ...(image ? { image } : {}) });
const withMask: Selection = selected({ ...photo, maskShape: { id: "1:3", name: "Oval" } });
const form = (patch: Partial<EditForm>): EditForm => ({ ...initialEditForm(), ...patch });

describe("the Edit form", () => {
  it("offers all eight kinds of docs/api.md, each with a label", () => {
    expect(Object.keys(EDIT_KINDS_INFO).sort()).toEqual([...EDIT_KINDS].sort());
    expect(EDIT_KINDS.filter(needsMask)).toEqual(["inpaint", "erase"]);
  });

  it("builds the spec with only the fields the kind uses, trimmed", () => {
    const all = form({ prompt: " a cat ", negativePrompt: " dogs ", searchPrompt: " the dog ", selectPrompt: "jacket", lightDirection: "left" });
    expect(buildEditSpec({ ...all, kind: "remove-background" })).toEqual({ operation: "edit", kind: "remove-background", provider: "auto" });
    expect(buildEditSpec({ ...all, kind: "search-replace" })).toEqual({ operation: "edit", kind: "search-replace", provider: "auto", prompt: "a cat", negativePrompt: "dogs", searchPrompt: "the dog" });
    expect(buildEditSpec({ ...all, kind: "search-recolor" })).toMatchObject({ selectPrompt: "jacket", prompt: "a cat" });
    expect(buildEditSpec({ ...all, kind: "replace-background-relight" })).toEqual({ operation: "edit", kind: "replace-background-relight", provider: "auto", prompt: "a cat", lightDirection: "left" });
    expect(buildEditSpec({ ...all, kind: "general", provider: "gemini" })).toEqual({ operation: "edit", kind: "general", provider: "gemini", prompt: "a cat" });
    expect(buildEditSpec({ ...all, kind: "erase" })).toEqual({ operation: "edit", kind: "erase", provider: "auto" });
  });

  it("builds outpaint's per-side expansion and the input size the badge prices", () => {
    const outpaint = form({ kind: "outpaint", expand: { left: "100", right: "0", up: " 50 ", down: "x" } });
    expect(buildEditSpec(outpaint, { width: 1024, height: 768 })).toEqual({
      operation: "edit",
      kind: "outpaint",
      provider: "auto",
      expand: { left: 100, right: 0, up: 50, down: 0 },
      input: { width: 1024, height: 768 },
    });
    expect(outpaintSize(outpaint, { width: 1024, height: 768 })).toEqual({ width: 1124, height: 818 });
    expect(["0", "2000", " 7 "].map(parseSide)).toEqual([0, 2000, 7]);
    expect(["2001", "-1", "1.5", ""].map(parseSide)).toEqual([null, null, null, null]);
  });

  it("sends only specs the proxy's schema accepts", () => {
    for (const kind of EDIT_KINDS) {
      const f = form({ kind, prompt: "p", searchPrompt: "s", selectPrompt: "s", expand: { left: "10", right: "0", up: "0", down: "0" } });
      expect(editProblem(f, withMask)).toBeNull();
      expect(editSpecSchema.safeParse(buildEditSpec(f)).success).toBe(true);
    }
  });

  it("says what keeps it from being sent, the selection first", () => {
    expect(editProblem(form({}), { items: [] })).toBe("Select an image to edit");
    expect(editProblem(form({}), { items: [], problem: "Select one image (and, for a mask, one shape drawn over it)" })).toMatch(/^Select one image/);
    expect(editProblem(form({}), selected({ ...photo, width: 32 }))).toMatch(/too small.*64 px/);
    expect(editProblem(form({}), selected())).toBeNull();
    expect(editProblem(form({ kind: "erase" }), selected())).toMatch(/Draw a shape over the area/);
    expect(editProblem(form({ kind: "erase" }), withMask)).toBeNull();
    expect(editProblem(form({ kind: "inpaint" }), withMask)).toBe("Fill in “What to paint in the masked area”");
    expect(editProblem(form({ kind: "search-replace", prompt: "a cat" }), selected())).toBe("Say what to replace");
    expect(editProblem(form({ kind: "search-recolor", prompt: "red" }), selected())).toBe("Say what to recolor");
    expect(editProblem(form({ kind: "general" }), selected())).toBe("Fill in “Instruction”");
    expect(editProblem(form({ kind: "outpaint" }), selected())).toBe("Expand at least one side");
    expect(editProblem(form({ kind: "outpaint", expand: { left: "3000", right: "0", up: "0", down: "0" } }), selected())).toMatch(/0 to 2000/);
    expect(editProblem(form({ kind: "replace-background-relight" }), selected())).toMatch(/background reference/);
    expect(editProblem(form({ kind: "replace-background-relight", backgroundReference: { id: "9:9", name: "Beach" } }), selected())).toBeNull();
    expect(editProblem(form({ kind: "general", prompt: "x".repeat(10_001) }), selected())).toMatch(/prompt .*10000/);
  });

  it("prices the badge at the selected image's pixel size, with the large-image surcharge", () => {
    const ctx = { ...estimateContext(me(), [{ id: "stability", name: "Stability AI", configured: true }]) };
    const price = (image: typeof photo) => estimate(buildEditSpec(form({ kind: "erase" }), inputOf(image)), catalog, ctx);
    expect(price(photo).total).toBe(catalog.edit.erase.credits);
    // 2048 x 1536 is 3 MP: over the catalog's 2 MP threshold.
    expect(price({ ...photo, width: 2048, height: 1536 }).total).toBe(catalog.edit.erase.credits + 1);
    const badge = badgeFor(price(photo), editProblem(form({ kind: "erase" }), withMask), catalog);
    expect(badge).toMatchObject({ state: "price", credits: catalog.edit.erase.credits, enabled: true });
  });

  it("shows every badge state: nothing selected, unavailable, tier, short", () => {
    const badge = (f: EditForm, selection: Selection, ctx: Parameters<typeof estimateContext>) =>
      badgeFor(estimate(buildEditSpec(f, inputOf(selection.image)), catalog, estimateContext(...ctx)), editProblem(f, selection), catalog);
    const stability = [{ id: "stability", name: "Stability AI", configured: true }];
    expect(badge(form({}), { items: [] }, [me(), stability])).toMatchObject({ state: "empty", credits: 3, hint: "Select an image to edit", enabled: false });
    expect(badge(form({}), selected(), [me(), []])).toMatchObject({ state: "unavailable", enabled: false });
    expect(badge(form({ kind: "erase" }), withMask, [me({ tier: "free" }), stability])).toMatchObject({ state: "tier", text: "Basic tier" });
    expect(badge(form({}), selected(), [me({ available: 1 }), stability])).toMatchObject({ state: "insufficient", text: "3 credits · 2 short" });
  });

  it("sends the seed and the image's library asset, and refuses a bad seed", () => {
    const source = { sourceAssetId: "ast_abcdefghij234567" };
    expect(buildEditSpec(form({ seed: " 42 " }), { width: 512, height: 384 }, source)).toEqual({
      operation: "edit",
      kind: "remove-background",
      provider: "auto",
      seed: 42,
      sourceAssetId: "ast_abcdefghij234567",
      input: { width: 512, height: 384 },
    });
    expect(buildEditSpec(form({ seed: "" }))).not.toHaveProperty("seed");
    expect(editProblem(form({ seed: "-1" }), selected())).toMatch(/seed must be a whole number/);
    expect(editSpecSchema.safeParse(buildEditSpec(form({ seed: "7" }), undefined, source)).success).toBe(true);
  });

  it("reopens a Regenerate relaunch with the settings that made the result", () => {
    const spec = {
      operation: "edit",
      kind: "outpaint",
      prompt: "more wall",
      negativePrompt: "text",
      expand: { left: 64, right: 32 },
      provider: "stability",
      seed: 9,
      sourceAssetId: "ast_abcdefghij234567",
    };
    expect(editFormFromSpec(catalog, JSON.stringify(spec))).toEqual({
      ...initialEditForm(),
      kind: "outpaint",
      prompt: "more wall",
      negativePrompt: "text",
      expand: { left: "64", right: "32", up: "0", down: "0" },
      provider: "stability",
      seed: "9",
    });
    const relight = { operation: "edit", kind: "replace-background-relight", prompt: "a beach", lightDirection: "left", provider: "retired" };
    expect(editFormFromSpec(catalog, JSON.stringify(relight))).toMatchObject({ kind: "replace-background-relight", prompt: "a beach", lightDirection: "left", provider: "auto", seed: "" });
    const recolor = { operation: "edit", kind: "search-recolor", selectPrompt: "the jacket", prompt: "red" };
    expect(editFormFromSpec(catalog, JSON.stringify(recolor))).toMatchObject({ selectPrompt: "the jacket", prompt: "red" });
    // What does not parse is ignored: another operation, a spec the schema refuses, not JSON at all.
    expect(editFormFromSpec(catalog, JSON.stringify({ operation: "upscale", mode: "fast" }))).toBeNull();
    expect(editFormFromSpec(catalog, JSON.stringify({ operation: "edit", kind: "general" }))).toBeNull();
    expect(editFormFromSpec(catalog, "{")).toBeNull();
    expect(editFormFromSpec(catalog, undefined)).toBeNull();
  });
});
