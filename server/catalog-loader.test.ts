import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../core/catalog/default-catalog.ts";
import { CatalogError, loadCatalog } from "./catalog-loader.ts";
import { startServer } from "./start-server.ts";
import { createLogger } from "./logger.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "catalog-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe("loadCatalog", () => {
  it("returns the default catalog without CATALOG_PATH", async () => {
    expect(await loadCatalog(undefined)).toEqual(DEFAULT_CATALOG);
  });

  it("loads a valid operator file, prices included", async () => {
    const custom = structuredClone(DEFAULT_CATALOG);
    custom.version = "acme-1";
    custom.create.qualities.draft.credits = 3;
    const catalog = await loadCatalog(await file("ok.json", JSON.stringify(custom)));
    expect(catalog.version).toBe("acme-1");
    expect(catalog.create.qualities.draft.credits).toBe(3);
  });

  it("names the bad field of an invalid file", async () => {
    const bad = structuredClone(DEFAULT_CATALOG) as unknown as { create: { qualities: { draft: { credits: unknown } } } };
    bad.create.qualities.draft.credits = "two";
    const path = await file("bad.json", JSON.stringify(bad));
    await expect(loadCatalog(path)).rejects.toThrowError(CatalogError);
    await expect(loadCatalog(path)).rejects.toThrowError(`CATALOG_PATH ${path}: create.qualities.draft.credits: Invalid input: expected number`);
  });

  it("names an unknown provider in a route", async () => {
    const bad = structuredClone(DEFAULT_CATALOG);
    bad.create.qualities.premium.route[0] = { provider: "nobody", model: "x" };
    await expect(loadCatalog(await file("route.json", JSON.stringify(bad)))).rejects.toThrowError(/create\.qualities\.premium\.route\.0: unknown provider "nobody"/);
  });

  it("reports a missing file and malformed JSON clearly", async () => {
    await expect(loadCatalog(join(dir, "missing.json"))).rejects.toThrowError(/CATALOG_PATH .*missing\.json: cannot read the file \(ENOENT\)/);
    await expect(loadCatalog(await file("broken.json", "{ nope"))).rejects.toThrowError(/not valid JSON/);
  });

  it("stops the server from starting, before it listens or opens the database", async () => {
    const bad = structuredClone(DEFAULT_CATALOG) as unknown as { tiers: { maxVariations: unknown }[] };
    bad.tiers[0]!.maxVariations = 11;
    const path = await file("tier.json", JSON.stringify(bad));
    const dataDir = join(dir, "data");
    await expect(
      startServer({ env: { CATALOG_PATH: path }, port: 0, dataDir, logger: createLogger("silent"), print: () => {} }),
    ).rejects.toThrowError(/tiers\.0\.maxVariations/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
