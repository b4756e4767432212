import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { blobStoreContract } from "../test-support/blob-store-contract.ts";
import { FileBlobStore } from "./blob-store.ts";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "blobs-"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

blobStoreContract("FileBlobStore", async () => ({ store: new FileBlobStore(join(root, "assets"), join(root, "tmp")), tempDir: join(root, "tmp") }));

describe("FileBlobStore", () => {
  it("stores bytes under assets/ab/cdef… by their sha256, once", async () => {
    const store = new FileBlobStore(join(root, "assets"), join(root, "tmp"));
    const bytes = Buffer.from("hello image");
    const sha = await store.put(bytes);
    expect(sha).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(existsSync(join(root, "assets", sha.slice(0, 2), sha.slice(2)))).toBe(true);
    expect(await store.put(Buffer.from("hello image"))).toBe(sha);
    expect(await readdir(join(root, "assets", sha.slice(0, 2)))).toEqual([sha.slice(2)]);
    expect(await readdir(join(root, "tmp"))).toEqual([]); // no temp files left
    expect((await store.get(sha))?.equals(bytes)).toBe(true);
    expect(await store.has(sha)).toBe(true);
  });

  it("answers null for missing content and refuses non-hashes", async () => {
    const store = new FileBlobStore(join(root, "assets"), join(root, "tmp"));
    expect(await store.get("0".repeat(64))).toBeNull();
    expect(await store.has("0".repeat(64))).toBe(false);
    await expect(store.get("../../etc/passwd")).rejects.toThrow();
    await expect(store.delete("../../etc/passwd")).rejects.toThrow();
  });

  it("deletes bytes, and deleting missing bytes is not an error", async () => {
    const store = new FileBlobStore(join(root, "assets"), join(root, "tmp"));
    const sha = await store.put(Buffer.from("to be deleted"));
    await store.delete(sha);
    expect(await store.has(sha)).toBe(false);
    expect(await store.get(sha)).toBeNull();
    await store.delete(sha); // twice: already gone
    await store.delete("1".repeat(64)); // never there
    // The same bytes can be stored again afterwards.
    expect(await store.put(Buffer.from("to be deleted"))).toBe(sha);
    expect(await store.has(sha)).toBe(true);
  });
});
