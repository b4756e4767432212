// The body of POST /v1/jobs: a JSON spec, or multipart/form-data with a `spec` JSON part and image parts.
// Image parts stream to temporary files (multipart-upload.ts); whoever reads a body owns its files and
// either moves them into the blob store (a job that holds) or discards them (everything else).
import { unlink } from "node:fs/promises";
import type { Context } from "hono";
import type { ImagePart, ImageUpload } from "../jobs/types.ts";
import { invalidRequest } from "./api-error.ts";
import { readMultipart } from "./multipart-upload.ts";
import { isJson, readJson } from "./read-json.ts";

export interface JobBody {
  spec: unknown;
  images: Partial<Record<ImagePart, ImageUpload>>;
}

export const isMultipart = (c: Context) => /^multipart\/form-data\b/i.test(c.req.header("content-type") ?? "");

/** `tempPath` gives a fresh file path for each image part (the blob store's temp folder). */
export async function readJobBody(c: Context, tempPath: () => string): Promise<JobBody> {
  if (isMultipart(c)) {
    const { specText, images } = await readMultipart(c.req.raw.body, c.req.header("content-type")!, tempPath);
    try {
      return { spec: JSON.parse(specText), images };
    } catch (error) {
      await discardUploads(images);
      throw invalidRequest({ spec: "is not valid JSON" }, `The spec part is not valid JSON (${(error as Error).message})`);
    }
  }
  if (isJson(c.req.header("content-type"))) return { spec: await readJson(c), images: {} };
  throw invalidRequest({ "(body)": "must be application/json or multipart/form-data" }, "Unsupported body type");
}

/** Deletes the temporary files of uploads that were not moved into the blob store. */
export async function discardUploads(images: JobBody["images"]): Promise<void> {
  await Promise.all(Object.values(images).map((u) => unlink(u.path).catch(() => undefined)));
}
