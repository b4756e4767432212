// Uploads in flight are bounded on disk: UPLOAD_CONCURRENCY bodies are written to temporary files at once,
// the others wait unread (their bytes stay in the network), then go in turn.
import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ config: { uploadConcurrency: 1 } });
});
afterAll(() => s.close());

const until = async (check: () => Promise<boolean>, ms = 10_000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) if (await check()) return;
  throw new Error("timed out");
};

describe("uploads in flight", () => {
  it("are written one at a time with UPLOAD_CONCURRENCY=1: the second waits, unread, for the first", async () => {
    const { token } = await s.createTeam("basic", { monthlyCredits: 0 });
    const png = await sharp(randomBytes(700 * 700 * 3), { raw: { width: 700, height: 700, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    const boundary = "SLOW";
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="spec"\r\n\r\n{"operation":"upscale","mode":"fast"}\r\n--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n`;
    const tail = `\r\n--${boundary}--\r\n`;
    const { hostname, port } = new URL(s.url);
    let answer = "";
    const slow = connect(Number(port), hostname, () => {
      slow.write(
        `POST /v1/jobs HTTP/1.1\r\nhost: x\r\nconnection: close\r\nauthorization: Bearer ${token}\r\ncontent-type: multipart/form-data; boundary=${boundary}\r\ncontent-length: ${Buffer.byteLength(head) + png.length + tail.length}\r\n\r\n${head}`,
      );
      slow.write(png.subarray(0, png.length >> 1));
    });
    slow.on("data", (d: Buffer) => (answer += d.toString()));
    const closed = new Promise((r) => slow.on("close", r));
    const tmp = join(s.dataDir, "tmp");
    await until(async () => (await readdir(tmp)).length === 1);

    const form = new FormData();
    form.append("spec", JSON.stringify({ operation: "upscale", mode: "fast" }));
    form.append("image", new Blob([new Uint8Array(png)]), "b.png");
    let second: number | undefined;
    const secondDone = s.call("/v1/jobs", { token, body: form }).then((r) => (second = r.status));
    await new Promise((r) => setTimeout(r, 500));
    expect(await readdir(tmp)).toHaveLength(1); // the second body is not being written
    expect(second).toBeUndefined();

    slow.write(png.subarray(png.length >> 1));
    slow.write(tail);
    await closed;
    await secondDone;
    expect(answer).toMatch(/^HTTP\/1\.1 402/);
    expect(second).toBe(402);
    expect(await readdir(tmp)).toEqual([]);
  });
});
