// Asset bytes in an S3-compatible bucket (AWS S3, MinIO, Ceph, Cloudflare R2) that every proxy shares, so any
// instance serves any asset and a job taken over from a dead instance finds its inputs (docs/architecture.md,
// "Several instances"). The contract is FileBlobStore's (blob-store.ts; the same tests run on both):
// content-addressed keys <prefix><ab>/<cdef…>, puts that store once, deletes that the caller orders under
// the blob's row lock in the shared database. Files on their way in stay on this machine (temp-files.ts).
//
// What S3 answers, per its API reference (s3rver, the test server, answers the same for what is used here):
// - HeadObject of a missing key: 404 with no body, which the SDK names "NotFound"; a 403 instead when the
//   credentials lack s3:ListBucket, treated as an error, not as "absent"
//   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
// - GetObject of a missing key: 404 NoSuchKey, same 403 caveat; a missing bucket is 404 NoSuchBucket, which
//   must not read as "no such bytes" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
// - DeleteObject of a missing key: 204, success (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html).
// - ListObjectsV2: at most 1000 keys a page, IsTruncated + NextContinuationToken for the next
//   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
// - PutObject with x-amz-checksum-sha256: S3 refuses bytes that do not match (400 BadDigest), so a torn
//   upload is never stored under its address (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
//   s3rver ignores the header; the sha256 is computed here before the upload in any case.
// Retries are the SDK's defaults (3 attempts, "standard" mode: throttling, 5xx and network errors, with
// backoff); each attempt is bounded by the configured timeout.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat, unlink } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import type { BlobStoreConfig } from "../config.ts";
import { SHA256, type BlobStore, type StoredBlob } from "./blob-store.ts";
import { sweepTempDir, tempPathIn } from "./temp-files.ts";

export type S3BlobStoreConfig = Extract<BlobStoreConfig, { kind: "s3" }>;

const statusOf = (error: unknown): number | undefined =>
  error instanceof S3ServiceException ? error.$metadata.httpStatusCode : (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;

/** A 404 about the key, not about the bucket (see above). */
const keyMissing = (error: unknown) => statusOf(error) === 404 && (error as { name?: string }).name !== "NoSuchBucket";

const base64Of = (sha256: string) => Buffer.from(sha256, "hex").toString("base64");

/**
 * Errors the SDK's standard retry mode retries by name whatever their status (its service-error
 * classification): S3's 400 RequestTimeout, which a stalled upload body gets
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html), and the throttling codes.
 */
const RETRIED_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "SlowDown", "Throttling", "ThrottlingException", "RequestThrottled", "RequestLimitExceeded", "TooManyRequestsException", "BandwidthLimitExceeded"]);

/** Worth another attempt, as the SDK judges it: no answer (network, timeout), throttling, or a server error. */
const transient = (error: unknown) => {
  const status = statusOf(error);
  return status === undefined || status === 429 || status >= 500 || RETRIED_NAMES.has((error as { name?: string } | null)?.name ?? "");
};

export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  /** For streamed uploads, which the SDK cannot rewind to retry: putFile retries with a fresh stream. */
  private readonly once: S3Client;

  constructor(
    private readonly config: S3BlobStoreConfig,
    /** This machine's directory for files on their way in. */
    private readonly tempDir: string,
    /** Keys per ListObjectsV2 page (S3's maximum is 1000; tests use fewer to see the paging). */
    private readonly pageSize = 1000,
  ) {
    const options = {
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      ...(config.credentials ? { credentials: config.credentials } : {}),
      // Per attempt: the connection, then the whole answer. A stuck store fails the request instead of hanging
      // it (without throwOnRequestTimeout the SDK only logs a warning and keeps waiting).
      requestHandler: { connectionTimeout: Math.min(config.timeoutMs, 10_000), requestTimeout: config.timeoutMs, throwOnRequestTimeout: true },
      // The sha256 checksum is sent by us (above); the SDK's own CRC32 default would stream uploads with
      // aws-chunked trailers, which several S3-compatible servers do not accept.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    } as const;
    this.client = new S3Client(options);
    this.once = new S3Client({ ...options, maxAttempts: 1 });
  }

  keyOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return `${this.config.prefix}${sha256.slice(0, 2)}/${sha256.slice(2)}`;
  }

  /** Fails with a clear message when the bucket cannot be reached (checked at start). */
  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.config.bucket }));
    } catch (error) {
      const status = statusOf(error);
      const reason = status === 404 ? "no such bucket" : status === 403 ? "access denied (check the credentials and s3:ListBucket)" : error instanceof Error ? error.message || error.name : String(error);
      throw new Error(`Cannot use the S3 bucket "${this.config.bucket}"${this.config.endpoint ? ` at ${this.config.endpoint}` : ""}: ${reason}`);
    }
  }

  tempPath(): string {
    return tempPathIn(this.tempDir);
  }

  /** The stored size, or null when absent. */
  private async sizeOf(sha256: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(sha256) }));
      return head.ContentLength ?? null;
    } catch (error) {
      if (keyMissing(error)) return null;
      throw error;
    }
  }

  async put(bytes: Uint8Array): Promise<string> {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if ((await this.sizeOf(sha256)) === bytes.byteLength) return sha256;
    await this.client.send(
      new PutObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(sha256), Body: bytes, ContentLength: bytes.byteLength, ChecksumSHA256: base64Of(sha256) }),
    );
    return sha256;
  }

  async putFile(path: string, sha256: string): Promise<void> {
    const size = (await stat(path)).size;
    if ((await this.sizeOf(sha256)) !== size) {
      // Streamed from disk (uploads are never held in memory), a fresh stream per attempt; as many
      // attempts as the SDK's standard retry mode makes, with a growing pause.
      for (let attempt = 1; ; attempt++) {
        try {
          await this.once.send(
            new PutObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(sha256), Body: createReadStream(path), ContentLength: size, ChecksumSHA256: base64Of(sha256) }),
          );
          break;
        } catch (error) {
          if (attempt >= 3 || !transient(error)) throw error;
          await sleep(100 * 4 ** (attempt - 1) * (0.5 + Math.random()));
        }
      }
    }
    await unlink(path).catch(() => undefined);
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.sizeOf(sha256)) !== null;
  }

  async get(sha256: string): Promise<Buffer | null> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(sha256) }));
      if (!object.Body) return Buffer.alloc(0);
      return Buffer.from(await object.Body.transformToByteArray());
    } catch (error) {
      if (keyMissing(error)) return null;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    // A missing key is a success (204) already: deleting twice is the outcome wanted, as with files.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(sha256) }));
  }

  async *list(): AsyncIterable<StoredBlob> {
    const prefix = this.config.prefix;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: prefix, MaxKeys: this.pageSize, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) {
        const rest = object.Key?.slice(prefix.length) ?? "";
        // <ab>/<cdef…>; anything else under the prefix is not ours.
        const sha256 = rest.length === 65 && rest[2] === "/" ? rest.slice(0, 2) + rest.slice(3) : "";
        if (SHA256.test(sha256)) yield { sha256, modifiedAt: object.LastModified?.getTime() ?? Date.now() };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  sweepTemp(ageMs: number): Promise<number> {
    return sweepTempDir(this.tempDir, ageMs);
  }

  close(): void {
    this.client.destroy();
    this.once.destroy();
  }
}
