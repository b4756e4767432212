// A provider (or a gateway in front of it) that echoes the proxy's key in its error text, in the encodings
// such echoes take: the Authorization header (raw, base64, base64 inside HTTP Basic), the request URL (URL-
// encoded), a hex dump. The proxy runs as its own process with the key in its environment; neither the
// job's error (what every member of the team can read) nor anything the process printed holds the key.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobResponseSchema } from "../../core/api/responses.ts";
import { spawnServer, type SpawnedServer } from "../../server/test-support/spawn-server.ts";

const KEY = `hf_${randomBytes(20).toString("base64url")}/+=`;
const FORMS = {
  raw: KEY,
  base64: Buffer.from(KEY).toString("base64"),
  "base64 in Basic": Buffer.from(`api:${KEY}`).toString("base64"),
  "URL-encoded": encodeURIComponent(KEY),
  hex: Buffer.from(KEY).toString("hex"),
};

let fake: Server;
let proxy: SpawnedServer;
let dir: string;
beforeAll(async () => {
  fake = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(400, { "content-type": "application/json" });
      const echo = `bad request: got Authorization Bearer ${FORMS.raw} (${FORMS.base64}), Basic ${FORMS["base64 in Basic"]}, url ?key=${FORMS["URL-encoded"]}, dump ${FORMS.hex}`;
      res.end(JSON.stringify({ error: echo }));
    });
  });
  await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
  dir = await mkdtemp(join(tmpdir(), "key-echo-"));
  proxy = await spawnServer({ DATA_DIR: dir, LOG_LEVEL: "info", HF_TOKEN: KEY, HF_BASE_URL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` });
});
afterAll(async () => {
  await proxy?.stop();
  fake?.close();
  await rm(dir, { recursive: true, force: true });
});

const found = (text: string) => Object.entries(FORMS).filter(([, form]) => text.includes(form)).map(([name]) => name);

describe("a provider echoing the proxy's key", () => {
  it("fails the job with the provider's words, the key in no encoding, and logs it without the key", async () => {
    const token = /isk_[A-Za-z0-9_-]{43}/.exec(proxy.stdout())![0];
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": "echo-1" };
    const spec = { operation: "create", prompt: "a lighthouse", quality: "draft", provider: "huggingface" };
    const res = await fetch(`${proxy.url}/v1/jobs`, { method: "POST", headers, body: JSON.stringify(spec) });
    expect(res.status).toBe(202);
    const { id } = jobResponseSchema.parse(await res.json()).job;
    let job;
    for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      job = jobResponseSchema.parse(await (await fetch(`${proxy.url}/v1/jobs/${id}`, { headers })).json()).job;
      if (job.status === "failed" || job.status === "succeeded") break;
    }
    expect(job).toMatchObject({ status: "failed", charged: 0 });
    const message = job!.error!.message;
    expect(message).toMatch(/^Hugging Face refused the request \(400\): bad request: got Authorization Bearer \[redacted\]/);
    expect(found(message)).toEqual([]);
    await new Promise((r) => setTimeout(r, 200)); // the log line of the failure
    const printed = proxy.stdout() + proxy.stderr();
    expect(printed).toContain('"msg":"job failed"');
    expect(found(printed)).toEqual([]);
  });
});
