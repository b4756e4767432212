// Files on their way into a blob store, whatever the store: uploads being received and checked, blobs being
// written. They live on this machine's disk (DATA_DIR/tmp) in every deployment, so a request's body is never
// held in memory and a refused upload never reaches the store. What a process that died left here is removed
// by the reaper's file sweep.
import { randomBytes } from "node:crypto";
import { readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

/** A fresh, unique file name in `dir`. */
export function tempPathIn(dir: string): string {
  return join(dir, `${Date.now().toString(36)}-${randomBytes(8).toString("hex")}.tmp`);
}

/** Removes the files of `dir` not written to for `ageMs`; how many went. */
export async function sweepTempDir(dir: string, ageMs: number): Promise<number> {
  const names = await readdir(dir).catch((error: unknown) => (missing(error) ? [] : Promise.reject(error)));
  const cutoff = Date.now() - ageMs;
  let removed = 0;
  for (const name of names) {
    const path = join(dir, name);
    const s = await stat(path).catch(() => null);
    if (!s?.isFile() || s.mtimeMs > cutoff) continue;
    await unlink(path).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}
