// The harness page with the built plugin and panel served on 127.0.0.1, Debian's Chromium (never a
// downloaded browser), the panel opened in it on a fake canvas, and how long the panel took to take input.
// Free of vitest, so bench/panel-load.ts drives the same page; the tests get all of it through browser.ts.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type FrameLocator, type Page } from "playwright-core";
import type { CanvasFixture, HarnessQuery } from "../browser/harness/contract.ts";
import { writeQuery } from "../browser/harness/query.ts";
import { bundleHarnessPage } from "./harness-bundle.ts";
import type { ProxyProcess } from "./proxy-process.ts";
import { ROOT, serveFiles } from "./static-server.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SHOTS = join(ROOT, "test-results/screenshots");
export const DOCS_SHOTS = join(ROOT, "docs/screenshots");
const UI_HTML = join(ROOT, "dist/ui.html");
const PLUGIN_JS = join(ROOT, "dist/plugin.js");

export type Harness = Awaited<ReturnType<typeof serveFiles>>;

/**
 * Serves harness.html with its script (the page bundled now, see harness-bundle.ts) and the built plugin.js +
 * ui.html; fails clearly if a piece is missing.
 */
export async function serveHarness(): Promise<Harness> {
  if (!existsSync(UI_HTML) || !existsSync(PLUGIN_JS)) throw new Error("dist/ is missing plugin.js or ui.html: run `npm run build` first (npm test does)");
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/run does)`);
  await mkdir(SHOTS, { recursive: true });
  await mkdir(DOCS_SHOTS, { recursive: true });
  return serveFiles({
    "/": join(ROOT, "test/browser/harness.html"),
    "/harness.js": { content: await bundleHarnessPage(), ext: ".js" },
    "/ui.html": UI_HTML,
    "/plugin.js": PLUGIN_JS,
  });
}

/** Headless Chromium with its background networking off (this machine's network is closed). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

/** What a browser test file works against: the harness server, a real proxy on a fresh database, Chromium. */
export interface BrowserSuite {
  readonly harness: Harness;
  readonly proxy: ProxyProcess;
  readonly browser: Browser;
}

export interface PanelOptions {
  /** The nodes on the fake canvas's first page (none by default). */
  selection?: readonly CanvasFixture[];
  /** The names of those selected at the start (default: all of them). */
  selected?: readonly string[];
  theme?: "light" | "dark";
  /** The proxy the panel is signed in to (default: the suite's). */
  proxy?: ProxyProcess;
  /** The document's pages (default: one, "Page 1"); the first is open. */
  pages?: readonly string[];
  /** clientStorage as an earlier run of the plugin left it (see harnessStorage). */
  storage?: Record<string, unknown>;
}

/** The harness page: room for the 360 x 600 panel beside nothing else. */
export const HARNESS_VIEWPORT = { width: 900, height: 640 };

/**
 * A new page on the harness running the plugin in QuickJS. With a token, the panel is signed in with it and
 * this resolves once it shows the balance; with "" (and no settings in `storage`) there are no settings yet
 * and it resolves once the panel asks for them.
 */
export async function openPanel(suite: BrowserSuite, token: string, options: PanelOptions = {}): Promise<{ page: Page; panel: FrameLocator }> {
  const page = await suite.browser.newPage({ viewport: HARNESS_VIEWPORT });
  // A missing element fails the step that wanted it, rather than the whole test by its timeout.
  page.setDefaultTimeout(10_000);
  const query: HarnessQuery = { proxy: (options.proxy ?? suite.proxy).url, theme: options.theme ?? "light", selection: [...(options.selection ?? [])] };
  if (token) query.token = token;
  if (options.selected) query.selected = [...options.selected];
  if (options.pages) query.pages = [...options.pages];
  if (options.storage) query.storage = options.storage;
  await page.goto(`${suite.harness.url}/?${writeQuery(query)}`);
  const panel = page.frameLocator("#panel");
  const signedIn = token !== "" || options.storage?.settings !== undefined;
  const shown = panel.getByTestId(signedIn ? "balance" : "settings-save");
  // A harness that failed to start says why (data-failed), instead of a wait for the panel that times out.
  const failed = page.locator("body[data-failed]");
  await Promise.race([shown.waitFor(), failed.waitFor().then(async () => Promise.reject(new Error(`the harness failed: ${await failed.getAttribute("data-failed")}`)))]);
  return { page, panel };
}

/** The mark ui/load-mark.ts sets at the first paint of a view that takes input. */
const INTERACTIVE_MARK = "panel-interactive";
/** What the trace needs, and no more (tracing costs CPU too): the main threads' tasks and the panel's mark. */
const TRACE_CATEGORIES = ["disabled-by-default-devtools.timeline", "blink.user_timing"];

/** A panel's load. Times are ms from the navigation start of its iframe's document (the srcdoc the plugin's UI is). */
export interface PanelLoad {
  /** The first view that took input: "settings" or "studios". */
  view: string;
  /** The HTML parsed and the panel's one script compiled and run (the navigation's domInteractive). */
  scriptRan: number;
  /** The last of the proxy's answers it waited for (/v1/catalog, /v1/me) arrived; null when it asked none. */
  proxyAnswered: number | null;
  /** The first paint of Settings or of the studios (ui/load-mark.ts): the panel takes input. */
  interactive: number;
  /**
   * The CPU time of the panel's main thread until then: its own work (parse, compile and run its script,
   * parse the proxy's answers, render, lay out, paint), not its waits for the plugin and the proxy.
   */
  mainThreadMs: number;
}

/**
 * Opens the panel `count` times, one fresh page after another (each plugin run in Figma is a fresh iframe),
 * under one Chromium trace, and says how each load went once the panel took input.
 */
export async function loadPanels(suite: BrowserSuite, token: string, count: number, options: PanelOptions = {}): Promise<PanelLoad[]> {
  await suite.browser.startTracing(undefined, { categories: TRACE_CATEGORIES });
  const timelines: Omit<PanelLoad, "mainThreadMs">[] = [];
  let trace: Uint8Array | undefined;
  try {
    for (let i = 0; i < count; i++) {
      const { page } = await openPanel(suite, token, options);
      timelines.push(await panelTimeline(page));
      await page.close();
    }
    trace = await suite.browser.stopTracing();
  } finally {
    // A panel that failed to open must not leave the browser tracing: the next startTracing would throw.
    if (!trace) await suite.browser.stopTracing().catch(() => undefined);
  }
  const cpu = mainThreadMs(trace);
  if (cpu.length !== count) throw new Error(`the trace holds ${cpu.length} loads of the panel, not ${count}`);
  return timelines.map((timeline, i) => ({ ...timeline, mainThreadMs: cpu[i]! }));
}

interface PanelTimeline {
  getEntriesByName(name: string): { startTime: number; detail?: unknown }[];
  getEntriesByType(type: "navigation" | "resource"): { name: string; startTime: number; duration: number; domInteractive?: number }[];
}

/** The panel document's own account of its load, read from its performance timeline once it is interactive. */
async function panelTimeline(page: Page): Promise<Omit<PanelLoad, "mainThreadMs">> {
  const frame = await (await page.locator("#panel").elementHandle())?.contentFrame();
  if (!frame) throw new Error("the harness shows no panel frame");
  await frame.waitForFunction((name) => performance.getEntriesByName(name).length > 0, INTERACTIVE_MARK);
  return frame.evaluate((name) => {
    // As much of the timeline as is read here (this file is typed without the DOM lib).
    const timeline = (globalThis as unknown as { performance: PanelTimeline }).performance;
    const mark = timeline.getEntriesByName(name)[0]!;
    const answers = timeline
      .getEntriesByType("resource")
      .filter((r) => new URL(r.name).pathname.startsWith("/v1/") && r.startTime < mark.startTime)
      .map((r) => r.startTime + r.duration);
    return {
      view: String(mark.detail),
      scriptRan: timeline.getEntriesByType("navigation")[0]?.domInteractive ?? Number.NaN,
      proxyAnswered: answers.length ? Math.max(...answers) : null,
      interactive: mark.startTime,
    };
  }, INTERACTIVE_MARK);
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time, where Chromium records it. */
  tdur?: number;
  pid: number;
  tid: number;
}

/**
 * For each load of the panel in the trace, oldest first: the CPU time of the tasks its main thread ran up to
 * its interactive mark, the thread being the one that marked it. Chromium gives a sandboxed iframe a process
 * of its own; were the harness's page in the same one, its work would count too: the figure errs high, never
 * low (as does the tracing's own overhead, and on a virtual machine, time the host took the CPU away).
 */
export function mainThreadMs(trace: Uint8Array): number[] {
  const events = (JSON.parse(new TextDecoder().decode(trace)) as { traceEvents: TraceEvent[] }).traceEvents;
  const marks = events.filter((e) => e.name === INTERACTIVE_MARK).sort((a, b) => a.ts - b.ts);
  return marks.map((mark) => {
    const tasks = events.filter((e) => e.name === "RunTask" && e.ph === "X" && e.pid === mark.pid && e.tid === mark.tid && e.ts <= mark.ts);
    return tasks.reduce((sum, e) => sum + (e.tdur ?? e.dur ?? 0), 0) / 1000;
  });
}
