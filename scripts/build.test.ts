// The build's promises: one self-contained ui.html (Figma passes it as a string, so nothing external can
// load) inside its size budget, and a plugin.js that is plain ES2017 for the sandbox.
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { PLUGIN_TARGET, buildPlugin, buildUI, escapeInlineScript } from "./build.ts";

/**
 * The panel's budget; the plugin iframe loads all of it before the first paint. The old 60 KB budget is
 * retired (issue 14): 150 KB, with the time to interactive measured in the browser harness instead
 * (test/browser/panel-load.browser.test.ts).
 */
const UI_GZIP_BUDGET = 150 * 1024;

let plugin: string;
let ui: string;

// Built in memory: dist/ is left alone, since other suites (the browser test) may be reading it.
beforeAll(async () => {
  const [pluginBytes, html] = await Promise.all([buildPlugin(), buildUI()]);
  plugin = new TextDecoder().decode(pluginBytes);
  ui = html;
}, 60_000);

/** The HTML with the bodies of <script> and <style> removed, so only real markup is searched. */
function markupOnly(html: string): string {
  return html.replace(/<script>[\s\S]*?<\/script>/g, "<script></script>").replace(/<style>[\s\S]*?<\/style>/g, "<style></style>");
}

describe("dist/ui.html", () => {
  it("inlines everything: no src or href anywhere in its markup, no remote CSS", () => {
    const markup = markupOnly(ui);
    expect(markup).not.toMatch(/\s(src|href)\s*=/i);
    expect(markup.match(/<script>/g)).toHaveLength(1);
    expect(markup.match(/<style>/g)).toHaveLength(1);
    const css = /<style>([\s\S]*?)<\/style>/.exec(ui)![1]!;
    expect(css).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//i);
  });

  it("closes its one script only at the end: `</script` inside the code is escaped", () => {
    expect(ui.match(/<\/script/gi)).toHaveLength(1);
    expect(escapeInlineScript('a="</script><script>"')).toBe('a="<\\/script><script>"');
  });

  it(`stays under ${UI_GZIP_BUDGET / 1024} KB gzipped`, () => {
    expect(gzipSync(ui).byteLength).toBeLessThan(UI_GZIP_BUDGET);
  });
});

describe("dist/plugin.js", () => {
  it(`is an IIFE that needs no lowering to ${PLUGIN_TARGET}`, async () => {
    expect(plugin.slice(0, 120)).toMatch(/^"use strict";[\s\S]*\(\(\)=>\{/);
    expect(plugin.trimEnd().endsWith("})();")).toBe(true);
    // Printed without minifying (the minifier re-sugars per target), the code comes out the same at esnext
    // and at ES2017 only if nothing in it needed lowering: no `?.`, `??`, object spread, class fields...
    const asIs = await esbuild.transform(plugin, { target: "esnext" });
    const lowered = await esbuild.transform(plugin, { target: PLUGIN_TARGET });
    expect(lowered.code).toBe(asIs.code);
  });

  // Which globals it may reach is scripts/check-sandbox-globals.test.ts; how it runs there, plugin/bundle/.
});
