// The body of POST /v1/batches: JSON `{items: [...]}` (items without uploads: creates), or multipart/form-data
// with a `batch` JSON part and each item's image parts named `items.<i>.<part>` (the part names POST /v1/jobs
// takes), streamed to temporary files like a job's (multipart-upload.ts). MAX_BODY_BYTES bounds the whole
// request. Whoever reads a body owns its files: the batch moves them into the blob store once held, and the
// route discards whatever is left (docs/api.md).
import { unlink } from "node:fs/promises";
import type { Context } from "hono";
import { MAX_BATCH_ITEMS } from "../../core/api/specs.ts";
import { IMAGE_PARTS, type ImagePart, type ImageUpload } from "../jobs/types.ts";
import { invalidRequest } from "./api-error.ts";
import { isMultipart } from "./job-body.ts";
import { readMultipartParts, type MultipartShape } from "./multipart-upload.ts";
import { isJson, readJson } from "./read-json.ts";

export interface BatchBody {
  batch: unknown;
  /** Each item's image parts, by the item's index. */
  uploads: Partial<Record<ImagePart, ImageUpload>>[];
  /** Every temporary file the body wrote, for the route to discard what the batch did not store. */
  files: ImageUpload[];
}

/** `items.<i>.<part>`, the index written as JSON would (no leading zero), so each item's part has one name. */
const ITEM_PART = new RegExp(`^items\\.(0|[1-9]\\d{0,2})\\.(${IMAGE_PARTS.join("|")})$`);

/** The `batch` part holds up to MAX_BATCH_ITEMS specs, each a few KB (prompts of up to 10,000 characters). */
const BATCH_MAX_BYTES = 2 * 1024 * 1024;

const BATCH_SHAPE: MultipartShape = {
  specField: "batch",
  specMaxBytes: BATCH_MAX_BYTES,
  isFile: (name) => {
    const m = ITEM_PART.exec(name);
    return m !== null && Number(m[1]) < MAX_BATCH_ITEMS;
  },
  maxParts: 1 + MAX_BATCH_ITEMS * IMAGE_PARTS.length,
  names: `batch, items.<i>.<part> with <i> below ${MAX_BATCH_ITEMS} and <part> one of ${IMAGE_PARTS.join(", ")}`,
};

/** `tempPath` gives a fresh file path for each image part (the blob store's temp folder). */
export async function readBatchBody(c: Context, tempPath: () => string): Promise<BatchBody> {
  if (isMultipart(c)) {
    const { specText, files } = await readMultipartParts(c.req.raw.body, c.req.header("content-type")!, tempPath, BATCH_SHAPE);
    const uploads: BatchBody["uploads"] = [];
    for (const [name, upload] of Object.entries(files)) {
      const [, index, part] = ITEM_PART.exec(name)!;
      (uploads[Number(index)] ??= {})[part as ImagePart] = upload;
    }
    const body = { uploads, files: Object.values(files) };
    try {
      return { batch: JSON.parse(specText), ...body };
    } catch (error) {
      await discardFiles(body.files);
      throw invalidRequest({ batch: "is not valid JSON" }, `The batch part is not valid JSON (${(error as Error).message})`);
    }
  }
  if (isJson(c.req.header("content-type"))) return { batch: await readJson(c), uploads: [], files: [] };
  throw invalidRequest({ "(body)": "must be application/json or multipart/form-data" }, "Unsupported body type");
}

/** Deletes the temporary files the batch did not move into the blob store (already moved ones are gone). */
export async function discardFiles(files: readonly ImageUpload[]): Promise<void> {
  await Promise.all(files.map((u) => unlink(u.path).catch(() => undefined)));
}
