import { describe, expect, it } from "vitest";
import { assetSchema } from "../../core/api/assets.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { assetView } from "./asset-view.ts";
import type { AssetRecord } from "../assets/types.ts";

const record: AssetRecord = {
  id: "ast_abc",
  teamId: "team_a",
  jobId: "job_a",
  memberId: "mem_a",
  sha256: "a".repeat(64),
  contentType: "image/jpeg",
  width: 1080,
  height: 1920,
  bytes: 1234,
  cost: 0,
  operation: "social",
  operationKey: "social",
  provider: null,
  model: null,
  prompt: null,
  params: { formats: ["instagram-story"] },
  parentAssetId: "ast_parent",
  format: "instagram-story",
  createdAt: "2026-11-02T10:00:00.000Z",
};

describe("assetView", () => {
  it("shows the wire shape: type, format with the catalog's safe zone, url, no team or sha256", () => {
    const view = assetView({ ...record, memberName: "Ada" }, DEFAULT_CATALOG);
    expect(assetSchema.parse(view)).toEqual(view);
    expect(view).toMatchObject({
      type: "social",
      operation: "social",
      format: { id: "instagram-story", safeZone: { top: 250, right: 0, bottom: 340, left: 0 } },
      url: "/v1/assets/ast_abc/content",
      memberName: "Ada",
      parentAssetId: "ast_parent",
    });
    expect(view).not.toHaveProperty("sha256");
    expect(view).not.toHaveProperty("teamId");
  });

  it("keeps a format without a safe zone, or one the catalog no longer has, as its id alone", () => {
    expect(assetView({ ...record, format: "x-post" }, DEFAULT_CATALOG).format).toEqual({ id: "x-post" });
    expect(assetView({ ...record, format: "retired-format" }, DEFAULT_CATALOG).format).toEqual({ id: "retired-format" });
  });

  it("answers null for a result that is not a social one, and leaves out an unknown member name", () => {
    const view = assetView({ ...record, operation: "create", operationKey: "create", format: null, memberName: null }, DEFAULT_CATALOG);
    expect(view.format).toBeNull();
    expect(view).not.toHaveProperty("memberName");
  });
});
