// Image bytes, content-addressed by sha256: the same image is stored once and the ETag is the address. The
// stores use only `BlobStore`, so an object store can replace the files later; `FileBlobStore` keeps them
// under DATA_DIR/assets/ab/cdef…, and a file is never rewritten once in place (temp file, then rename).
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

const SHA256 = /^[0-9a-f]{64}$/;

export interface BlobStore {
  /** Stores the bytes (once) and returns their sha256. */
  put(bytes: Uint8Array): Promise<string>;
  /** null when there are no such bytes. */
  get(sha256: string): Promise<Buffer | null>;
  has(sha256: string): Promise<boolean>;
  /** Removes the bytes; nothing happens when they are already gone. Callers decide that nothing refers to
   * them (asset-repo's delete, under the blob's row lock). */
  delete(sha256: string): Promise<void>;
}

export class FileBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2));
  }

  async put(bytes: Uint8Array): Promise<string> {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const path = this.pathOf(sha256);
    const exists = await stat(path).then(
      (s) => s.size === bytes.byteLength,
      () => false,
    );
    if (exists) return sha256;
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
    const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, path);
    return sha256;
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
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    try {
      await unlink(this.pathOf(sha256));
    } catch (error) {
      // Already gone (deleted twice, or a delete retried after its transaction was): the outcome wanted.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}
