import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../core/catalog/default-catalog.ts";
import { MALLOC_ENV } from "./process-env.ts";
import { tempDir } from "./test-support/harness.ts";
import { spawnServer, spawnServerExpectingExit } from "./test-support/spawn-server.ts";

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.concurrent("server/main.ts as a process", () => {
  it("exits 1 naming the variable when the environment is bad", async () => {
    const r = await spawnServerExpectingExit({ PORT: "eighty", DATA_DIR: join(dir, "a") });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PORT: must be a whole number (got "eighty")');
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it("exits 1 naming the field when CATALOG_PATH is invalid", async () => {
    const bad = structuredClone(DEFAULT_CATALOG) as unknown as { create: { qualities: { draft: { credits: unknown } } } };
    bad.create.qualities.draft.credits = -1;
    const path = join(dir, "catalog.json");
    await writeFile(path, JSON.stringify(bad));
    const r = await spawnServerExpectingExit({ CATALOG_PATH: path, DATA_DIR: join(dir, "b") });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`CATALOG_PATH ${path}: create.qualities.draft.credits:`);
  });

  it("exits 1 with a clear message for a PostgreSQL DATABASE_URL it cannot reach", async () => {
    const r = await spawnServerExpectingExit({ DATABASE_URL: "postgresql://studio:pw-123@127.0.0.1:1/studio", DATA_DIR: join(dir, "c") });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot open the PostgreSQL database of DATABASE_URL/);
    expect(r.stderr).not.toContain("pw-123");
  });

  it("runs, as `npm run serve` does, in a process started with the allocator settings, and passes SIGTERM on", async () => {
    const wrapper = await spawnServer({ DATA_DIR: join(dir, "serve") }, 20_000, "server/serve.ts");
    expect((await fetch(`${wrapper.url}/health`)).status).toBe(200);
    // The proxy is the wrapper's child (glibc reads these only when a process starts).
    const pid = Number((await readFile(`/proc/${wrapper.child.pid}/task/${wrapper.child.pid}/children`, "utf8")).trim());
    const environ = (await readFile(`/proc/${pid}/environ`, "utf8")).split("\0");
    expect(environ).toEqual(expect.arrayContaining(Object.entries(MALLOC_ENV).map(([k, v]) => `${k}=${v}`)));
    expect(await wrapper.stop("SIGTERM")).toBe(0);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(wrapper.stdout()).toContain("SIGTERM: stopping the proxy");
  });

  it.each(["SIGTERM", "SIGINT"] as const)("serves, then stops cleanly on %s", async (signal) => {
    const server = await spawnServer({ DATA_DIR: join(dir, signal) });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(server.stdout()).toMatch(/isk_[A-Za-z0-9_-]{43}/);
    expect(await server.stop(signal)).toBe(0);
    expect(server.stdout()).toContain("stopping the proxy");
  });
});
