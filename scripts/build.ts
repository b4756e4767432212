// Builds the two files Figma loads: dist/plugin.js (the sandbox) and dist/ui.html (the panel).
// Figma hands the UI to the iframe as one string (`__html__`), so a `<script src>` or `<link href>` could
// never resolve: every byte of JS and CSS is inlined into ui.html.
import * as esbuild from "esbuild";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { manifestText, pluginConfig, type PluginConfig } from "./plugin-config.ts";
import { assertSandboxGlobals } from "./check-sandbox-globals.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DIST = join(ROOT, "dist");
export const PLUGIN_OUT = join(DIST, "plugin.js");
export const UI_OUT = join(DIST, "ui.html");
/** What Figma imports: it names the two files above and the origins the plugin may reach. */
export const MANIFEST = join(ROOT, "manifest.json");
/** The sandbox rejected object spread as late as 2023 (see shared/reference/figma.md), so stay at ES2017. */
export const PLUGIN_TARGET = "es2017";
/** The panel runs in Figma desktop's Chromium or, with Figma in a browser, in that browser. */
export const UI_TARGET = ["chrome100", "edge100", "firefox100", "safari15"];

/**
 * `import { z } from "zod"` names zod's whole namespace object, which esbuild cannot tree-shake: every
 * locale, the JSON-Schema converters and the schema compiler would ship (about 60 KB gzipped more). The bundles
 * get a `z` with only the members listed in ZOD_MEMBERS, each taken from one of zod's classic API modules
 * (ZOD_SLIM_MODULES), so whatever no listed member reaches is left out too (Map, Set, Promise, File, codec
 * and function schemas, error formatting...). English messages still apply, as schemas.js registers the `en`
 * locale itself. Type-checking still sees real zod; scripts/build.test.ts checks that every `z.` member the
 * bundled code uses is in ZOD_MEMBERS (add a member there when the test names it).
 */
export const ZOD_SLIM_MODULES = ["schemas", "checks", "errors", "parse", "compat"] as const;
export const ZOD_MEMBERS = [
  "ZodType",
  "array",
  "boolean",
  "discriminatedUnion",
  "enum",
  "instanceof",
  "literal",
  "number",
  "object",
  "record",
  "strictObject",
  "string",
  "templateLiteral",
  "union",
  "unknown",
  "url",
] as const;
export const zodRoot = join(dirname(createRequire(import.meta.url).resolve("zod/package.json")), "v4");
export const zodClassicDir = join(zodRoot, "classic");

/** The source of the module `z` names: each of ZOD_MEMBERS re-exported from the first slim module that has it. */
export async function zodMembersSource(): Promise<string> {
  const left = new Set<string>(ZOD_MEMBERS);
  const lines: string[] = [];
  for (const m of ZOD_SLIM_MODULES) {
    const path = join(zodClassicDir, `${m}.js`);
    const names = Object.keys(await import(path)).filter((n) => left.delete(n));
    if (names.length) lines.push(`export { ${names.join(", ")} } from ${JSON.stringify(path)};`);
  }
  if (left.size) throw new Error(`ZOD_MEMBERS names ${[...left].join(", ")}, which none of zod's ${ZOD_SLIM_MODULES.join(", ")} modules export`);
  return lines.join("\n");
}

/**
 * zod modules (under zod/v4) that even the classic subset drags in though nothing here calls them: every
 * schema type wires its JSON-Schema converter in at construction (`processJSONSchema`, `toJSONSchema()`,
 * `~standard.jsonSchema`), so the converters (about 20 KB minified) would ship although no bundle converts a
 * schema to JSON Schema. Each is replaced by a module with the same exports: the ones listed here stay real
 * (the `.minLength`/`.format` getters of string and number schemas read `aggregateChecks`), every other
 * export is a function that throws ZOD_STUB_MESSAGE when called; `create…Method` factories return such a
 * function, so building the `~standard` property still works and only calling its `jsonSchema` throws.
 * scripts/build.test.ts checks that no bundled code calls a stubbed member and that the bundles hold none
 * of their code.
 */
export const ZOD_STUBBED_MODULES: Readonly<Record<string, readonly string[]>> = {
  "core/json-schema-processors.js": ["aggregateChecks"],
  "core/to-json-schema.js": [],
  "core/json-schema-generator.js": [],
};
export const ZOD_STUB_MESSAGE = "JSON Schema conversion is not in this bundle (see ZOD_STUBBED_MODULES in scripts/build.ts)";

/** The stand-in module's source for one of ZOD_STUBBED_MODULES: its real exports, read by importing it. */
export async function zodStubSource(module: string): Promise<string> {
  const real = join(zodRoot, module);
  const keep = ZOD_STUBBED_MODULES[module];
  if (!keep) throw new Error(`${module} is not one of ZOD_STUBBED_MODULES`);
  const names = Object.keys(await import(real));
  for (const name of keep) if (!names.includes(name)) throw new Error(`zod's ${module} no longer exports ${name}`);
  const lines = [`const off = () => { throw new Error(${JSON.stringify(ZOD_STUB_MESSAGE)}); };`];
  if (keep.length) lines.push(`export { ${keep.join(", ")} } from ${JSON.stringify(real)};`);
  for (const name of names.filter((n) => !keep.includes(n)))
    lines.push(`export const ${name} = ${/^create\w*Method$/.test(name) ? "() => off" : "off"};`);
  return lines.join("\n");
}

