import { describe, expect, it } from "vitest";
import { socialSpecSchema } from "../../core/api/specs.ts";
import { estimate } from "../../core/estimate.ts";
import type { Selection } from "../../core/messages.ts";
import { badgeFor } from "../jobs/badge.ts";
import { estimateContext } from "../jobs/estimate-context.ts";
import { catalog, job, me, onlyLocal } from "../testing/fixtures.ts";
import { buildSocialSpec, nudge, placedFormat, platforms, socialFormFromSpec, socialProblem, toggleFormats, withFormats, type SocialForm } from "./social-form.ts";

const photo = { id: "1:2", name: "Photo", width: 1024, height: 768, source: "fill" as const };
const selected = (patch: Partial<typeof photo & { assetId: string }> = {}): Selection => ({ items: [], image: { ...photo, ...patch } });
const form = (patch: Partial<SocialForm> = {}): SocialForm => ({ formats: ["instagram-square", "x-post"], crop: "smart", focal: null, ...patch });
const badge = (f: SocialForm, s: Selection) => badgeFor(estimate(buildSocialSpec(f, s.image, true), catalog, estimateContext(me({ tier: "free", available: 0 }), onlyLocal)), socialProblem(f, s), catalog);

describe("the Social form", () => {
  it("groups the catalog's formats by platform, in the catalog's order", () => {
    const groups = platforms(catalog);
    expect(groups.map(([p]) => p)).toEqual(["Instagram", "Facebook", "X", "LinkedIn", "YouTube", "Pinterest", "TikTok"]);
    expect(groups[0]![1].map((f) => f.id)).toEqual(["instagram-square", "instagram-portrait", "instagram-story"]);
    expect(groups.flatMap(([, fs]) => fs)).toHaveLength(catalog.social.formats.length);
  });

  it("selects a platform's formats all at once, or one by one, keeping the catalog's order", () => {
    const instagram = platforms(catalog)[0]![1].map((f) => f.id);
    const picked = toggleFormats(catalog, ["x-post"], instagram, true);
    expect(picked).toEqual(["instagram-square", "instagram-portrait", "instagram-story", "x-post"]);
    expect(toggleFormats(catalog, picked, instagram, false)).toEqual(["x-post"]);
    expect(toggleFormats(catalog, picked, ["instagram-portrait"], false)).toEqual(["instagram-square", "instagram-story", "x-post"]);
    expect(toggleFormats(catalog, [], ["tiktok-cover", "instagram-square"], true)).toEqual(["instagram-square", "tiktok-cover"]);
  });

  it("builds the spec the server takes: focal point except with fit, the source asset when the node still holds it", () => {
    const spec = buildSocialSpec(form({ focal: { x: 0.25, y: 0.75 } }), selected({ assetId: "ast_abcdefghijk" }).image);
    expect(spec).toEqual({ operation: "social", formats: ["instagram-square", "x-post"], crop: "smart", focalPoint: { x: 0.25, y: 0.75 }, sourceAssetId: "ast_abcdefghijk" });
    expect(socialSpecSchema.safeParse(spec).success).toBe(true);
    expect(buildSocialSpec(form({ crop: "fit", focal: { x: 0.25, y: 0.75 } }))).toEqual({ operation: "social", formats: ["instagram-square", "x-post"], crop: "fit" });
    // An id the proxy would refuse is left out rather than blocking the job; the badge's spec has the size.
    expect(buildSocialSpec(form(), selected({ assetId: "asset-0" }).image, true)).toEqual({
      operation: "social",
      formats: ["instagram-square", "x-post"],
      crop: "smart",
      input: { width: 1024, height: 768 },
    });
  });

  it("is free, even for a team with nothing left, and says so", () => {
    const b = badge(form(), selected());
    expect(b).toMatchObject({ state: "free", credits: 0, text: "Free", enabled: true });
  });

  it("tells no image apart from no format", () => {
    const noImage = badge(form(), { items: [] });
    const noFormat = badge(form({ formats: [] }), selected());
    expect(noImage).toMatchObject({ state: "empty", credits: 0, enabled: false, hint: "Select an image to make social formats" });
    expect(noFormat).toMatchObject({ state: "empty", credits: 0, enabled: false, hint: "Pick at least one format" });
    expect(socialProblem(form(), selected({ width: 32 }))).toMatch(/too small/);
  });

  it("moves the focal point 5% per arrow key, from the middle, within the image", () => {
    expect(nudge(null, "ArrowRight")).toEqual({ x: 0.55, y: 0.5 });
    expect(nudge({ x: 0.2, y: 0.98 }, "ArrowDown")).toEqual({ x: 0.2, y: 1 });
    expect(nudge({ x: 0.02, y: 0.5 }, "ArrowLeft")).toEqual({ x: 0, y: 0.5 });
    expect(nudge({ x: 0.5, y: 0.5 }, "ArrowUp")).toEqual({ x: 0.5, y: 0.45 });
    expect(nudge({ x: 0.5, y: 0.5 }, "Enter")).toBeNull();
  });

  it("names each result's frame after its format, with its safe zone", () => {
    expect(placedFormat(catalog, "instagram-story")).toEqual({ id: "instagram-story", name: "Instagram · Story 1080×1920", safeZone: { top: 250, right: 0, bottom: 340, left: 0 } });
    expect(placedFormat(catalog, "x-post")).toEqual({ id: "x-post", name: "X · Post 1200×675" });
    expect(placedFormat(catalog, "gone", { top: 1, right: 2, bottom: 3, left: 4 })).toEqual({ id: "gone", name: "gone", safeZone: { top: 1, right: 2, bottom: 3, left: 4 } });
  });

  it("gives each placed image the format its asset was made for", () => {
    const bytes = new Uint8Array([1]);
    const done = job({
      operation: "social",
      assets: [
        { id: "a1", width: 1080, height: 1920, contentType: "image/jpeg", bytes: 1, cost: 0, url: "/a1", format: "instagram-story" },
        { id: "a2", width: 1200, height: 675, contentType: "image/jpeg", bytes: 1, cost: 0, url: "/a2", format: "x-post" },
      ],
    });
    const input = {
      name: "Photo",
      images: [
        { bytes: async () => bytes, width: 1200, height: 675, assetId: "a2" },
        { bytes: async () => bytes, width: 1080, height: 1920, assetId: "a1" },
      ],
      provenance: { jobId: "job-1", operation: "social" },
    };
    expect(withFormats(input, done, catalog).images.map((i) => i.format?.name)).toEqual(["X · Post 1200×675", "Instagram · Story 1080×1920"]);
  });
});

describe("Regenerate on a social result", () => {
  it("reopens the form with the formats (in the catalog's order), crop and focal point that made it", () => {
    const spec = { operation: "social", formats: ["x-post", "instagram-story", "gone-format"], crop: "center", focalPoint: { x: 0.25, y: 0.75 } };
    expect(socialFormFromSpec(catalog, JSON.stringify(spec))).toEqual({ formats: ["instagram-story", "x-post"], crop: "center", focal: { x: 0.25, y: 0.75 } });
  });

  it("ignores a spec that is not a social one", () => {
    expect(socialFormFromSpec(catalog, JSON.stringify({ operation: "upscale", mode: "fast" }))).toBeNull();
    expect(socialFormFromSpec(catalog, "{not json")).toBeNull();
    expect(socialFormFromSpec(catalog, undefined)).toBeNull();
  });
});
