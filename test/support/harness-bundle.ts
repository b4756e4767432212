// The harness page's script (test/browser/harness/page.ts), bundled for Chromium by esbuild in memory when a
// browser suite starts, so it always matches the fake and the sandbox host it is built from.
import * as esbuild from "esbuild";
import { join } from "node:path";
import { ROOT } from "./static-server.ts";

export const HARNESS_ENTRY = join(ROOT, "test/browser/harness/page.ts");

export async function bundleHarnessPage(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [HARNESS_ENTRY],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "chrome120",
    logLevel: "silent",
  });
  const [file] = result.outputFiles;
  if (!file) throw new Error("esbuild made no harness bundle");
  return file.text;
}
