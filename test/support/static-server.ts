// Serves the browser harness and the built panel on 127.0.0.1 so Chromium loads them over http.
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript" };

/** What a path serves: a file, read at each request, or content made in memory with its extension's type. */
export type Served = string | { content: string | Uint8Array; ext: string };

/** Maps URL paths to files or in-memory content; nothing outside the map is served. */
export async function serveFiles(files: Record<string, Served>): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const path = normalize(new URL(req.url ?? "/", "http://x").pathname);
    const served = files[path];
    if (!served) return void res.writeHead(404).end();
    try {
      const [body, ext] = typeof served === "string" ? [await readFile(served), extname(served)] : [served.content, served.ext];
      res.writeHead(200, { "content-type": TYPES[ext] ?? "application/octet-stream", "cache-control": "no-store" }).end(body);
    } catch {
      res.writeHead(500).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

export const ROOT = join(new URL("../../", import.meta.url).pathname);
