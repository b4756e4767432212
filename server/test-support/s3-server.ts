// A real S3-compatible server over HTTP for tests (s3rver in a child process, see s3rver-child.ts), with the
// settings a proxy needs to use one of its buckets.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { S3BlobStoreConfig } from "../assets/s3-blob-store.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** s3rver's documented default account. It checks the key id but not SigV4 signatures (lib/middleware/
 * authentication.js: "Signature version 4 calculation is unimplemented"), so any secret passes. */
const KEY = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export interface S3TestServer {
  endpoint: string;
  /** Makes a bucket (names must be unique per server). */
  createBucket(name: string): Promise<void>;
  /** A blob store's settings for `bucket`. */
  config(bucket: string, prefix?: string): S3BlobStoreConfig;
  /** The S3_* variables a proxy process needs to use `bucket`. */
  env(bucket: string, prefix?: string): Record<string, string>;
  close(): Promise<void>;
}

export async function startS3Server(): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), "s3rver-"));
  const child = spawn(process.execPath, ["--openssl-legacy-provider", "--import", "tsx", "server/test-support/s3rver-child.ts", directory], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`s3rver did not start in 20 s: ${err}`)), 20_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    void exited.then(() => reject(new Error(`s3rver exited: ${err}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const config = (bucket: string, prefix = ""): S3BlobStoreConfig => ({
    kind: "s3",
    bucket,
    prefix,
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: KEY,
    timeoutMs: 10_000,
  });
  const admin = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: KEY });
  return {
    endpoint,
    config,
    async createBucket(name) {
      await admin.send(new CreateBucketCommand({ Bucket: name }));
    },
    env: (bucket, prefix) => ({
      S3_BUCKET: bucket,
      ...(prefix ? { S3_PREFIX: prefix } : {}),
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: "true",
      S3_ACCESS_KEY_ID: KEY.accessKeyId,
      S3_SECRET_ACCESS_KEY: KEY.secretAccessKey,
    }),
    async close() {
      admin.destroy();
      if (child.exitCode === null) child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(force);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
