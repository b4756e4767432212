// GET /v1/assets/:id/content: the image bytes of the caller's team. The bytes are content-addressed, so the
// sha256 is a strong ETag and the response never changes; If-None-Match answers 304 without the bytes.
import { Hono } from "hono";
import { requireAuth } from "../auth.ts";
import { ApiError } from "../api-error.ts";
import type { AppDeps, AppEnv } from "../types.ts";
import { pathId } from "../validate.ts";

/** If-None-Match uses weak comparison (RFC 9110 §13.1.2): W/"x" matches "x". */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((t) => {
    const tag = t.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag;
  });
}

export function assetContentRoute(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/v1/assets/:id/content", requireAuth(deps.stores.teams), async (c) => {
    const asset = await deps.stores.assets.get(c.var.caller.team.id, pathId(c));
    if (!asset) throw new ApiError("not_found", "No such asset");
    const etag = `"${asset.sha256}"`;
    const headers = { ETag: etag, "Cache-Control": "private, max-age=31536000, immutable" };
    if (matches(c.req.header("if-none-match"), etag)) return c.body(null, 304, headers);
    const bytes = await deps.stores.blobs.get(asset.sha256);
    if (!bytes) {
      deps.logger.error({ assetId: asset.id, sha256: asset.sha256 }, "asset bytes missing from the blob store");
      throw new ApiError("not_found", "The asset's content is missing on the proxy");
    }
    return c.body(new Uint8Array(bytes), 200, { ...headers, "Content-Type": asset.contentType, "Content-Length": String(bytes.byteLength) });
  });
}
