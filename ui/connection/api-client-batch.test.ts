import { describe, expect, it } from "vitest";
import type { Job } from "../../core/api/responses.ts";
import type { UpscaleSpec } from "../../core/api/specs.ts";
import { asset, batchView, job } from "../testing/fixtures.ts";
import { fakeFetch, ok } from "../testing/fake-fetch.ts";
import { createApiClient } from "./api-client.ts";

const settings = { proxyUrl: "http://localhost:8787", token: "tok" };
const spec: UpscaleSpec = { operation: "upscale", mode: "fast", provider: "auto" };
const item = (index: number, overrides: Partial<Job> = {}) => job({ id: `job-${index}`, operation: "upscale", batch: { id: "bat-1", index }, held: 2, ...overrides });
const done = (index: number) => item(index, { status: "succeeded", held: 0, charged: 2, assets: [asset(`a${index}`)], progress: { stage: "done", completed: 1, total: 1 } });

/** An event stream body, in chunks that cut events anywhere. */
function stream(events: [string, unknown][]): Response {
  const text = events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 97) c.enqueue(bytes.slice(i, i + 97));
      c.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}

describe("batches through the API client", () => {
  it("posts a JSON batch with the idempotency key", async () => {
    const { fetch, calls } = fakeFetch([ok({ batch: batchView([item(0), item(1)]) }, 202)]);
    const started = await createApiClient(settings, { fetch }).createBatch({ items: [spec, spec] }, "key-1");
    expect(started.items).toHaveLength(2);
    expect(calls[0]).toMatchObject({ url: "http://localhost:8787/v1/batches", method: "POST", body: JSON.stringify({ items: [spec, spec] }) });
    expect(calls[0]!.headers.get("idempotency-key")).toBe("key-1");
  });

  it("sends each item's images as items.<i>.<part> beside a batch JSON part", async () => {
    const { fetch, calls } = fakeFetch([ok({ batch: batchView([item(0), item(1)]) }, 202)]);
    const png = (n: number) => new Uint8Array([0x89, 0x50, 0x4e, n]);
    await createApiClient(settings, { fetch }).createBatch({ items: [spec, spec] }, "key-2", [{ image: png(0) }, { image: png(1), mask: png(2) }]);
    const form = calls[0]!.form!;
    expect([...form.keys()]).toEqual(["batch", "items.0.image", "items.1.image", "items.1.mask"]);
    expect(JSON.parse(form.get("batch") as string)).toEqual({ items: [spec, spec] });
    expect(new Uint8Array(await (form.get("items.1.mask") as File).arrayBuffer())).toEqual(png(2));
  });

  it("follows a batch over its event stream, item by item, to its end", async () => {
    const final = batchView([done(0), done(1)]);
    const { fetch, calls } = fakeFetch([
      stream([
        ["item", { batchId: "bat-1", index: 0, job: done(0) }],
        ["item", { batchId: "bat-1", index: 1, job: done(1) }],
        ["batch", { batch: final }],
      ]),
    ]);
    const seen: string[] = [];
    const result = await createApiClient(settings, { fetch }).followBatch(batchView([item(0), item(1)]), {
      onItem: (i, j) => seen.push(`item ${i} ${j.status}`),
      onBatch: (b) => seen.push(`batch ${b.status}`),
    });
    expect(result.status).toBe("succeeded");
    expect(seen).toEqual(["item 0 succeeded", "item 1 succeeded", "batch succeeded"]);
    expect(calls.map((c) => c.url)).toEqual(["http://localhost:8787/v1/batches/bat-1/events"]);
    expect(calls[0]!.headers.get("authorization")).toBe("Bearer tok");
  });

  it("polls the batch when the stream ends before the batch has", async () => {
    const running = batchView([done(0), item(1, { status: "running" })]);
    const final = batchView([done(0), done(1)]);
    const { fetch, calls } = fakeFetch([stream([["batch", { batch: running }]]), ok({ batch: running }), ok({ batch: final })]);
    const seen: string[] = [];
    const result = await createApiClient(settings, { fetch, sleep: async () => {} }).followBatch(batchView([item(0), item(1)]), { onItem: (i, j) => seen.push(`${i} ${j.status}`) });
    expect(result.status).toBe("succeeded");
    expect(calls.map((c) => c.url.replace("http://localhost:8787", ""))).toEqual(["/v1/batches/bat-1/events", "/v1/batches/bat-1", "/v1/batches/bat-1"]);
    expect(seen).toEqual(["1 succeeded"]);
  });

  it("polls the batch when the proxy refuses its stream (503, too many streams): the batch still runs and is placed", async () => {
    const busy = new Response(JSON.stringify({ error: { code: "provider_unavailable", message: "This proxy follows too many event streams right now; retry shortly", details: { retryAfterSeconds: 5 } } }), {
      status: 503,
      headers: { "content-type": "application/json", "retry-after": "5" },
    });
    const final = batchView([done(0), done(1)]);
    const { fetch, calls } = fakeFetch([busy, ok({ batch: final })]);
    const result = await createApiClient(settings, { fetch, sleep: async () => {} }).followBatch(batchView([item(0), item(1)]));
    expect(result).toEqual(final);
    expect(calls.map((c) => c.url.replace("http://localhost:8787", ""))).toEqual(["/v1/batches/bat-1/events", "/v1/batches/bat-1"]);
  });

  it("cancels the rest of a batch", async () => {
    const cancelled = item(1, { status: "failed", held: 0, error: { code: "cancelled", message: "The batch was cancelled before this item started. Nothing was charged." } });
    const { fetch, calls } = fakeFetch([ok({ batch: batchView([done(0), cancelled], { cancelled: true }) })]);
    const result = await createApiClient(settings, { fetch }).cancelBatch("bat-1");
    expect(result.items[1]!.error?.code).toBe("cancelled");
    expect(calls[0]).toMatchObject({ url: "http://localhost:8787/v1/batches/bat-1/cancel", method: "POST" });
  });
});
