// The harness fails where Figma fails: code that reaches for a Web API the sandbox lacks breaks here,
// though Node and every browser would have run it. The probe is the bug that shipped: zod's classic
// z.url() feature-tests `URL` inside a try/catch, so in Figma every URL was "invalid".
import vm from "node:vm";
import * as esbuild from "esbuild";
import { describe, expect, it } from "vitest";
import { runBundle, useBundles } from "../testing/run-bundle.ts";

async function bundle(source: string): Promise<string> {
  const out = await esbuild.build({ stdin: { contents: source, resolveDir: process.cwd(), loader: "ts" }, bundle: true, write: false, format: "iife", target: "es2017", logLevel: "silent" });
  return out.outputFiles[0]!.text;
}

const probe = `
  import { z } from "zod";
  const ok = z.url().safeParse("https://images.acme.example").success;
  figma.ui.postMessage({ type: "probe", ok });`;

const start = useBundles();

describe("the QuickJS harness bites", () => {
  it("refuses a valid URL through z.url() in the sandbox, where Node accepts it", async () => {
    const code = await bundle(probe);
    const posted: unknown[] = [];
    vm.runInNewContext(code, { URL, figma: { ui: { postMessage: (m: unknown) => posted.push(m) } } });
    expect(posted).toEqual([{ type: "probe", ok: true }]);

    const running = await start({ code });
    expect(running.fake.posted).toEqual([{ type: "probe", ok: false }]);
  });

  it("throws a ReferenceError for a browser-only global, as Figma's sandbox does", async () => {
    const code = await bundle(`figma.ui.postMessage({ type: "probe", encoded: new TextEncoder().encode("x").length });`);
    await expect(runBundle({ code })).rejects.toMatchObject({ name: "ReferenceError", message: "'TextEncoder' is not defined" });
  });
});
