import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../core/api/errors.ts";
import { createLogger } from "../logger.ts";
import { bodyLimit } from "./body-limit.ts";
import { errorHandler } from "./error-handler.ts";
import { JSON_BODY_MAX, readJson } from "./read-json.ts";
import type { AppEnv } from "./types.ts";

const MAX_BODY = 25 * 1024 * 1024;
const app = new Hono<AppEnv>()
  .use(bodyLimit(MAX_BODY))
  .post("/", async (c) => c.json({ read: await readJson(c) }))
  .onError(errorHandler(createLogger("silent"), MAX_BODY));

const big = (bytes: number) => JSON.stringify({ prompt: "x".repeat(bytes) });
const chunked = (text: string) =>
  new ReadableStream({
    start(controller) {
      for (let at = 0; at < text.length; at += 64 * 1024) controller.enqueue(new TextEncoder().encode(text.slice(at, at + 64 * 1024)));
      controller.close();
    },
  });

describe("readJson", () => {
  it("reads a JSON body up to its own limit, far under the body limit for images", async () => {
    const res = await app.request("/", { method: "POST", headers: { "content-type": "application/json" }, body: big(JSON_BODY_MAX - 100) });
    expect(res.status).toBe(200);
  });

  it.each([
    ["declared", (text: string) => ({ body: text })],
    ["sent chunked (no length)", (text: string) => ({ body: chunked(text), duplex: "half" })],
  ])("refuses a larger one, %s, with 413 and the JSON limit, before holding it all", async (_how, send) => {
    const res = await app.request("/", { method: "POST", headers: { "content-type": "application/json" }, ...send(big(JSON_BODY_MAX + 1)) } as RequestInit);
    expect(res.status).toBe(413);
    expect(errorResponseSchema.parse(await res.json()).error).toMatchObject({ code: "payload_too_large", details: { limit: JSON_BODY_MAX } });
  });
});
