// What every BlobStore promises (blob-store.ts), as one suite run on each implementation: FileBlobStore in
// blob-store.test.ts, S3BlobStore against a real S3-compatible server in s3-blob-store.test.ts.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, utimes, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { BlobStore } from "../assets/blob-store.ts";

export interface ContractStore {
  store: BlobStore;
  /** The store's temp directory (files on their way in). */
  tempDir: string;
}

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function listed(store: BlobStore): Promise<string[]> {
  const out: string[] = [];
  for await (const blob of store.list()) out.push(blob.sha256);
  return out.sort();
}

/** `fresh` gives an empty store each time. */
export function blobStoreContract(name: string, fresh: () => Promise<ContractStore>): void {
  describe(`${name}: the BlobStore contract`, () => {
    it("stores bytes by their sha256, once, and gives them back", async () => {
      const { store } = await fresh();
      const bytes = Buffer.from("hello image");
      const address = await store.put(bytes);
      expect(address).toBe(sha(bytes));
      expect(await store.put(Buffer.from("hello image"))).toBe(address);
      expect((await store.get(address))?.equals(bytes)).toBe(true);
      expect(await store.has(address)).toBe(true);
      expect(await listed(store)).toEqual([address]);
    });

    it("answers null for missing bytes and refuses what is not a sha256", async () => {
      const { store } = await fresh();
      expect(await store.get("0".repeat(64))).toBeNull();
      expect(await store.has("0".repeat(64))).toBe(false);
      await expect(store.get("../../etc/passwd")).rejects.toThrow(/sha256/);
      await expect(store.has("../../etc/passwd")).rejects.toThrow(/sha256/);
      await expect(store.delete("../../etc/passwd")).rejects.toThrow(/sha256/);
      await expect(store.put(Buffer.from("x")).then((s) => store.get(s.toUpperCase()))).rejects.toThrow(/sha256/);
    });

    it("deletes bytes; deleting missing bytes is not an error; the same bytes can come back", async () => {
      const { store } = await fresh();
      const address = await store.put(Buffer.from("to be deleted"));
      await store.delete(address);
      expect(await store.has(address)).toBe(false);
      expect(await store.get(address)).toBeNull();
      await store.delete(address);
      await store.delete("1".repeat(64));
      expect(await store.put(Buffer.from("to be deleted"))).toBe(address);
      expect((await store.get(address))?.toString()).toBe("to be deleted");
    });

    it("moves an upload in from its temp file, and leaves no temp file behind", async () => {
      const { store, tempDir } = await fresh();
      const bytes = Buffer.alloc(300_000, 7); // several network packets
      await mkdir(tempDir, { recursive: true });
      const first = store.tempPath();
      await writeFile(first, bytes);
      await store.putFile(first, sha(bytes));
      expect(existsSync(first)).toBe(false);
      expect((await store.get(sha(bytes)))?.equals(bytes)).toBe(true);
      // The same upload again: already stored, its temp file still goes.
      const again = store.tempPath();
      expect(again).not.toBe(first);
      await writeFile(again, bytes);
      await store.putFile(again, sha(bytes));
      expect(existsSync(again)).toBe(false);
      expect(await listed(store)).toEqual([sha(bytes)]);
    });

    it("stores concurrent puts of the same bytes once, whole", async () => {
      const { store } = await fresh();
      const bytes = Buffer.alloc(64_000, 3);
      const addresses = await Promise.all(Array.from({ length: 8 }, () => store.put(bytes)));
      expect(new Set(addresses)).toEqual(new Set([sha(bytes)]));
      expect((await store.get(sha(bytes)))?.equals(bytes)).toBe(true);
      expect(await listed(store)).toEqual([sha(bytes)]);
    });

    it("lists every stored blob with when it was written", async () => {
      const { store } = await fresh();
      const before = Date.now() - 2000; // S3's LastModified has whole seconds
      const addresses = await Promise.all(Array.from({ length: 7 }, (_, i) => store.put(Buffer.from(`blob ${i}`))));
      const blobs: { sha256: string; modifiedAt: number }[] = [];
      for await (const blob of store.list()) blobs.push(blob);
      expect(blobs.map((b) => b.sha256).sort()).toEqual([...addresses].sort());
      for (const blob of blobs) expect(blob.modifiedAt).toBeGreaterThanOrEqual(before);
      await store.delete(addresses[0]!);
      expect(await listed(store)).toEqual(addresses.slice(1).sort());
    });

    it("sweeps temp files left by a dead process, not fresh ones", async () => {
      const { store, tempDir } = await fresh();
      await mkdir(tempDir, { recursive: true });
      const old = store.tempPath();
      const young = store.tempPath();
      await writeFile(old, "half an upload");
      await writeFile(young, "an upload under way");
      const hourAgo = new Date(Date.now() - 3_600_000);
      await utimes(old, hourAgo, hourAgo);
      expect(await store.sweepTemp(60_000)).toBe(1);
      expect(existsSync(old)).toBe(false);
      expect(existsSync(young)).toBe(true);
    });
  });
}
