// The layers of the house, checked over the import graph so they stay this way: a module may import only
// from its own layer or a lower one. Imports are read with TypeScript's own scanner (ts.preProcessFile:
// static, type-only, re-exports and dynamic import() alike), from every .ts/.tsx file under core/, plugin/,
// ui/ and server/.
//
//   core/                      bottom: the contract; imports nothing but zod
//   plugin/, ui/               may import core/ only (ui never imports plugin/ or server/; plugin never ui/ or server/)
//   server/, bottom to top:
//     infrastructure           db/, images/ and the process-wide helpers named in INFRASTRUCTURE below
//     domain                   ledger/, teams/, jobs/, assets/, providers/, social/, reports/ (+ stores.ts, their type)
//     http                     http/: Hono app, routes, body parsing, the one mapping of domain errors to API codes
//     composition root         every other server/*.ts (compose, start-server, main, serve, ...) and admin/ (the CLI)
//
// Tests (*.test.ts) and test support (server/test-support/, plugin/testing/, ui/testing/, test/) may import
// anything, so they are not checked as importers; production code must never import them. scripts/ and
// bench/ are tools around the product, not layers of it.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

type Layer = "core" | "plugin" | "ui" | "infrastructure" | "domain" | "http" | "composition" | "test";

/** server/*.ts files below the domain: configuration, ids, logging, redaction, work slots, startup errors. */
const INFRASTRUCTURE = ["catalog-loader", "config", "ids", "logger", "process-env", "redact", "slots", "startup-error", "version"];
const DOMAIN_FOLDERS = ["ledger", "teams", "jobs", "assets", "providers", "social", "reports"];

/** What each layer may import (its own layer included). */
const ALLOWED: Record<Exclude<Layer, "test">, readonly Layer[]> = {
  core: ["core"],
  plugin: ["plugin", "core"],
  ui: ["ui", "core"],
  infrastructure: ["infrastructure", "core"],
  domain: ["domain", "infrastructure", "core"],
  http: ["http", "domain", "infrastructure", "core"],
  composition: ["composition", "http", "domain", "infrastructure", "core"],
};

const isTest = (path: string) =>
  /\.test\.tsx?$/.test(path) || /^(server\/test-support|plugin\/testing|plugin\/bundle|ui\/testing|test)\//.test(path);

/** The layer of a repository path (posix, relative to the root); undefined for a file no rule covers. */
function layerOf(path: string): Layer | undefined {
  if (isTest(path)) return "test";
  const [top, second, ...rest] = path.split("/");
  if (top === "core" || top === "plugin" || top === "ui") return top;
  if (top !== "server" || second === undefined) return undefined;
  if (rest.length === 0) {
    const name = second.replace(/\.tsx?$/, "");
    if (INFRASTRUCTURE.includes(name)) return "infrastructure";
    if (name === "stores") return "domain";
    return "composition";
  }
  if (second === "db" || second === "images") return "infrastructure";
  if (DOMAIN_FOLDERS.includes(second)) return "domain";
  if (second === "http") return "http";
  if (second === "admin") return "composition";
  return undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

interface Import {
  from: string;
  /** A repository path for a relative import; the package name otherwise. */
  to: string;
  relative: boolean;
}

function importsOf(path: string): Import[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, path), "utf8"), true, true);
  return info.importedFiles.map(({ fileName }) => {
    if (!fileName.startsWith(".")) return { from: path, to: fileName, relative: false };
    return { from: path, to: relative(ROOT, resolve(ROOT, dirname(path), fileName)).split("\\").join("/"), relative: true };
  });
}

const FILES = ["core", "plugin", "ui", "server"].flatMap(sourceFiles);
const PRODUCTION = FILES.filter((f) => layerOf(f) !== "test");

/** Every import of production code that breaks a rule, as "from → to (why)". */
function violations(): string[] {
  const found: string[] = [];
  for (const file of PRODUCTION) {
    const layer = layerOf(file);
    if (layer === undefined || layer === "test") continue; // reported by the first test
    for (const i of importsOf(file)) {
      if (!i.relative) {
        if (layer === "core" && !/^zod(\/|$)/.test(i.to)) found.push(`${i.from} → ${i.to} (core imports nothing but zod)`);
        continue;
      }
      const target = layerOf(i.to);
      if (target === "test") found.push(`${i.from} → ${i.to} (production code never imports tests or test support)`);
      else if (target === undefined) found.push(`${i.from} → ${i.to} (outside every layer)`);
      else if (!ALLOWED[layer].includes(target)) found.push(`${i.from} → ${i.to} (${layer} may not import ${target})`);
    }
  }
  return found;
}

describe("the import graph", () => {
  it("finds the files it checks, each in a layer", () => {
    expect(PRODUCTION.length).toBeGreaterThan(150);
    expect(PRODUCTION.filter((f) => layerOf(f) === undefined)).toEqual([]);
    for (const layer of ["core", "plugin", "ui", "infrastructure", "domain", "http", "composition"] as const)
      expect(PRODUCTION.some((f) => layerOf(f) === layer), layer).toBe(true);
  });

  it("runs only downward: no module imports from a higher layer, from server/http/ outside it, or from tests", () => {
    expect(violations()).toEqual([]);
  });

  it("would catch a domain module importing http/, an upward import, and production code importing test support", () => {
    // The rules themselves, on made-up edges, so a loosened table fails here too.
    const allowed = (from: string, to: string) => ALLOWED[layerOf(from) as Exclude<Layer, "test">].includes(layerOf(to)!);
    expect(allowed("server/jobs/accept-job.ts", "server/http/api-error.ts")).toBe(false);
    expect(allowed("server/db/sql.ts", "server/ledger/types.ts")).toBe(false);
    expect(allowed("server/http/app.ts", "server/compose.ts")).toBe(false);
    expect(allowed("ui/app.tsx", "plugin/main.ts")).toBe(false);
    expect(allowed("plugin/main.ts", "ui/app.tsx")).toBe(false);
    expect(allowed("core/estimate.ts", "server/ids.ts")).toBe(false);
    expect(allowed("server/compose.ts", "server/http/app.ts")).toBe(true);
    expect(layerOf("server/test-support/harness.ts")).toBe("test");
  });
});
