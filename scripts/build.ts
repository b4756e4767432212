// Builds the two files Figma loads: dist/plugin.js (the sandbox) and dist/ui.html (the panel).
// Figma hands the UI to the iframe as one string (`__html__`), so a `<script src>` or `<link href>` could
// never resolve: every byte of JS and CSS is inlined into ui.html.
// zod goes in as published. plugin.js needs only zod/mini (core/messages.ts); the panel also parses the
// HTTP API with core's classic schemas, and `import { z } from "zod"` there names a namespace object that
// esbuild keeps whole (every locale, the JSON-Schema converters): about 63 KB gzipped, inside the panel's
// budget (scripts/build.test.ts). zod's other documented form, `import * as z from "zod"`, is shaken.
import * as esbuild from "esbuild";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
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
/** The sandbox rejected object spread as late as 2023 (see docs/figma.md), so stay at ES2017. */
export const PLUGIN_TARGET = "es2017";
/** The panel runs in Figma desktop's Chromium or, with Figma in a browser, in that browser. */
export const UI_TARGET = ["chrome100", "edge100", "firefox100", "safari15"];

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
    outfile: PLUGIN_OUT,
  });
  if (result.metafile) metafiles.push(result.metafile);
  return only(result, ".js");
}

export async function buildUI(config: PluginConfig = pluginConfig()): Promise<string> {
  const result = await esbuild.build({
    ...shared,
    // The origins the manifest allows, for the warning in Settings (ui/connection/proxy-url.ts).
    define: { ...shared.define, __PROXY_ORIGINS__: JSON.stringify(config.origins) },
    entryPoints: [join(ROOT, "ui/main.tsx")],
    format: "iife",
    target: UI_TARGET,
    platform: "browser",
    jsx: "automatic",
    jsxImportSource: "preact",
    tsconfig: join(ROOT, "ui/tsconfig.json"),
    loader: { ".css": "css" },
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
