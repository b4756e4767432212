// Assertions on the proxy's HTTP answers, shared by the route tests (vitest only: the benchmarks import
// harness.ts, not this).
import { expect } from "vitest";
import { errorResponseSchema, type ApiErrorBody, type ErrorCode } from "../../core/api/errors.ts";

/** Asserts an error answer of docs/api.md: the status and the body's error code; returns the error. */
export async function expectApiError(res: Response, status: number, code: ErrorCode): Promise<ApiErrorBody> {
  expect(res.status).toBe(status);
  const { error } = errorResponseSchema.parse(await res.json());
  expect(error.code).toBe(code);
  return error;
}
