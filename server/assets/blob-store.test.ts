import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BlobStore } from "./blob-store.ts";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "blobs-"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("BlobStore", () => {
  it("stores bytes under assets/ab/cdef… by their sha256, once", async () => {
    const store = new BlobStore(root);
    const bytes = Buffer.from("hello image");
    const sha = await store.put(bytes);
    expect(sha).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(existsSync(join(root, sha.slice(0, 2), sha.slice(2)))).toBe(true);
    expect(await store.put(Buffer.from("hello image"))).toBe(sha);
    expect(await readdir(join(root, sha.slice(0, 2)))).toEqual([sha.slice(2)]); // no temp files left
    expect((await store.get(sha))?.equals(bytes)).toBe(true);
  });

  it("answers null for missing content and refuses non-hashes", async () => {
    const store = new BlobStore(root);
    expect(await store.get("0".repeat(64))).toBeNull();
    await expect(store.get("../../etc/passwd")).rejects.toThrow();
  });
});
