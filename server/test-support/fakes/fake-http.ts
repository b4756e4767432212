// The base of every provider fake: a real HTTP server on 127.0.0.1 (random port) that records each request
// it receives (method, path, headers, body, and the parsed JSON or multipart form) and answers through the
// fake's handler. Fakes imitate the provider's documented shapes; tests assert on `requests`.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  /** When it arrived (ms since epoch), so tests can check a provider's documented pace. */
  at: number;
  method: string;
  /** Path and query, as received. */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Parsed when the content type is JSON. */
  json?: unknown;
  /** Parsed when the content type is multipart/form-data: text fields as strings, files as Blobs. */
  form?: Map<string, string | File>;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
  /** Wait before answering (timeouts). */
  delayMs?: number;
}

export type FakeHandler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeHttpServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const at = Date.now();
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  const recorded: RecordedRequest = { at, method: req.method ?? "GET", path: req.url ?? "/", headers, body };
  const type = headers["content-type"] ?? "";
  if (type.includes("application/json") && body.length > 0) {
    try {
      recorded.json = JSON.parse(body.toString("utf8"));
    } catch {
      // left unparsed: the fake's handler decides how to answer bad JSON
    }
  } else if (type.startsWith("multipart/form-data")) {
    const form = await new Request("http://fake/", { method: "POST", headers: { "content-type": type }, body }).formData();
    recorded.form = new Map([...form.entries()].map(([k, v]) => [k, v]));
  }
  return recorded;
}

function send(res: ServerResponse, reply: FakeReply): void {
  const headers = { ...(reply.headers ?? {}) };
  let payload: string | Buffer = "";
  if (Buffer.isBuffer(reply.body) || typeof reply.body === "string") payload = reply.body;
  else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers["content-type"] ??= "application/json";
  }
  res.writeHead(reply.status ?? 200, headers);
  res.end(payload);
}

export async function startFakeHttp(handler: FakeHandler): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const recorded = await record(req);
        requests.push(recorded);
        const reply = await handler(recorded);
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (!res.destroyed) send(res, reply);
      } catch (error) {
        if (!res.headersSent) send(res, { status: 500, body: { fakeError: String(error) } });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
