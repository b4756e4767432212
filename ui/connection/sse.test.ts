import { describe, expect, it } from "vitest";
import { readSse, sseParser, type SseEvent } from "./sse.ts";

describe("sseParser", () => {
  it("splits events on blank lines whatever the chunking, joining data lines and skipping comments", () => {
    const text = 'event: item\ndata: {"a":1}\nid: 1\n\n: keep-alive\n\nevent: batch\r\ndata: line one\r\ndata: line two\r\n\r\ndata: plain\n\n';
    for (const size of [1, 3, 7, text.length]) {
      const events: SseEvent[] = [];
      const parser = sseParser((e) => events.push(e));
      for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
      expect(events).toEqual([
        { event: "item", data: '{"a":1}' },
        { event: "batch", data: "line one\nline two" },
        { event: "message", data: "plain" },
      ]);
    }
  });
});

describe("readSse", () => {
  it("reads a streamed body to its end, including a last event without its blank line", async () => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoder.encode("event: item\ndata: 1\n\nevent: ba"));
        c.enqueue(encoder.encode("tch\ndata: 2\n"));
        c.close();
      },
    });
    const events: SseEvent[] = [];
    await readSse(body, (e) => events.push(e));
    expect(events).toEqual([
      { event: "item", data: "1" },
      { event: "batch", data: "2" },
    ]);
  });
});
