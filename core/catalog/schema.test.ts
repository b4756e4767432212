import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "./default-catalog.ts";
import { catalogSchema, type Catalog } from "./schema.ts";

/** A deep copy of the default catalog with one change applied (typed as a catalog; the schema judges it). */
function broken(mutate: (c: Catalog) => void): unknown {
  const copy = structuredClone(DEFAULT_CATALOG);
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
    expect(firstIssuePath(broken((c) => (c.create.qualities.premium.route[0]!.model = "nope")))).toBe("create.qualities.premium.route.0");
  });

  it("refuses tiers out of order, a missing tier and unknown fields", () => {
    expect(firstIssuePath(broken((c) => c.tiers.reverse()))).toBe("tiers.0.id");
    expect(firstIssuePath(broken((c) => c.tiers.pop()))).toBe("tiers");
    expect(firstIssuePath(broken((c) => Object.assign(c.models[0]!, { discount: 5 })))).toBe("models.0");
  });

  it("refuses a duplicate social format and a stepped price without an open last step", () => {
    expect(firstIssuePath(broken((c) => c.social.formats.push({ ...c.social.formats[0]! })))).toBe("social.formats.15.id");
    expect(
      firstIssuePath(broken((c) => (c.models[0]!.price = { steps: [{ upToMegapixels: 1, credits: 1 }] }))),
    ).toBe("models.0.price.steps");
  });

  it("holds each model's upstream id, operations and limits as data, and refuses a model that creates without a price", () => {
    const gemini = DEFAULT_CATALOG.models.find((m) => m.model === "gemini-3.1-flash-image")!;
    expect(gemini).toMatchObject({ upstream: "gemini-3.1-flash-image", operations: ["create", "edit.general"], limits: { promptChars: 10_000 } });
    const index = DEFAULT_CATALOG.models.indexOf(gemini);
    expect(firstIssuePath(broken((c) => Reflect.deleteProperty(c.models[index]!, "price")))).toBe(`models.${index}.price`);
    expect(firstIssuePath(broken((c) => c.models.push({ ...c.models[0]! })))).toBe(`models.${DEFAULT_CATALOG.models.length}.model`);
    expect(firstIssuePath(broken((c) => Reflect.deleteProperty(c.models[0]!, "upstream")))).toBe("models.0.upstream");
    // An edit-only model may not be a create route.
    const edit = DEFAULT_CATALOG.models.find((m) => !m.operations.includes("create"))!;
    expect(firstIssuePath(broken((c) => (c.create.qualities.draft.route[0] = { provider: edit.provider, model: edit.model })))).toBe("create.qualities.draft.route.0");
  });

  it("lists today's models only: no Imagen, no gemini-2.5-flash-image, no FLUX.1-dev on hf-inference", () => {
    const upstreams = DEFAULT_CATALOG.models.map((m) => m.upstream);
    expect(upstreams.filter((u) => /imagen|gemini-2\.5|FLUX\.1-dev/i.test(u))).toEqual([]);
    expect(DEFAULT_CATALOG.models.filter((m) => m.provider === "gemini").map((m) => [m.model, m.price, m.freePerPeriod])).toEqual([
      ["gemini-3.1-flash-image", 4, 10],
      ["gemini-3-pro-image", 8, 0],
    ]);
  });

  it("refuses a style preset a model or template names outside stylePresets", () => {
    const ideogram = DEFAULT_CATALOG.models.findIndex((m) => Object.keys(m.styles).length > 0);
    expect(firstIssuePath(broken((c) => (c.models[ideogram]!.styles = { watercolour: "Art" })))).toBe(`models.${ideogram}.styles`);
    expect(firstIssuePath(broken((c) => (c.templates[0]!.stylePreset = "watercolour")))).toBe("templates.0.stylePreset");
  });

  it("refuses a template with an unknown aspect ratio or social format, or a duplicate id", () => {
    expect(firstIssuePath(broken((c) => (c.templates[0]!.aspectRatio = "7:3")))).toBe("templates.0.aspectRatio");
    expect(firstIssuePath(broken((c) => (c.templates[1]!.format = "myspace-banner")))).toBe("templates.1.format");
    expect(firstIssuePath(broken((c) => c.templates.push({ ...c.templates[0]! })))).toBe(`templates.${DEFAULT_CATALOG.templates.length}.id`);
    expect(catalogSchema.safeParse(broken((c) => Reflect.deleteProperty(c, "templates"))).success).toBe(true);
  });

  it("offers the fifteen platform formats of the social optimizer as data", () => {
    expect(DEFAULT_CATALOG.social.formats.map((f) => `${f.id} ${f.width}x${f.height}`)).toEqual([
      "instagram-square 1080x1080",
      "instagram-portrait 1080x1350",
      "instagram-story 1080x1920",
      "facebook-feed 1200x630",
      "facebook-cover 820x312",
      "facebook-story 1080x1920",
      "x-post 1200x675",
      "x-card 1200x600",
      "x-header 1500x500",
      "linkedin-feed 1200x627",
      "linkedin-cover 1128x191",
      "youtube-thumbnail 1280x720",
      "youtube-channel-art 2560x1440",
      "pinterest-pin 1000x1500",
      "tiktok-cover 1080x1920",
    ]);
  });
});
