// The body of POST /v1/jobs: a JSON spec, or multipart/form-data with a `spec` JSON part and image parts.
// Image operations arrive in later issues; the parts are read, sniffed and hashed now so the idempotency
// fingerprint already covers them.
import { createHash } from "node:crypto";
import type { Context } from "hono";
import { ApiError, invalidRequest } from "../http/api-error.ts";
import { isJson, readJson } from "../http/read-json.ts";

export const IMAGE_PARTS = ["image", "mask", "backgroundReference", "lightReference"] as const;
export type ImagePart = (typeof IMAGE_PARTS)[number];

export interface ImageUpload {
  bytes: Buffer;
  contentType: "image/png" | "image/jpeg" | "image/webp";
  sha256: string;
}

export interface JobBody {
  spec: unknown;
  images: Partial<Record<ImagePart, ImageUpload>>;
}

/** By magic bytes, not by the declared type: PNG, JPEG or WebP, else null. */
export function sniffImage(bytes: Uint8Array): ImageUpload["contentType"] | null {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "image/png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === "RIFF" && String.fromCharCode(...b.subarray(8, 12)) === "WEBP")
    return "image/webp";
  return null;
}

const isImagePart = (name: string): name is ImagePart => (IMAGE_PARTS as readonly string[]).includes(name);

async function readMultipart(c: Context): Promise<JobBody> {
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    throw invalidRequest({ "(body)": "is not valid multipart/form-data" }, "The body could not be read");
  }
  let specText: string | undefined;
  const images: JobBody["images"] = {};
  const seen = new Set<string>();
  for (const [name, value] of form.entries()) {
    if (seen.has(name)) throw invalidRequest({ [name]: "appears more than once" });
    seen.add(name);
    if (name === "spec") {
      specText = typeof value === "string" ? value : await value.text();
    } else if (isImagePart(name)) {
      if (typeof value === "string") throw invalidRequest({ [name]: "must be a file" });
      const bytes = Buffer.from(await value.arrayBuffer());
      const contentType = sniffImage(bytes);
      if (!contentType) throw new ApiError("unsupported_image", `The ${name} part is not a PNG, JPEG or WebP image`, { part: name });
      images[name] = { bytes, contentType, sha256: createHash("sha256").update(bytes).digest("hex") };
    } else {
      throw invalidRequest({ [name]: `is not a known part; use spec, ${IMAGE_PARTS.join(", ")}` });
    }
  }
  if (specText === undefined) throw invalidRequest({ spec: "is required (a JSON part)" });
  try {
    return { spec: JSON.parse(specText), images };
  } catch (error) {
    throw invalidRequest({ spec: "is not valid JSON" }, `The spec part is not valid JSON (${(error as Error).message})`);
  }
}

export async function readJobBody(c: Context): Promise<JobBody> {
  const type = c.req.header("content-type");
  if (/^multipart\/form-data\b/i.test(type ?? "")) return readMultipart(c);
  if (isJson(type)) return { spec: await readJson(c), images: {} };
  throw invalidRequest({ "(body)": "must be application/json or multipart/form-data" }, "Unsupported body type");
}
