import { describe, expect, it } from "vitest";
import { assetSchema, type Asset } from "../../core/api/assets.ts";
import { uiToPluginSchema } from "../../core/messages.ts";
import { assetsPath } from "../connection/api-client.ts";
import { catalog, me } from "../testing/fixtures.ts";
import { assetQuery, canDelete, madeWith, NO_FILTERS, operationLabel, operations, placeInput } from "./library-data.ts";

const asset = (patch: Partial<Asset> = {}): Asset =>
  assetSchema.parse({
    id: "ast_abcdefghij",
    type: "create",
    operation: "create",
    provider: "local",
    model: "procedural",
    prompt: "a red fox in the snow",
    params: { quality: "draft", seed: 7 },
    width: 1024,
    height: 768,
    contentType: "image/png",
    bytes: 1234,
    cost: 2,
    jobId: "job_1",
    memberId: "u2",
    parentAssetId: null,
    format: null,
    url: "/v1/assets/ast_abcdefghij/content",
    createdAt: "2026-11-21T10:00:00.000Z",
    ...patch,
  });

describe("the Library's query", () => {
  it("sends only the filters that are set, the search trimmed, and `to` as the end of that day", () => {
    expect(assetsPath(assetQuery(NO_FILTERS))).toBe("/v1/assets");
    const query = assetQuery({ type: "edit", operation: "edit.inpaint", provider: "local", q: "  fox ", from: "2026-11-01", to: "2026-11-30" }, "c1");
    expect(assetsPath(query)).toBe("/v1/assets?type=edit&operation=edit.inpaint&provider=local&q=fox&from=2026-11-01&to=2026-12-01&cursor=c1");
    expect(assetQuery({ ...NO_FILTERS, to: "2026-12-31" }).to).toBe("2027-01-01");
  });

  it("offers the catalog's operations, those of the chosen type only", () => {
    const all = operations(catalog, "");
    expect(all[0]).toBe("create");
    expect(all).toContain("edit.remove-background");
    expect(all).toContain("upscale.creative");
    expect(all.at(-1)).toBe("social");
    expect(operations(catalog, "upscale")).toEqual(["upscale.fast", "upscale.conservative", "upscale.creative"]);
    expect(operations(catalog, "social")).toEqual(["social"]);
  });

  it("names operations as the studios do", () => {
    expect(operationLabel("create")).toBe("Create");
    expect(operationLabel("edit.remove-background")).toBe("Edit · Remove background");
    expect(operationLabel("upscale.fast")).toBe("Upscale · Fast");
    expect(operationLabel("edit.something-new")).toBe("Edit · something-new");
  });
});

describe("a Library row", () => {
  it("says what made it and how big it is", () => {
    expect(madeWith(asset(), catalog)).toBe("Local (offline) · procedural · 1024×768");
    expect(madeWith(asset({ provider: null, model: null, type: "social", operation: "social" }), catalog)).toBe("1024×768");
  });

  it("lets managers delete anything, members their own", () => {
    expect(canDelete(asset(), me())).toBe(true);
    const member = { ...me(), role: "member" as const };
    expect(canDelete(asset(), member)).toBe(false);
    expect(canDelete(asset({ memberId: member.user.id }), member)).toBe(true);
  });

  it("places the asset again with its provenance, as valid placement messages with no job", async () => {
    const bytes = new Uint8Array([137, 80, 78, 71]);
    const input = placeInput(asset(), async () => bytes, catalog);
    const { bytes: load, ...image } = input.images[0]!;
    expect({ ...input, images: [image] }).toEqual({
      name: "a red fox in the snow",
      images: [{ width: 1024, height: 768, assetId: "ast_abcdefghij" }],
      provenance: { jobId: "job_1", operation: "create", prompt: "a red fox in the snow", spec: JSON.stringify({ quality: "draft", seed: 7, operation: "create", prompt: "a red fox in the snow" }) },
    });
    expect(uiToPluginSchema.safeParse({ type: "place-image", requestId: "r", index: 0, total: 1, image: { ...image, bytes: await load() } }).success).toBe(true);
    expect(uiToPluginSchema.safeParse({ type: "place-commit", requestId: "r", name: input.name, provenance: input.provenance }).success).toBe(true);
  });

  it("places a social result in its format frame with its safe zone", () => {
    const social = asset({ type: "social", operation: "social", prompt: null, width: 1080, height: 1920, format: { id: "instagram-story", safeZone: { top: 250, right: 0, bottom: 340, left: 0 } } });
    const input = placeInput(social, async () => new Uint8Array([1]), catalog);
    expect(input.name).toBe("Social");
    expect(input.images[0]!.format).toEqual({ id: "instagram-story", name: "Instagram · Story 1080×1920", safeZone: { top: 250, right: 0, bottom: 340, left: 0 } });
    expect(input.provenance).toMatchObject({ jobId: "job_1", operation: "social" });
  });
});
