// Bytes nobody refers to are swept up later: what a crash between writing and committing leaves (a result
// written before its job's commit, an upload half received), removed by the reaper's file sweep, at start and
// hourly, once older than any request or job could still be. What a row refers to is never touched.
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepFiles } from "../../server/jobs/reaper.ts";
import { createLogger } from "../../server/logger.ts";
import { createTestDatabaseUrl, DB_KINDS, type TestDatabaseUrl } from "../../server/test-support/databases.ts";
import { createSpec, startTestServer, tempDir, type TestServer } from "../../server/test-support/harness.ts";
import { spawnServer } from "../../server/test-support/spawn-server.ts";

const HOUR_AGO = new Date(Date.now() - 60 * 60_000);
const AGE = 10 * 60_000;
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const blobPath = (dataDir: string, hash: string) => join(dataDir, "assets", hash.slice(0, 2), hash.slice(2));

for (const kind of DB_KINDS) {
  describe(`the file sweep (${kind})`, () => {
    let db: TestDatabaseUrl | undefined;
    let s: TestServer;
    beforeAll(async () => {
      db = kind === "postgres" ? await createTestDatabaseUrl("postgres") : undefined;
      s = await startTestServer(db ? { env: { DATABASE_URL: db.url } } : {});
    });
    afterAll(async () => {
      await s?.close();
      await db?.cleanup();
    });
    const sweep = () => sweepFiles({ ...s.deps.stores, logger: createLogger("silent"), orphanAgeMs: AGE });

    it("frees stored bytes no row refers to once they are old, and keeps young ones (a commit may be on its way)", async () => {
      const stale = randomBytes(5000);
      const young = randomBytes(5000);
      const staleSha = await s.deps.stores.blobs.put(stale); // as the runner writes a result before its commit
      const youngSha = await s.deps.stores.blobs.put(young);
      await utimes(blobPath(s.dataDir, staleSha), HOUR_AGO, HOUR_AGO);
      const { orphans } = await sweep();
      expect(orphans).toEqual([staleSha]);
      expect(await s.deps.stores.blobs.has(staleSha)).toBe(false);
      expect(await s.deps.stores.blobs.has(youngSha)).toBe(true);
    });

    it("never frees an asset's bytes, even when their blob row went missing (the row comes back)", async () => {
      const { token } = await s.createTeam("pro");
      const job = await s.runJob(token, createSpec({ aspectRatio: { width: 128, height: 128 } }));
      const bytes = new Uint8Array(await (await s.call(job.assets[0]!.url, { token })).arrayBuffer());
      const hash = sha(bytes);
      await s.deps.stores.db.run("DELETE FROM blobs WHERE sha256 = $1", [hash]);
      await utimes(blobPath(s.dataDir, hash), HOUR_AGO, HOUR_AGO);
      expect((await sweep()).orphans).not.toContain(hash);
      expect((await s.call(job.assets[0]!.url, { token })).status).toBe(200);
      expect(await s.deps.stores.db.one("SELECT sha256 FROM blobs WHERE sha256 = $1", [hash])).toEqual({ sha256: hash });
    });

    it("removes old temporary files (an upload or a write cut short) and keeps those in use", async () => {
      const tmp = join(s.dataDir, "tmp");
      const old = join(tmp, "crashed-upload.tmp");
      const current = join(tmp, "upload-in-flight.tmp");
      await writeFile(old, randomBytes(1000));
      await writeFile(current, randomBytes(1000));
      await utimes(old, HOUR_AGO, HOUR_AGO);
      expect((await sweep()).tempFiles).toBe(1);
      expect(existsSync(old)).toBe(false);
      expect(existsSync(current)).toBe(true);
      await rm(current);
    });
  });
}

describe("a proxy killed mid-upload", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await tempDir();
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("leaves a partial upload and an uncommitted result that its next start removes", async () => {
    const first = await spawnServer({ DATA_DIR: dataDir });
    const token = /isk_[A-Za-z0-9_-]{43}/.exec(first.stdout())![0];
    // Half of a 4 MB upload, then nothing: the proxy is writing it to a temporary file when it dies.
    const png = await sharp(randomBytes(1200 * 1200 * 3), { raw: { width: 1200, height: 1200, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    const boundary = "KILLED";
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="spec"\r\n\r\n{"operation":"upscale","mode":"fast"}\r\n--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`;
    const length = Buffer.byteLength(head) + png.length + Buffer.byteLength(`\r\n--${boundary}--\r\n`);
    const { hostname, port } = new URL(first.url);
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /v1/jobs HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${token}\r\nidempotency-key: killed-1\r\ncontent-type: multipart/form-data; boundary=${boundary}\r\ncontent-length: ${length}\r\n\r\n${head}`,
      );
      socket.write(png.subarray(0, png.length >> 1));
    });
    socket.on("error", () => undefined);
    const tmp = join(dataDir, "tmp");
    for (const until = Date.now() + 10_000; Date.now() < until && (await readdir(tmp)).length === 0; ) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200)); // the half that was sent is on disk
    expect(await first.stop("SIGKILL")).toBeNull();
    socket.destroy();
    const left = await readdir(tmp);
    expect(left).toHaveLength(1);
    // And a result written just before a commit that never came.
    const result = randomBytes(3000);
    const resultPath = blobPath(dataDir, sha(result));
    await mkdir(join(resultPath, ".."), { recursive: true });
    await writeFile(resultPath, result);
    // Both older than any request or job could still be.
    await utimes(join(tmp, left[0]!), HOUR_AGO, HOUR_AGO);
    await utimes(resultPath, HOUR_AGO, HOUR_AGO);

    const second = await spawnServer({ DATA_DIR: dataDir });
    try {
      for (const until = Date.now() + 10_000; Date.now() < until && (existsSync(resultPath) || (await readdir(tmp)).length > 0); ) await new Promise((r) => setTimeout(r, 50));
      expect(await readdir(tmp)).toEqual([]);
      expect(existsSync(resultPath)).toBe(false);
      const said = "removed files left by an interrupted request or job";
      for (const until = Date.now() + 5000; Date.now() < until && !second.stdout().includes(said); ) await new Promise((r) => setTimeout(r, 50));
      expect(second.stdout()).toContain(said);
    } finally {
      await second.stop();
    }
  });
});
