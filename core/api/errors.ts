// The error model of docs/api.md: every failure is a status plus `{ error: { code, message, details } }`.
import * as z from "zod";

export const ERROR_STATUS = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_request: 400,
  idempotency_mismatch: 422,
  insufficient_credits: 402,
  member_cap_reached: 402,
  project_budget_reached: 402,
  role_not_allowed: 403,
  tier_required: 403,
  payload_too_large: 413,
  unsupported_image: 415,
  rate_limited: 429,
  provider_unavailable: 503,
  provider_error: 502,
  content_rejected: 422,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const errorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

export const apiErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;

export const errorResponseSchema = z.object({ error: apiErrorSchema });

/**
 * Why a job failed, as its `error` says: one of the API's codes, or `cancelled` (its batch was cancelled
 * before it started; its hold was released). No route answers with `cancelled`: it is a job's state, not a
 * refusal of a request.
 */
export const jobErrorCodeSchema = z.union([errorCodeSchema, z.literal("cancelled")]);
export type JobErrorCode = z.infer<typeof jobErrorCodeSchema>;
export const jobErrorSchema = apiErrorSchema.extend({ code: jobErrorCodeSchema });
export type JobError = z.infer<typeof jobErrorSchema>;

/** Field-level problems, as `details.fields` of an `invalid_request`: `{ "prompt": "must not be empty" }`. */
export function issuesToFields(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "(body)";
    fields[key] ??= issue.message;
  }
  return fields;
}
