// Reads a JSON body. Malformed JSON or the wrong content type is a 400 invalid_request, never a 500.
// A JSON body is read whole into memory (its text, then its parse), so it has its own limit, far under
// MAX_BODY_BYTES (which is for images): 24 JSON bodies of 25 MiB at once would otherwise be well over a GiB
// before any route looked at them. Every valid request fits: a spec is a few KB, and a plan of 100 steps
// with 5,000-character prompts is under 1 MiB.
import type { Context } from "hono";
import { ApiError } from "./api-error.ts";
import { payloadTooLarge } from "./error-handler.ts";

export const JSON_BODY_MAX = 1024 * 1024;

export function isJson(contentType: string | undefined): boolean {
  return /^application\/(.+\+)?json\b/i.test(contentType ?? "");
}

async function readText(c: Context, max: number): Promise<string> {
  if (Number(c.req.header("content-length")) > max) throw payloadTooLarge(max);
  const body = c.req.raw.body;
  if (!body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      let read: Awaited<ReturnType<typeof reader.read>>;
      try {
        read = await reader.read();
      } catch (error) {
        // Over MAX_BODY_BYTES (body-limit.ts), or the client went away mid-body.
        throw error instanceof ApiError ? error : new ApiError("invalid_request", "The body could not be read to its end", { fields: { "(body)": "was cut short" } });
      }
      if (read.done) break;
      size += read.value.byteLength;
      if (size > max) throw payloadTooLarge(max); // the server drops the rest after answering
      chunks.push(read.value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function readJson(c: Context): Promise<unknown> {
  if (!isJson(c.req.header("content-type")))
    throw new ApiError("invalid_request", "Send the body as application/json", { fields: { "(body)": "must be application/json" } });
  const text = await readText(c, JSON_BODY_MAX);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError("invalid_request", `The body is not valid JSON: ${(error as Error).message}`, {
      fields: { "(body)": "is not valid JSON" },
    });
  }
}
