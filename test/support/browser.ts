// What every browser test starts from: the harness page with the built plugin and panel served on
// 127.0.0.1, Debian's Chromium (never a downloaded browser), a real proxy process, and panel screenshots for
// the README. Also what the tests share to drive it: the panel opened on a fake canvas, the studios' tabs,
// cost badges and job status lines, the canvas as the plugin left it, and the proxy's API.
import { existsSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { jobResponseSchema, meSchema, type Job, type Me } from "../../core/api/responses.ts";
import type { JobSpecInput } from "../../core/api/specs.ts";
import type { TierId } from "../../core/catalog/schema.ts";
import type { CanvasFixture, CanvasState, HarnessApi, HarnessErrors, HarnessQuery, ReceivedMessage } from "../browser/harness/contract.ts";
import { writeQuery } from "../browser/harness/query.ts";
import { bundleHarnessPage } from "./harness-bundle.ts";
import { startProxy, type ProxyProcess } from "./proxy-process.ts";
import { ROOT, serveFiles } from "./static-server.ts";

export type { CanvasFixture, CanvasNode, CanvasState, MaskReading, ReceivedMessage } from "../browser/harness/contract.ts";

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

/** Screenshots the panel to test-results/screenshots and copies it to docs/screenshots for the README. */
export async function shootPanel(page: Page, name: string): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  await page.locator("#panel").screenshot({ path });
  await copyFile(path, join(DOCS_SHOTS, `${name}.png`));
}

/** What a browser test file works against: the harness server, a real proxy on a fresh database, Chromium. */
export interface BrowserSuite {
  readonly harness: Harness;
  readonly proxy: ProxyProcess;
  readonly browser: Browser;
}

/**
 * Starts the harness, a proxy and Chromium before the tests of the describe it is called in, and closes them
 * after. Read the fields inside hooks and tests: they are set by its beforeAll, which runs before any
 * beforeAll registered after this call.
 */
export function useBrowserSuite(): BrowserSuite {
  let harness: Harness | undefined;
  let proxy: ProxyProcess | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    harness = await serveHarness();
    proxy = await startProxy();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
    await harness?.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is started in beforeAll: use it inside a hook or a test`);
    return value;
  };
  return {
    get harness() {
      return started(harness, "the harness");
    },
    get proxy() {
      return started(proxy, "the proxy");
    },
    get browser() {
      return started(browser, "Chromium");
    },
  };
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

export type StudioTab = "create" | "edit" | "upscale" | "social" | "library" | "team";

/** Clicks a studio's tab; resolves to its tab panel once it shows. */
export async function openTab(panel: FrameLocator, id: StudioTab): Promise<Locator> {
  await panel.getByTestId(`tab-${id}`).click();
  const tabPanel = panel.locator(`#panel-${id}`);
  await tabPanel.waitFor();
  return tabPanel;
}

// page.evaluate runs these functions in the page, where window.__harness is what contract.ts says.
type InPage = typeof globalThis & { __harness: HarnessApi };

/** Selects canvas nodes given to the harness, by name, firing selectionchange as a click in Figma would. */
export async function select(page: Page, names: string[]): Promise<void> {
  await page.evaluate((n) => (globalThis as InPage).__harness.select(n), names);
}

/** Selects any canvas nodes of the open page by id (the given ones, and the nodes the plugin made), firing selectionchange. */
export async function selectIds(page: Page, ids: string[]): Promise<void> {
  await page.evaluate((i) => (globalThis as InPage).__harness.selectIds(i), ids);
}

/** The designer opens another page; with `afterPosted`, right after the plugin next posts a message of that type. */
export async function switchPage(page: Page, name: string, afterPosted?: string): Promise<void> {
  await page.evaluate(([n, a]) => (globalThis as InPage).__harness.switchPage(n, a), [name, afterPosted] as const);
}

/** The messages the panel sent the plugin, with how many images each carried. */
export function receivedByPlugin(page: Page): Promise<ReceivedMessage[]> {
  return page.evaluate(() => (globalThis as InPage).__harness.received());
}

/** The types of the messages the plugin posted to its panel, oldest first. */
export function postedByPlugin(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as InPage).__harness.posted());
}

