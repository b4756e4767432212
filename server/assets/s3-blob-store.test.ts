// S3BlobStore over real HTTP against an S3-compatible server (s3rver, started from its npm package): the
// same contract as FileBlobStore, plus what only a bucket has (key layout, prefixes, a missing bucket).
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { blobStoreContract } from "../test-support/blob-store-contract.ts";
import { startS3Server, type S3TestServer } from "../test-support/s3-server.ts";
import { S3BlobStore } from "./s3-blob-store.ts";

let s3: S3TestServer;
let root: string;
let n = 0;
const stores: S3BlobStore[] = [];

beforeAll(async () => {
  s3 = await startS3Server();
  root = await mkdtemp(join(tmpdir(), "s3-blobs-"));
}, 30_000);
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
afterAll(async () => {
  await s3?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** A store on a fresh bucket; pages of 3 keys so that listing always crosses pages. */
async function fresh(prefix = "assets/"): Promise<{ store: S3BlobStore; tempDir: string; bucket: string }> {
  const bucket = `blobs-${++n}`;
  await s3.createBucket(bucket);
  const tempDir = join(root, bucket, "tmp");
  const store = new S3BlobStore(s3.config(bucket, prefix), tempDir, 3);
  stores.push(store);
  return { store, tempDir, bucket };
}

blobStoreContract("S3BlobStore", fresh);

describe("S3BlobStore", () => {
  const raw = () => new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });

  it("keeps bytes under <prefix><ab>/<cdef…>, and lists only its own keys", async () => {
    const { store, bucket } = await fresh("team-a/assets/");
    const other = new S3BlobStore(s3.config(bucket, "team-b/"), join(root, "other"), 3);
    stores.push(other);
    const address = await store.put(Buffer.from("prefixed"));
    await other.put(Buffer.from("someone else's"));
    const client = raw();
    // Something else in the bucket under our prefix that is not a blob's key: never listed, never swept.
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "team-a/assets/README.txt", Body: "notes" }));
    const keys = (await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents!.map((o) => o.Key).sort();
    client.destroy();
    expect(keys).toContain(`team-a/assets/${address.slice(0, 2)}/${address.slice(2)}`);
    expect(keys).toHaveLength(3);
    const mine: string[] = [];
    for await (const b of store.list()) mine.push(b.sha256);
    expect(mine).toEqual([address]);
    expect(await other.has(address)).toBe(false);
  });

  it("says clearly when the bucket is missing, and never reads that as missing bytes", async () => {
    const store = new S3BlobStore(s3.config("no-such-bucket"), join(root, "nb"));
    stores.push(store);
    await expect(store.check()).rejects.toThrow(/Cannot use the S3 bucket "no-such-bucket".*no such bucket/);
    await expect(store.get("0".repeat(64))).rejects.toThrow();
    const { store: ok } = await fresh();
    await expect(ok.check()).resolves.toBeUndefined();
  });

  it("uploads a file again after S3's 400 RequestTimeout (a body sent too slowly), as the SDK retries it", async () => {
    // S3 answers a PUT whose body stalled with 400 RequestTimeout, a transient error in the SDK's own retry
    // rules (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). A streamed upload is
    // retried by putFile itself, so it must classify it the same way. A minimal S3 stands in: HEAD is 404,
    // the first PUT is refused so, the second stored.
    const puts: Buffer[] = [];
    const fake = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.method === "HEAD") return void res.writeHead(404).end();
        if (req.method !== "PUT") return void res.writeHead(405).end();
        puts.push(Buffer.concat(chunks));
        if (puts.length === 1)
          return void res
            .writeHead(400, { "content-type": "application/xml" })
            .end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>RequestTimeout</Code><Message>Your socket connection to the server was not read from or written to within the timeout period.</Message><RequestId>r1</RequestId></Error>');
        res.writeHead(200, { etag: '"x"' }).end();
      });
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", () => r()));
    const tempDir = join(root, "retry", "tmp");
    await mkdir(tempDir, { recursive: true });
    const store = new S3BlobStore({ ...s3.config("retry"), endpoint: `http://127.0.0.1:${(fake.address() as { port: number }).port}` }, tempDir);
    stores.push(store);
    const bytes = Buffer.from("an upload on a slow link");
    const path = store.tempPath();
    await writeFile(path, bytes);
    await store.putFile(path, createHash("sha256").update(bytes).digest("hex"));
    expect(puts).toHaveLength(2);
    expect(puts[1]).toEqual(bytes);
    fake.close();
  });

  it("fails a request to an endpoint that does not answer within its timeout", async () => {
    // A port that accepts connections and never answers.
    const { createServer } = await import("node:net");
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    const port = (silent.address() as { port: number }).port;
    const store = new S3BlobStore({ ...s3.config("x"), endpoint: `http://127.0.0.1:${port}`, timeoutMs: 300 }, join(root, "t"));
    stores.push(store);
    const started = Date.now();
    await expect(store.has("0".repeat(64))).rejects.toThrow();
    // Three attempts (the SDK's default), each cut at 300 ms, plus its backoff: well under the 30 s default.
    expect(Date.now() - started).toBeLessThan(5000);
    silent.close();
  });
});
