// Server-sent events read from a fetch body (EventSource cannot send the Authorization header): the text
// split into events by the WHATWG rules the panel needs, `event:` and `data:` lines, a blank line ending each.
export interface SseEvent {
  event: string;
  data: string;
}

/** Feeds text chunks in, hands complete events out; a chunk may end anywhere, even inside a line. */
export function sseParser(onEvent: (event: SseEvent) => void): { push(chunk: string): void } {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  const line = (text: string) => {
    if (text === "") {
      if (data.length) onEvent({ event: event || "message", data: data.join("\n") });
      event = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? "" : text.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  };
  return {
    push(chunk) {
      buffer += chunk;
      // A chunk ending in "\r" may be half of a "\r\n": keep it until the next chunk says.
      const cut = buffer.endsWith("\r") ? buffer.length - 1 : buffer.length;
      const lines = buffer.slice(0, cut).split(/\r\n|\r|\n/);
      buffer = (lines.pop() ?? "") + buffer.slice(cut);
      for (const l of lines) line(l);
    },
  };
}

/** Reads a response body as events until it ends (or `signal` aborts). */
export async function readSse(body: ReadableStream<Uint8Array>, onEvent: (event: SseEvent) => void, signal?: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = sseParser(onEvent);
  const stop = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener("abort", stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode() + "\n\n");
  } finally {
    signal?.removeEventListener("abort", stop);
  }
}
