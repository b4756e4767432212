// MAX_BODY_BYTES without buffering: hono's bodyLimit reads a body sent without Content-Length (chunked)
// into memory to count it, so 24 chunked uploads of 25 MiB would be 600 MiB before any route ran. Here a
// declared length over the limit is refused at once, and a chunked body is counted as the route reads it:
// the reader gets 413 payload_too_large at the first byte over. The request's own stream is never cancelled
// (that would destroy the socket before the 413 is sent); the server drains what is left after answering.
import type { MiddlewareHandler } from "hono";
import { payloadTooLarge } from "./error-handler.ts";
import type { AppEnv } from "./types.ts";

function counted(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let size = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        controller.error(error);
        return;
      }
      if (chunk.done) return controller.close();
      size += chunk.value.byteLength;
      if (size <= maxBytes) return controller.enqueue(chunk.value);
      reader.releaseLock();
      controller.error(payloadTooLarge(maxBytes));
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

export function bodyLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.raw.headers.get("content-length");
    if (declared !== null && !c.req.raw.headers.has("transfer-encoding")) {
      // Node's parser has checked the header and delivers no more than it declares.
      if (Number(declared) > maxBytes) throw payloadTooLarge(maxBytes);
      return next();
    }
    c.req.raw = new Request(c.req.raw, { body: counted(body, maxBytes), duplex: "half" } as RequestInit);
    return next();
  };
}