/** Resolves `zod` to the slim `z` and stands in for ZOD_STUBBED_MODULES; used by both bundles. */
export const zodSlim: esbuild.Plugin = {
  name: "zod-slim",
  setup(build) {
    build.onResolve({ filter: /^zod$/ }, () => ({ path: "zod", namespace: "zod-slim" }));
    build.onResolve({ filter: /^zod-slim-members$/ }, () => ({ path: "members", namespace: "zod-slim" }));
    // zod's own relative imports of a stubbed module; the stand-in imports the real file by absolute path,
    // which this filter does not match, for the exports it keeps.
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const path = resolve(args.resolveDir, args.path);
      const module = relative(zodRoot, path).split(sep).join("/");
      return module in ZOD_STUBBED_MODULES ? { path: module, namespace: "zod-stub" } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: "zod-stub" }, async (args) => ({ contents: await zodStubSource(args.path), loader: "js", resolveDir: zodRoot }));
    build.onLoad({ filter: /.*/, namespace: "zod-slim" }, async (args) => ({
      contents: args.path === "zod" ? 'export * as z from "zod-slim-members";' : await zodMembersSource(),
      loader: "js",
      resolveDir: zodClassicDir,
    }));
  },
};

const shared: esbuild.BuildOptions = {
  bundle: true,
  minify: true,
  write: false,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
};

/** `--analyze`: what takes the bytes, largest first. */
const metafiles: esbuild.Metafile[] = [];

export async function buildPlugin(): Promise<Uint8Array> {
  const result = await esbuild.build({
    ...shared,
    entryPoints: [join(ROOT, "plugin/main.ts")],
    format: "iife",
    target: PLUGIN_TARGET,
    platform: "neutral",
    mainFields: ["module", "main"],
    tsconfig: join(ROOT, "plugin/tsconfig.json"),
    banner: { js: '"use strict";' },
    plugins: [zodSlim],
    outfile: PLUGIN_OUT,
  });
  if (result.metafile) metafiles.push(result.metafile);
  return only(result, ".js");
}

export async function buildUI(config: PluginConfig = pluginConfig()): Promise<string> {
  const result = await esbuild.build({
    ...shared,
    // The origins the manifest allows, for the warning in Settings (ui/proxy-url.ts).
    define: { ...shared.define, __PROXY_ORIGINS__: JSON.stringify(config.origins) },
    entryPoints: [join(ROOT, "ui/main.tsx")],
    format: "iife",
    target: UI_TARGET,
    platform: "browser",
    jsx: "automatic",
    jsxImportSource: "preact",
    tsconfig: join(ROOT, "ui/tsconfig.json"),
    loader: { ".css": "css" },
    plugins: [zodSlim],
    outdir: DIST,
    entryNames: "ui",
  });
  if (result.metafile) metafiles.push(result.metafile);
  const js = new TextDecoder().decode(only(result, ".js"));
  const css = new TextDecoder().decode(optional(result, ".css") ?? new Uint8Array());
  return uiHtml(js, css);
}

/** `</script` (and `<!--`) inside the inlined JS would end or confuse the script element. */
export function escapeInlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

function escapeInlineStyle(css: string): string {
  return css.replace(/<\/(style)/gi, "<\\/$1");
}

function uiHtml(js: string, css: string): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    "<title>Image Studio</title>",
    `<style>${escapeInlineStyle(css)}</style>`,
    "</head>",
    '<body><div id="app"></div>',
    `<script>${escapeInlineScript(js)}</script>`,
    "</body></html>",
    "",
  ].join("");
}

function optional(result: esbuild.BuildResult, ext: string): Uint8Array | undefined {
  return result.outputFiles?.find((f) => f.path.endsWith(ext) && !f.path.endsWith(".map"))?.contents;
}

function only(result: esbuild.BuildResult, ext: string): Uint8Array {
  const file = optional(result, ext);
  if (!file) throw new Error(`esbuild produced no ${ext} output`);
  return file;
}

function kb(n: number): string {
  return `${(n / 1024).toFixed(1)} KB`;
}

/** Write-then-rename, so a reader (Figma reloading, a browser test serving dist/) never sees half a file. */
async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

export async function build(): Promise<{ plugin: Uint8Array; ui: string }> {
  const config = pluginConfig();
  const [plugin, ui] = await Promise.all([buildPlugin(), buildUI(config)]);
  // Before anything is written: a plugin.js that reads a global Figma's sandbox lacks must not reach dist/.
  await assertSandboxGlobals(plugin);
  await mkdir(DIST, { recursive: true });
  await Promise.all([writeAtomically(PLUGIN_OUT, plugin), writeAtomically(UI_OUT, ui), writeManifest(config)]);
  return { plugin, ui };
}

/** manifest.json for this build's origins and id; left untouched when it already says the same. */
async function writeManifest(config: PluginConfig): Promise<void> {
  const text = manifestText(config);
  const current = await readFile(MANIFEST, "utf8").catch(() => "");
  if (current !== text) await writeAtomically(MANIFEST, text);
}

async function main(): Promise<void> {
  const { plugin, ui } = await build();
  const uiBytes = new TextEncoder().encode(ui);
  for (const [name, bytes] of [
    ["dist/plugin.js", plugin],
    ["dist/ui.html", uiBytes],
  ] as const)
    console.log(`${name.padEnd(16)} ${kb(bytes.byteLength).padStart(9)} raw  ${kb(gzipSync(bytes).byteLength).padStart(8)} gzipped`);
  if (process.argv.includes("--analyze"))
    for (const meta of metafiles)
      for (const [out, { inputs }] of Object.entries(meta.outputs)) {
        console.log(`\n${out}`);
        for (const [input, { bytesInOutput }] of Object.entries(inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 20))
          console.log(`  ${kb(bytesInOutput).padStart(9)}  ${input}`);
      }
}

// Run when executed (`tsx scripts/build.ts`), not when imported by the build test.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
