// The memory budget rests on every decode having the pixel limit and failOn of images/decode.ts: this keeps
// any other proxy module from calling sharp itself (tests and test-support/ build their inputs as they like).
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SERVER = fileURLToPath(new URL("../", import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "test-support") out.push(...(await sources(path)));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

describe("image decoding", () => {
  it("goes through server/images/decode.ts alone: no other proxy module imports sharp", async () => {
    const offenders: string[] = [];
    for (const file of await sources(SERVER)) {
      const rel = relative(SERVER, file);
      if (rel === join("images", "decode.ts")) continue;
      const text = await readFile(file, "utf8");
      if (/^\s*import\s+(?!type\b)[^;]*from\s+["']sharp["']/m.test(text) || /\brequire\(["']sharp["']\)|import\(["']sharp["']\)/.test(text)) offenders.push(rel);
    }
    expect(offenders).toEqual([]);
  });
});
