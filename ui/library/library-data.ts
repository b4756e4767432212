// The Library studio's data as plain functions: the filters as a /v1/assets query, the operations to
// filter by (from the catalog), how a row reads, who may delete it, and what placing it again sends to the
// plugin (no job: the asset's own bytes and provenance).
import type { Asset, AssetType } from "../../core/api/assets.ts";
import type { Me } from "../../core/api/responses.ts";
import type { Catalog } from "../../core/catalog/schema.ts";
import type { AssetParams } from "../connection/api-client.ts";
import type { PlaceInput } from "../connection/plugin-bridge.ts";
import { EDIT_KINDS_INFO } from "../edit/edit-form.ts";
import { layerName } from "../jobs/run-job.ts";
import { placedFormat } from "../social/social-form.ts";
import { UPSCALE_MODES_INFO } from "../upscale/upscale-form.ts";

export interface LibraryFilters {
  type: "" | AssetType;
  operation: string;
  provider: string;
  q: string;
  /** Dates (yyyy-mm-dd) as the date inputs give them; both days included. */
  from: string;
  to: string;
}

export const NO_FILTERS: LibraryFilters = { type: "", operation: "", provider: "", q: "", from: "", to: "" };

/** The day after a yyyy-mm-dd date. */
export const nextDay = (date: string) => new Date(Date.parse(date) + 864e5).toISOString().slice(0, 10);

/** The query of one page: unset filters are left out; `to` is the end of that day, as the server's range is half-open. */
export function assetQuery(f: LibraryFilters, cursor?: string): AssetParams {
  return { ...f, type: f.type || undefined, q: f.q.trim(), to: f.to && nextDay(f.to), cursor };
}

const names: Record<string, { label: string } | undefined> = { ...EDIT_KINDS_INFO, ...UPSCALE_MODES_INFO };

/** "Create", "Edit · Remove background", "Upscale · Fast", "Social". */
export function operationLabel(op: string): string {
  const [type = "", sub] = op.split(".");
  return type.charAt(0).toUpperCase() + type.slice(1) + (sub ? ` · ${names[sub]?.label ?? sub}` : "");
}

/** The operation keys of the catalog, of one type when `type` is set. */
export function operations(catalog: Catalog, type: string): string[] {
  const all = ["create", ...Object.keys(catalog.edit).map((k) => `edit.${k}`), ...Object.keys(catalog.upscale).map((m) => `upscale.${m}`), "social"];
  return all.filter((op) => op.startsWith(type));
}

/** What made it and how big it is: "Local (offline) · procedural · 1024×1024". */
export function madeWith(asset: Asset, catalog: Catalog): string {
  const provider = asset.provider && (catalog.providers.find((p) => p.id === asset.provider)?.name ?? asset.provider);
  return [provider, asset.model, `${asset.width}×${asset.height}`].filter(Boolean).join(" · ");
}

/** Managers delete any of the team's assets, members their own (the server decides; this hides the button). */
export const canDelete = (asset: Asset, me: Me) => me.role === "manager" || asset.memberId === me.user.id;

/** The asset on the canvas again, tagged as it was first placed; a social result in its format frame. */
export function placeInput(asset: Asset, bytes: () => Promise<Uint8Array<ArrayBuffer>>, catalog: Catalog): PlaceInput {
  const prompt = asset.prompt ?? undefined;
  const spec = JSON.stringify({ ...asset.params, operation: asset.type, ...(prompt ? { prompt } : {}) });
  return {
    name: prompt ? layerName(prompt) : operationLabel(asset.operation),
    images: [
      {
        bytes,
        width: asset.width,
        height: asset.height,
        assetId: asset.id,
        ...(asset.format ? { format: placedFormat(catalog, asset.format.id, asset.format.safeZone) } : {}),
      },
    ],
    provenance: { jobId: asset.jobId, operation: asset.type, ...(prompt ? { prompt } : {}), ...(spec.length <= 60_000 ? { spec } : {}) },
  };
}
