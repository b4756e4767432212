// What every browser test starts from: the harness page with the built plugin and panel served on
// 127.0.0.1, Debian's Chromium (never a downloaded browser), a real proxy process, and panel screenshots for
// the README (the page, Chromium and opening the panel are panel-page.ts, shared with bench/). Also what the
// tests share to drive it: the studios' tabs, cost badges and job status lines, the canvas as the plugin
// left it, and the proxy's API.
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, FrameLocator, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { jobResponseSchema, meSchema, type Job, type Me } from "../../core/api/responses.ts";
import type { JobSpecInput } from "../../core/api/specs.ts";
import type { TierId } from "../../core/catalog/schema.ts";
import type { CanvasState, HarnessApi, HarnessErrors, ReceivedMessage } from "../browser/harness/contract.ts";
import { DOCS_SHOTS, launchChromium, serveHarness, SHOTS, type BrowserSuite, type Harness } from "./panel-page.ts";
import { startProxy, type ProxyProcess } from "./proxy-process.ts";

export type { CanvasFixture, CanvasNode, CanvasState, MaskReading, ReceivedMessage } from "../browser/harness/contract.ts";
export { CHROMIUM, DOCS_SHOTS, HARNESS_VIEWPORT, launchChromium, loadPanels, openPanel, serveHarness, SHOTS } from "./panel-page.ts";
export type { BrowserSuite, Harness, PanelLoad, PanelOptions } from "./panel-page.ts";

/** Screenshots the panel to test-results/screenshots and copies it to docs/screenshots for the README. */
export async function shootPanel(page: Page, name: string): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  await page.locator("#panel").screenshot({ path });
  await copyFile(path, join(DOCS_SHOTS, `${name}.png`));
}

/**
 * Starts the harness, a proxy (with `proxyEnv()` added to its environment, read when it starts) and Chromium
 * before the tests of the describe it is called in, and closes them after. Read the fields inside hooks and tests: they are set by its beforeAll, which runs before any
 * beforeAll registered after this call.
 */
export function useBrowserSuite(proxyEnv: () => Record<string, string> = () => ({})): BrowserSuite {
  let harness: Harness | undefined;
  let proxy: ProxyProcess | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    harness = await serveHarness();
    proxy = await startProxy(proxyEnv());
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
