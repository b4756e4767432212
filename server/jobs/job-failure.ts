// Why a job failed, as it is kept on the job row and shown by GET /v1/jobs/:id: `{ code, message, details }`
// in the API's error vocabulary (core's ErrorCode, the contract every layer shares), decided once, when the
// job fails, by the domain that knows what happened. It is data, not an HTTP response: no status, no
// headers, nothing from http/. A failure always says that nothing was charged, since the hold was released.
import { ProviderError } from "../providers/types.ts";
import type { Redactor } from "../redact.ts";
import type { JobFailure } from "./types.ts";

const NOTHING_CHARGED = "Nothing was charged.";

/** A provider's failure keeps its code (and its delay); anything else is a provider_error that says no more. */
export function failureOf(error: unknown, redact: Redactor = (text) => text): JobFailure {
  if (error instanceof ProviderError) {
    const details = error.options.retryAfterMs ? { retryAfterSeconds: Math.ceil(error.options.retryAfterMs / 1000) } : undefined;
    // Provider keys, in any encoding, never reach the job's error (redact.ts).
    const message = redact(error.message);
    return { code: error.code, message: `${message.replace(/\.?$/, ".")} ${NOTHING_CHARGED}`, ...(details ? { details } : {}) };
  }
  return { code: "provider_error", message: `The image could not be made. ${NOTHING_CHARGED}` };
}