/** clientStorage as the plugin left it (open another panel with it as `storage` to run the plugin again). */
export function harnessStorage(page: Page): Promise<Record<string, unknown>> {
  return page.evaluate(() => (globalThis as InPage).__harness.storage());
}

/** The sandbox's uncaught errors and the plugin's notifications. */
export function harnessErrors(page: Page): Promise<HarnessErrors> {
  return page.evaluate(() => (globalThis as InPage).__harness.errors());
}

/** What a cost badge shows. */
export interface Badge {
  credits: number;
  state: string | null;
  text: string;
}

/** The cost badge in `scope` (the panel, or a studio's tab panel). */
export async function badge(scope: Locator | FrameLocator): Promise<Badge> {
  const el = scope.getByTestId("cost-badge");
  return { credits: Number(await el.getAttribute("data-credits")), state: await el.getAttribute("data-state"), text: await el.innerText() };
}

/** The badge re-prices on every change; wait until it shows the expected state. */
export async function badgeWhen(scope: Locator | FrameLocator, predicate: (b: Badge) => boolean): Promise<Badge> {
  await expect.poll(async () => predicate(await badge(scope)), { timeout: 5_000 }).toBe(true);
  return badge(scope);
}

/** Waits for the studio's job to finish, fails with the panel's error if it failed, and returns its status line. */
export async function waitForJob(scope: Locator | FrameLocator): Promise<string> {
  const status = scope.getByTestId("job-status");
  await expect.poll(async () => status.getAttribute("data-status").catch(() => null), { timeout: 60_000 }).toMatch(/succeeded|failed/);
  if ((await status.getAttribute("data-status")) === "failed") throw new Error(`the job failed: ${await scope.getByTestId("error").innerText()}`);
  return status.innerText();
}

/** What is on the fake canvas; `maskPoints` names the image pixels of the last exported mask to read. */
export async function readCanvas<K extends string = never>(page: Page, maskPoints?: Record<K, readonly [number, number]>): Promise<CanvasState<K>> {
  const state = await page.evaluate((points) => (globalThis as InPage).__harness.inspect(points), (maskPoints ?? {}) as Record<string, readonly [number, number]>);
  return state as CanvasState<K>;
}

/** The proxy's API as the panel calls it: GET, or POST of a JSON body with an idempotency key. */
export function callProxy(proxy: ProxyProcess, token: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${proxy.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json", "idempotency-key": crypto.randomUUID() }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** A new team made through the admin CLI, as an operator makes one; resolves to its manager's token. */
export async function createTeam(proxy: ProxyProcess, name: string, tier: TierId): Promise<string> {
  return (await proxy.admin<{ token: string }>("team", "create", "--name", name, "--tier", tier)).token;
}

/** GET /v1/me. */
export async function me(proxy: ProxyProcess, token: string): Promise<Me> {
  const res = await callProxy(proxy, token, "/v1/me");
  expect(res.status).toBe(200);
  return meSchema.parse(await res.json());
}

/** Starts a job through the API (a JSON spec, or multipart with an image) and waits until it has succeeded. */
export async function runJob(proxy: ProxyProcess, token: string, spec: JobSpecInput | Record<string, unknown>, image?: Uint8Array): Promise<Job> {
  let body: string | FormData = JSON.stringify(spec);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, "idempotency-key": crypto.randomUUID() };
  if (image) {
    body = new FormData();
    body.append("spec", JSON.stringify(spec));
    body.append("image", new Blob([new Uint8Array(image)], { type: "image/png" }), "image.png");
  } else headers["content-type"] = "application/json";
  const res = await fetch(`${proxy.url}/v1/jobs`, { method: "POST", headers, body });
  expect(res.status, await res.clone().text()).toBe(202);
  let { job } = jobResponseSchema.parse(await res.json());
  const deadline = Date.now() + 30_000;
  while (job.status === "queued" || job.status === "running") {
    if (Date.now() > deadline) throw new Error(`job ${job.id} did not settle`);
    await new Promise((r) => setTimeout(r, 100));
    ({ job } = jobResponseSchema.parse(await (await callProxy(proxy, token, `/v1/jobs/${job.id}`)).json()));
  }
  expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
  return job;
}
