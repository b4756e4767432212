// How soon the built panel (dist/ui.html) takes input in Chromium, in the browser harness the tests use:
// from the navigation start of its iframe document to the first paint of Settings (no token yet) or of the
// studios (signed in: the plugin's `init`, then /v1/catalog and /v1/me from a real proxy), with where the
// time went. BENCH_RUNS loads per case (default 20), each a fresh page as each plugin run is a fresh iframe.
import type { Browser } from "playwright-core";
import { launchChromium, loadPanels, serveHarness, type Harness, type PanelLoad } from "../test/support/panel-page.ts";
import { startProxy, type ProxyProcess } from "../test/support/proxy-process.ts";
import { percentile } from "./stats.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);

const harness: Harness = await serveHarness();
const proxy: ProxyProcess = await startProxy();
const browser: Browser = await launchChromium();
const suite = { harness, proxy, browser };

async function loads(token: string): Promise<PanelLoad[]> {
  // The first load warms the harness (its page, QuickJS, the proxy's caches) and is left out.
  return (await loadPanels(suite, token, RUNS + 1)).slice(1);
}

function line(name: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${name.padEnd(34)} p50 ${percentile(sorted, 50).toFixed(0).padStart(4)} ms  p90 ${percentile(sorted, 90).toFixed(0).padStart(4)} ms  min ${sorted[0]!.toFixed(0).padStart(4)} ms`;
}

try {
  const { token } = await proxy.admin<{ token: string }>("team", "create", "--name", "Bench Team", "--tier", "pro");
  for (const [name, runs] of [
    ["Settings (no token)", await loads("")],
    ["studios (signed in)", await loads(token)],
  ] as const) {
    console.log(`${name}, ${runs.length} loads, ms from the panel document's navigation start:`);
    console.log(line("  HTML parsed, script run", runs.map((r) => r.scriptRan)));
    const answered = runs.flatMap((r) => (r.proxyAnswered === null ? [] : [r.proxyAnswered]));
    if (answered.length) console.log(line("  proxy answered", answered));
    console.log(line("  interactive", runs.map((r) => r.interactive)));
    console.log(line("  its main thread's CPU until then", runs.map((r) => r.mainThreadMs)));
  }
} finally {
  await browser.close();
  await proxy.stop();
  await harness.close();
}
