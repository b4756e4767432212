// Parses request input with a core schema; a failure becomes 400 invalid_request naming each field.
import type { Context } from "hono";
import type { z } from "zod";
import { issuesToFields } from "../../core/api/errors.ts";
import { queryId } from "../../core/api/reports.ts";
import { invalidRequest } from "./api-error.ts";

interface Issue {
  path: readonly PropertyKey[];
  message: string;
  code?: string;
  keys?: readonly string[];
}

/** Strict objects report unknown fields as one issue on the parent; name each field instead. */
function expandUnknownKeys(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((i) =>
    i.code === "unrecognized_keys" && i.keys?.length ? i.keys.map((k) => ({ path: [...i.path, k], message: "is not a known field" })) : [i],
  );
}

export function fieldsOf(error: z.ZodError): Record<string, string> {
  return issuesToFields(expandUnknownKeys(error.issues as readonly Issue[]));
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix: (string | number)[] = []): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = fieldsOf(parsed.error);
  if (prefix.length === 0) throw invalidRequest(fields);
  const p = prefix.join(".");
  throw invalidRequest(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k === "(body)" ? p : `${p}.${k}`, v])));
}

/** The `:id` of a route's path, as text like any other (an id with a NUL is 400 naming `id`, not a database error). */
export function pathId(c: Context, name = "id"): string {
  return parseOrThrow(queryId, c.req.param(name), [name]);
}
