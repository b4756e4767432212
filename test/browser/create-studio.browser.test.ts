// End to end in real Chromium: the built plugin.js on a fake canvas, the built panel in a Figma-like iframe,
// a real proxy process on a fresh database, the offline local provider. What the badge says is what the
// ledger takes, and what the provider made is what lands on the canvas.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { startProxy, type ProxyProcess } from "../support/proxy-process.ts";
import { badge, badgeWhen, createTeam, me, openPanel, readCanvas, shootPanel, useBrowserSuite } from "../support/browser.ts";

const HERO = { name: "Hero", x: 100, y: 200, width: 400, height: 300 };

describe("Create studio in Chromium against a real proxy", () => {
  const suite = useBrowserSuite();
  let lowProxy: ProxyProcess;

  beforeAll(async () => {
    // A second proxy whose catalog gives the free tier only 5 credits a month, to see the refusal states.
    const lowCatalog = structuredClone(DEFAULT_CATALOG);
    lowCatalog.tiers[0]!.monthlyCredits = 5;
    const catalogPath = join(suite.proxy.dataDir, "low-catalog.json");
    await writeFile(catalogPath, JSON.stringify(lowCatalog));
    lowProxy = await startProxy({ CATALOG_PATH: catalogPath });
  }, 120_000);

  afterAll(async () => {
    await lowProxy?.stop();
  });

  it("charges exactly the badge's amount and places PNGs of the chosen size on the canvas", async () => {
    const token = await createTeam(suite.proxy, "Browser Team", "pro");
    const before = await me(suite.proxy, token);
    const { page, panel } = await openPanel(suite, token, { selection: [HERO] });
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
    const est = await fetch(`${suite.proxy.url}/v1/estimate`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ operation: "create", prompt: "A lighthouse at dawn, watercolor", quality: "standard", aspectRatio: "16:9", variations: 2 }),
    });
    expect(((await est.json()) as { total: number }).total).toBe(two.credits);

    await panel.getByTestId("generate").click();
    await expect.poll(async () => panel.getByTestId("job-status").getAttribute("data-status"), { timeout: 30_000 }).toBe("succeeded");
    await expect.poll(async () => (await readCanvas(page)).nodes.length, { timeout: 10_000 }).toBe(2);

    const { width, height } = DEFAULT_CATALOG.create.aspectRatios["16:9"]!;
    const placed = await readCanvas(page);
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

    const after = await me(suite.proxy, token);
    expect(after.balance.available).toBe(before.balance.available! - two.credits);
    expect(after.balance.held).toBe(0);
    // The panel refreshed its balance after the job.
    await expect.poll(async () => panel.getByTestId("balance").getAttribute("data-available")).toBe(String(after.balance.available));
    await panel.getByTestId("prompt").fill("A lighthouse at dawn, watercolor");
    await shootPanel(page, "create-light");
    await page.close();
  });

  it("shows refusals at a glance: the shortfall, the tier to upgrade to, an empty prompt", async () => {
    const token = await createTeam(lowProxy, "Small Team", "free");
    const { page, panel } = await openPanel(suite, token, { selection: [HERO], theme: "dark", proxy: lowProxy });
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
