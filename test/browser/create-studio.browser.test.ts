// End to end in real Chromium: the built plugin.js on a fake canvas, the built panel in a Figma-like iframe,
// a real proxy process on a fresh database, the offline local provider. What the badge says is what the
// ledger takes, and what the provider made is what lands on the canvas.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, FrameLocator, Page } from "playwright-core";
import { meSchema } from "../../core/api/responses.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { startProxy, type ProxyProcess } from "../support/proxy-process.ts";
import { launchChromium, serveHarness, shootPanel, type Harness } from "../support/browser.ts";


interface PlacedNode {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  parentType: string;
  signature: number[];
  decoded: { width: number; height: number };
  pluginData: Record<string, string>;
  relaunch: Record<string, string> | null;
}

interface CanvasState {
  nodes: PlacedNode[];
  undoSteps: number;
  selectedIds: string[];
  scrolledTo: string[][];
}

async function me(proxy: ProxyProcess, token: string) {
  const res = await fetch(`${proxy.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return meSchema.parse(await res.json());
}

const HERO = { name: "Hero", x: 100, y: 200, width: 400, height: 300 };

async function openPanel(browser: Browser, harnessUrl: string, proxy: ProxyProcess, token: string, theme = "light") {
  const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
  const query = new URLSearchParams({ proxy: proxy.url, token, theme, selection: JSON.stringify([HERO]) });
  await page.goto(`${harnessUrl}/?${query}`);
  const panel = page.frameLocator("#panel");
  await panel.getByTestId("balance").waitFor();
  return { page, panel };
}

async function badge(panel: FrameLocator) {
  const el = panel.getByTestId("cost-badge");
  return { credits: Number(await el.getAttribute("data-credits")), state: await el.getAttribute("data-state"), text: await el.innerText() };
}

/** The badge re-prices on every change; wait until it shows the expected state. */
async function badgeWhen(panel: FrameLocator, predicate: (b: Awaited<ReturnType<typeof badge>>) => boolean) {
  await expect.poll(async () => predicate(await badge(panel)), { timeout: 5_000 }).toBe(true);
  return badge(panel);
}

/** What the plugin put on the fake canvas, with each image fill's bytes decoded by the browser. */
async function canvas(page: Page): Promise<CanvasState> {
  return page.evaluate(async () => {
    type FakeNode = { id: string; name: string; x: number; y: number; width: number; height: number; parent: { type: string } | null; fills: { imageHash: string }[]; pluginData: Record<string, string>; relaunch: Record<string, string> | null };
    const h = (globalThis as unknown as { __harness: { canvas: { nodes: FakeNode[]; undoSteps: number; scrolledTo: string[][]; images: Map<string, Uint8Array> }; figma: { currentPage: { selection: { id: string }[] } } } }).__harness;
    const nodes = [];
    for (const n of h.canvas.nodes) {
      const bytes = h.canvas.images.get(n.fills[0]!.imageHash)!;
      // Runs in the page, where createImageBitmap exists; the Node-side types do not know it.
      const decode = (globalThis as unknown as { createImageBitmap: (b: Blob) => Promise<{ width: number; height: number }> }).createImageBitmap;
      const bitmap = await decode(new Blob([bytes]));
      nodes.push({
        name: n.name, x: n.x, y: n.y, width: n.width, height: n.height, parentType: n.parent?.type ?? "",
        signature: Array.from(bytes.slice(0, 8)), decoded: { width: bitmap.width, height: bitmap.height },
        pluginData: { ...n.pluginData }, relaunch: n.relaunch,
      });
    }
    return { nodes, undoSteps: h.canvas.undoSteps, scrolledTo: h.canvas.scrolledTo, selectedIds: h.figma.currentPage.selection.map((n) => n.id) };
  });
}

describe("Create studio in Chromium against a real proxy", () => {
  let browser: Browser;
  let proxy: ProxyProcess;
  let lowProxy: ProxyProcess;
  let harness: Harness;

  beforeAll(async () => {
    harness = await serveHarness();
    proxy = await startProxy();
    // A second proxy whose catalog gives the free tier only 5 credits a month, to see the refusal states.
    const lowCatalog = structuredClone(DEFAULT_CATALOG);
    lowCatalog.tiers[0]!.monthlyCredits = 5;
    const catalogPath = join(proxy.dataDir, "low-catalog.json");
    await writeFile(catalogPath, JSON.stringify(lowCatalog));
    lowProxy = await startProxy({ CATALOG_PATH: catalogPath });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lowProxy?.stop();
    await proxy?.stop();
    await harness?.close();
  });

  it("charges exactly the badge's amount and places PNGs of the chosen size on the canvas", async () => {
    const { token } = await proxy.admin<{ team: { id: string }; token: string }>("team", "create", "--name", "Browser Team", "--tier", "pro");
    const before = await me(proxy, token);
    const { page, panel } = await openPanel(browser, harness.url, proxy, token);
    await expect.poll(async () => panel.getByTestId("balance").getAttribute("data-available")).toBe(String(before.balance.available));

    await panel.getByTestId("prompt").fill("A lighthouse at dawn, watercolor");
    await panel.getByTestId("quality").selectOption("standard");
    await panel.getByTestId("aspect-ratio").selectOption("16:9");
    await panel.getByTestId("variations").fill("1");
    const one = await badgeWhen(panel, (b) => b.state === "price");
    await panel.getByTestId("variations").fill("2");
    const two = await badgeWhen(panel, (b) => b.state === "price" && b.credits !== one.credits);
    expect(two.credits).toBe(2 * one.credits); // the badge follows the options
    expect(two.text).toContain(String(two.credits));

    // The server's estimate for the same spec agrees with the badge before anything is charged.
    const est = await fetch(`${proxy.url}/v1/estimate`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ operation: "create", prompt: "A lighthouse at dawn, watercolor", quality: "standard", aspectRatio: "16:9", variations: 2 }),
    });
    expect(((await est.json()) as { total: number }).total).toBe(two.credits);

    await panel.getByTestId("generate").click();
    await expect.poll(async () => panel.getByTestId("job-status").getAttribute("data-status"), { timeout: 30_000 }).toBe("succeeded");
    await expect.poll(async () => (await canvas(page)).nodes.length, { timeout: 10_000 }).toBe(2);

    const { width, height } = DEFAULT_CATALOG.create.aspectRatios["16:9"]!;
    const placed = await canvas(page);
    placed.nodes.forEach((node, i) => {
      expect(node.signature).toEqual([137, 80, 78, 71, 13, 10, 26, 10]); // PNG
      expect(node.decoded).toEqual({ width, height });
      // Sized to the image, in the selection's parent, in a row to the right of the selection.
      expect({ width: node.width, height: node.height, parentType: node.parentType }).toEqual({ width, height, parentType: "PAGE" });
      expect(node.y).toBe(HERO.y);
      expect(node.x).toBe(HERO.x + HERO.width + 40 + i * (width + 40));
      expect(node.pluginData.prompt).toBe("A lighthouse at dawn, watercolor");
      expect(node.pluginData.jobId).toMatch(/\S/);
      expect(node.pluginData.assetId).toMatch(/\S/);
      expect(node.relaunch).toEqual({ regenerate: "A lighthouse at dawn, watercolor" });
    });
    expect(placed.nodes[0]!.pluginData.assetId).not.toBe(placed.nodes[1]!.pluginData.assetId);
    expect(placed.undoSteps).toBe(1);
    expect(placed.selectedIds).toHaveLength(2);
    expect(placed.scrolledTo).toHaveLength(1);

    const after = await me(proxy, token);
    expect(after.balance.available).toBe(before.balance.available! - two.credits);
    expect(after.balance.held).toBe(0);
    // The panel refreshed its balance after the job.
    await expect.poll(async () => panel.getByTestId("balance").getAttribute("data-available")).toBe(String(after.balance.available));
    await panel.getByTestId("prompt").fill("A lighthouse at dawn, watercolor");
    await shootPanel(page, "create-light");
    await page.close();
  });

  it("shows refusals at a glance: the shortfall, the tier to upgrade to, an empty prompt", async () => {
    const { token } = await lowProxy.admin<{ token: string }>("team", "create", "--name", "Small Team", "--tier", "free");
    const { page, panel } = await openPanel(browser, harness.url, lowProxy, token, "dark");
    await expect.poll(async () => panel.getByTestId("balance").getAttribute("data-available")).toBe("5");

    const empty = await badge(panel);
    expect(empty.state).toBe("empty");
    await expect.poll(() => panel.getByTestId("generate").isDisabled()).toBe(true);

    await panel.getByTestId("prompt").fill("Neon city skyline");
    await panel.getByTestId("quality").selectOption("standard");
    await panel.getByTestId("variations").fill("2");
    const short = await badgeWhen(panel, (b) => b.state === "insufficient");
    expect(short.credits).toBe(8);
    expect(short.text).toContain("3"); // 8 needed, 5 available: 3 short
    expect(await panel.getByTestId("generate").isDisabled()).toBe(true);

    await panel.getByTestId("variations").fill("1");
    await panel.getByTestId("quality").selectOption("premium");
    const tier = await badgeWhen(panel, (b) => b.state === "tier");
    expect(tier.text.toLowerCase()).toContain("pro");
    expect(await panel.getByTestId("generate").isDisabled()).toBe(true);
    await shootPanel(page, "create-dark-tier");

    // Nothing was held or charged by any of it.
    const after = await me(lowProxy, token);
    expect(after.balance).toMatchObject({ available: 5, held: 0 });
    await page.close();
  });
});
