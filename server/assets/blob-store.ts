// Image bytes, content-addressed by sha256: the same image is stored once and the ETag is the address. The
// stores use only `BlobStore`, whose two implementations the composition root picks from the configuration:
// `FileBlobStore` (here) keeps them under DATA_DIR/assets/ab/cdef…, for one proxy or several on one disk;
// `S3BlobStore` (s3-blob-store.ts) in a bucket every proxy shares. A stored blob is never rewritten and never
// seen half-written: here it is written in full under DATA_DIR/tmp (uploads stream there too) and renamed
// into place; S3 makes an object visible only once its PUT completed. What a process that died left in tmp
// is removed by the reaper (sweepTemp), and bytes no row refers to by its orphan sweep (asset-repo.ts).
import { createHash, randomBytes } from "node:crypto";
import { copyFile, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sweepTempDir, tempPathIn } from "./temp-files.ts";

export const SHA256 = /^[0-9a-f]{64}$/;
const PREFIX = /^[0-9a-f]{2}$/;

export interface StoredBlob {
  sha256: string;
  /** Last modification, ms since the epoch. */
  modifiedAt: number;
}

export interface BlobStore {
  /** Stores the bytes (once) and returns their sha256. */
  put(bytes: Uint8Array): Promise<string>;
  /** A fresh path for a file on its way in (an upload being received), from which putFile moves it in. */
  tempPath(): string;
  /** Moves the file at `path` (a tempPath whose sha256 the caller computed) into the store. */
  putFile(path: string, sha256: string): Promise<void>;
  /** null when there are no such bytes. */
  get(sha256: string): Promise<Buffer | null>;
  has(sha256: string): Promise<boolean>;
  /** Removes the bytes; nothing happens when they are already gone. Callers decide that nothing refers to
   * them (asset-repo's delete, under the blob's row lock, which is in the shared database: so it holds for
   * every proxy sharing the store). */
  delete(sha256: string): Promise<void>;
  /** Every stored blob (for the orphan sweep). */
  list(): AsyncIterable<StoredBlob>;
  /** Removes temporary files not written to for `ageMs` (a process died mid-write); how many went. */
  sweepTemp(ageMs: number): Promise<number>;
}

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

export class FileBlobStore implements BlobStore {
  constructor(
    private readonly root: string,
    /** On the same file system as `root`, so a finished file moves in by rename. */
    private readonly tempDir: string,
  ) {}

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2));
  }

  tempPath(): string {
    return tempPathIn(this.tempDir);
  }

  private async present(path: string, size: number): Promise<boolean> {
    return stat(path).then(
      (s) => s.size === size,
      () => false,
    );
  }

  async put(bytes: Uint8Array): Promise<string> {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (await this.present(this.pathOf(sha256), bytes.byteLength)) return sha256;
    const temp = this.tempPath();
    await mkdir(this.tempDir, { recursive: true });
    await writeFile(temp, bytes);
    await this.putFile(temp, sha256);
    return sha256;
  }

  async putFile(path: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    if (await this.present(target, (await stat(path)).size)) return unlink(path).catch(() => undefined);
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
    try {
      await rename(path, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
      // Another file system after all (a temp dir mounted elsewhere): copy beside the target, then rename.
      const beside = `${target}.${randomBytes(6).toString("hex")}.tmp`;
      await copyFile(path, beside);
      await rename(beside, target);
      await unlink(path).catch(() => undefined);
    }
  }

  async has(sha256: string): Promise<boolean> {
    return stat(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  async get(sha256: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (error) {
      if (missing(error)) return null;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    try {
      await unlink(this.pathOf(sha256));
    } catch (error) {
      // Already gone (deleted twice, or a delete retried after its transaction was): the outcome wanted.
      if (!missing(error)) throw error;
    }
  }

  async *list(): AsyncIterable<StoredBlob> {
    const prefixes = await readdir(this.root).catch((error: unknown) => (missing(error) ? [] : Promise.reject(error)));
    for (const prefix of prefixes.filter((p) => PREFIX.test(p)).sort()) {
      const names = await readdir(join(this.root, prefix)).catch((error: unknown) => (missing(error) ? [] : Promise.reject(error)));
      for (const name of names) {
        const sha256 = prefix + name;
        if (!SHA256.test(sha256)) continue;
        const s = await stat(join(this.root, prefix, name)).catch(() => null);
        if (s?.isFile()) yield { sha256, modifiedAt: s.mtimeMs };
      }
    }
  }

  sweepTemp(ageMs: number): Promise<number> {
    return sweepTempDir(this.tempDir, ageMs);
  }
}
