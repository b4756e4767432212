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
import { startProxy, type ProxyProcess } from "./proxy-process.ts";
import { ROOT, serveFiles } from "./static-server.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SHOTS = join(ROOT, "test-results/screenshots");
export const DOCS_SHOTS = join(ROOT, "docs/screenshots");
const UI_HTML = join(ROOT, "dist/ui.html");

export type Harness = Awaited<ReturnType<typeof serveFiles>>;

/** Serves harness.html, the fake canvas and the built plugin.js + ui.html; fails clearly if a piece is missing. */
export async function serveHarness(): Promise<Harness> {
  if (!existsSync(UI_HTML)) throw new Error("dist/ui.html is missing: run `npm run build` first (npm test does)");
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/run does)`);
  await mkdir(SHOTS, { recursive: true });
  await mkdir(DOCS_SHOTS, { recursive: true });
  return serveFiles({
    "/": join(ROOT, "test/browser/harness.html"),
    "/fake-figma.js": join(ROOT, "test/browser/fake-figma.js"),
    "/ui.html": UI_HTML,
    "/plugin.js": join(ROOT, "dist/plugin.js"),
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

/** A node the fake canvas starts with (see fake-figma.js): with `image`, a rectangle with an image fill of that pixel size. */
export interface CanvasFixture {
  name: string;
  type?: string;
  x: number;
  y: number;
  width: number;
  height: number;
  image?: { width: number; height: number };
  color?: { r: number; g: number; b: number };
}

export interface PanelOptions {
  /** The nodes on the fake canvas (none by default). */
  selection?: readonly CanvasFixture[];
  /** The names of those selected at the start (default: all of them). */
  selected?: readonly string[];
  theme?: "light" | "dark";
  /** The proxy the panel is signed in to (default: the suite's). */
  proxy?: ProxyProcess;
}

/** The harness page: room for the 360 x 600 panel beside nothing else. */
export const HARNESS_VIEWPORT = { width: 900, height: 640 };

/** A new page on the harness, the panel signed in with `token`; resolves once it shows the balance. */
export async function openPanel(suite: BrowserSuite, token: string, options: PanelOptions = {}): Promise<{ page: Page; panel: FrameLocator }> {
  const page = await suite.browser.newPage({ viewport: HARNESS_VIEWPORT });
  // A missing element fails the step that wanted it, rather than the whole test by its timeout.
  page.setDefaultTimeout(10_000);
  const query = new URLSearchParams({ proxy: (options.proxy ?? suite.proxy).url, token, theme: options.theme ?? "light", selection: JSON.stringify(options.selection ?? []) });
  if (options.selected) query.set("selected", JSON.stringify(options.selected));
  await page.goto(`${suite.harness.url}/?${query}`);
  const panel = page.frameLocator("#panel");
  await panel.getByTestId("balance").waitFor();
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

/** Selects canvas nodes given to the harness, by name, firing selectionchange as a click in Figma would. */
export async function select(page: Page, names: string[]): Promise<void> {
  await page.evaluate((n) => (globalThis as unknown as { __harness: { select(names: string[]): void } }).__harness.select(n), names);
}

/** Selects any canvas nodes by id (the given ones, and the rectangles and frames the plugin made), firing selectionchange. */
export async function selectIds(page: Page, ids: string[]): Promise<void> {
  await page.evaluate((wanted) => {
    type N = { id: string };
    const h = (globalThis as unknown as { __harness: { canvas: { given: N[]; nodes: N[]; frames: N[] }; figma: { currentPage: { selection: N[] } } } }).__harness;
    const all = [...h.canvas.given, ...h.canvas.nodes, ...h.canvas.frames];
    h.figma.currentPage.selection = wanted.map((id) => {
      const node = all.find((n) => n.id === id);
      if (!node) throw new Error(`no node ${id} on the canvas`);
      return node;
    });
  }, ids);
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

/** A node of the fake canvas as the tests look at it, with its image fill's bytes decoded by the browser. */
export interface CanvasNode {
  id: string;
  type: string;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  visible: boolean;
  removed: boolean;
  /** The type of its parent ("PAGE", "FRAME"), "" when it has none. */
  parentType: string;
  fills: { type: string; imageHash?: string; scaleMode?: string; opacity?: number }[];
  pluginData: Record<string, string>;
  relaunch: Record<string, string> | null;
  /** The first 8 bytes of the IMAGE fill's image, if it has one. */
  signature: number[] | null;
  /** The decoded size of the IMAGE fill's image, if it has one. */
  decoded: { width: number; height: number } | null;
  children: CanvasNode[];
}

/** The last mask the plugin exported: its size and its grey level (0..255) at each of the points asked for. */
export type MaskReading<K extends string> = { width: number; height: number } & Record<K, number>;

export interface CanvasState<K extends string = never> {
  /** The rectangles the plugin made (figma.createRectangle), removed ones too. */
  nodes: CanvasNode[];
  /** The nodes the test put on the canvas (openPanel's `selection`). */
  given: CanvasNode[];
  /** The frames the plugin made (figma.createFrame), removed ones too. */
  frames: CanvasNode[];
  undoSteps: number;
  selectedIds: string[];
  scrolledTo: string[][];
  mask: MaskReading<K> | null;
}

/** What is on the fake canvas; `maskPoints` names the image pixels of the last exported mask to read. */
export async function readCanvas<K extends string = never>(page: Page, maskPoints?: Record<K, readonly [number, number]>): Promise<CanvasState<K>> {
  const state = await page.evaluate(async (points: Record<string, readonly [number, number]>) => {
    type Node = {
      id: string; type: string; name: string; x: number; y: number; width: number; height: number; visible: boolean; removed: boolean;
      parent: { type: string } | null; fills: CanvasNode["fills"]; pluginData: Record<string, string>; relaunch: Record<string, string> | null; children?: Node[];
    };
    type H = {
      canvas: { nodes: Node[]; given: Node[]; frames: Node[]; undoSteps: number; scrolledTo: string[][]; images: Map<string, Uint8Array>; exported: { mask?: { bytes: Uint8Array } }[] };
      figma: { currentPage: { selection: { id: string }[] } };
    };
    const h = (globalThis as unknown as { __harness: H }).__harness;
    // Runs in the page, where createImageBitmap and OffscreenCanvas exist; the Node-side types do not know them.
    const g = globalThis as unknown as {
      createImageBitmap: (b: Blob) => Promise<{ width: number; height: number }>;
      OffscreenCanvas: new (w: number, h: number) => { getContext(t: "2d"): { drawImage(i: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    };
    const sizes = new Map<string, Promise<{ width: number; height: number }>>();
    const decode = (hash: string, bytes: Uint8Array) => {
      if (!sizes.has(hash)) sizes.set(hash, g.createImageBitmap(new Blob([bytes])).then((b) => ({ width: b.width, height: b.height })));
      return sizes.get(hash)!;
    };
    const read = async (n: Node): Promise<CanvasNode> => {
      const hash = n.fills.find((f) => f.type === "IMAGE")?.imageHash;
      const bytes = hash ? h.canvas.images.get(hash) : undefined;
      const children = [];
      for (const c of n.children ?? []) children.push(await read(c));
      return {
        id: n.id, type: n.type, name: n.name, x: n.x, y: n.y, width: n.width, height: n.height, visible: n.visible, removed: n.removed,
        parentType: n.parent?.type ?? "", fills: n.fills.map((f) => ({ ...f })), pluginData: { ...n.pluginData }, relaunch: n.relaunch,
        signature: bytes ? Array.from(bytes.slice(0, 8)) : null, decoded: hash && bytes ? await decode(hash, bytes) : null, children,
      };
    };
    const readAll = async (nodes: Node[]) => {
      const out = [];
      for (const n of nodes) out.push(await read(n));
      return out;
    };
    const last = h.canvas.exported.at(-1)?.mask;
    let mask: Record<string, number> | null = null;
    if (last) {
      const bitmap = await g.createImageBitmap(new Blob([last.bytes]));
      const c = new g.OffscreenCanvas(bitmap.width, bitmap.height).getContext("2d");
      c.drawImage(bitmap, 0, 0);
      mask = { width: bitmap.width, height: bitmap.height };
      for (const [name, [x, y]] of Object.entries(points)) mask[name] = c.getImageData(x, y, 1, 1).data[0]!;
    }
    return {
      nodes: await readAll(h.canvas.nodes),
      given: await readAll(h.canvas.given),
      frames: await readAll(h.canvas.frames),
      undoSteps: h.canvas.undoSteps,
      selectedIds: h.figma.currentPage.selection.map((n) => n.id),
      scrolledTo: h.canvas.scrolledTo,
      mask,
    };
  }, (maskPoints ?? {}) as Record<string, readonly [number, number]>);
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
