// One route entry of the OpenAPI document (openapi.ts) built from what differs between routes: who may call
// it decides the error codes every such route answers (a token's; a manager's adds `forbidden`), and the
// route adds its own. Shared by openapi.ts and openapi-managers.ts so each list says only what is particular.
import type { ErrorCode } from "./errors.ts";
import type { Operation } from "./openapi.ts";

export const AUTH_ERRORS: ErrorCode[] = ["unauthorized", "rate_limited"];
export const MANAGER_ERRORS: ErrorCode[] = [...AUTH_ERRORS, "forbidden"];

/** What a route that prices and holds credits for jobs may refuse with (POST /v1/jobs, POST /v1/batches). */
export const HOLD_ERRORS: ErrorCode[] = [
  ...AUTH_ERRORS,
  "invalid_request",
  "not_found",
  "idempotency_mismatch",
  "insufficient_credits",
  "member_cap_reached",
  "project_budget_reached",
  "role_not_allowed",
  "tier_required",
  "payload_too_large",
  "unsupported_image",
  "provider_unavailable",
];

const ACCESS_ERRORS: Record<Operation["access"], ErrorCode[]> = { public: [], member: AUTH_ERRORS, manager: MANAGER_ERRORS };

type Success = Operation["success"][number];

/** A route entry: `errors` are the route's own codes, after those of its access. */
export function route(
  method: Operation["method"],
  path: string,
  access: Operation["access"],
  summary: string,
  success: Success | Success[],
  errors: ErrorCode[] = [],
  more: Omit<Partial<Operation>, "method" | "path" | "access" | "summary" | "success" | "errors"> = {},
): Operation {
  return { method, path, access, summary, ...more, success: Array.isArray(success) ? success : [success], errors: [...ACCESS_ERRORS[access], ...errors] };
}
