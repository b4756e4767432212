// An asset as the API shows it (core's assetSchema). A social result's safe zone is read from the catalog,
// where it is data, so a corrected zone shows on assets made before the correction.
import { assetTypeSchema, type Asset } from "../../core/api/assets.ts";
import type { Catalog } from "../../core/catalog/schema.ts";
import { assetUrl } from "./job-view.ts";
import type { AssetRecord } from "../assets/types.ts";

export function assetView(a: AssetRecord & { memberName?: string | null }, catalog: Pick<Catalog, "social">): Asset {
  const format = a.format === null ? null : catalog.social.formats.find((f) => f.id === a.format);
  return {
    id: a.id,
    // The jobs table admits only the four studios, so this only throws on a corrupt row.
    type: assetTypeSchema.parse(a.operation),
    operation: a.operationKey,
    provider: a.provider,
    model: a.model,
    prompt: a.prompt,
    params: a.params,
    width: a.width,
    height: a.height,
    contentType: a.contentType,
    bytes: a.bytes,
    cost: a.cost,
    jobId: a.jobId,
    memberId: a.memberId,
    ...(a.memberName ? { memberName: a.memberName } : {}),
    parentAssetId: a.parentAssetId,
    // A format since removed from the catalog keeps its id, without a safe zone.
    format: a.format === null ? null : { id: a.format, ...(format?.safeZone ? { safeZone: format.safeZone } : {}) },
    url: assetUrl(a.id),
    createdAt: a.createdAt,
  };
}
