// Reads a JSON body. Malformed JSON or the wrong content type is a 400 invalid_request, never a 500.
import type { Context } from "hono";
import { ApiError } from "./api-error.ts";

export function isJson(contentType: string | undefined): boolean {
  return /^application\/(.+\+)?json\b/i.test(contentType ?? "");
}

export async function readJson(c: Context): Promise<unknown> {
  if (!isJson(c.req.header("content-type")))
    throw new ApiError("invalid_request", "Send the body as application/json", { fields: { "(body)": "must be application/json" } });
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError("invalid_request", `The body is not valid JSON: ${(error as Error).message}`, {
      fields: { "(body)": "is not valid JSON" },
    });
  }
}
