// The plugin where Figma runs it, end to end in real Chromium: the built plugin.js in QuickJS with only the
// sandbox's globals (no URL, no TextEncoder), against the fake `figma` that keeps Figma's rules, the built
// panel in a Figma-like iframe, a real proxy process. What only the sandbox shows: settings saved there at
// all, results crossing one image per message, and results that land on their source's page.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  badgeWhen,
  createTeam,
  harnessErrors,
  harnessStorage,
  me,
  openPanel,
  openTab,
  postedByPlugin,
  readCanvas,
  receivedByPlugin,
  shootPanel,
  switchPage,
  useBrowserSuite,
  waitForJob,
} from "../support/browser.ts";

const HERO = { name: "Hero", x: 100, y: 200, width: 400, height: 300 };
/** A 512 x 384 px photo shown at half size. */
const PHOTO = { name: "Photo", x: 100, y: 200, width: 256, height: 192, image: { width: 512, height: 384 } };
const GAP = 40;
/** The only origin the default build's manifest lets Figma reach (scripts/plugin-config.ts). */
const MANIFEST_ORIGIN = "http://localhost:8787";

/** The panel's window as the recorder below sees it (the Node-side types have no DOM). */
type PanelWindow = {
  __statusLog: string[];
  document: { body: unknown; querySelector(selector: string): { textContent: string | null } | null };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };
};

/** Records every text the job status line shows from now on, however briefly (an observer in the panel). */
async function recordStatusLine(page: Page): Promise<() => Promise<string[]>> {
  const frame = await (await page.locator("#panel").elementHandle())?.contentFrame();
  if (!frame) throw new Error("the panel's frame is not there");
  await frame.evaluate(() => {
    const w = globalThis as unknown as PanelWindow;
    w.__statusLog = [];
    const read = () => {
      const text = w.document.querySelector('[data-testid="job-status"]')?.textContent ?? "";
      if (text && text !== w.__statusLog.at(-1)) w.__statusLog.push(text);
    };
    new w.MutationObserver(read).observe(w.document.body, { subtree: true, childList: true, characterData: true });
  });
  return () => frame.evaluate(() => (globalThis as unknown as PanelWindow).__statusLog);
}

describe("The plugin in Figma's sandbox (QuickJS), in Chromium against a real proxy", () => {
  const suite = useBrowserSuite();

  it("saves the proxy and token a designer types on first run, and keeps them for the next run", async () => {
    const token = await createTeam(suite.proxy, "First Run", "pro");
    const { page, panel } = await openPanel(suite, "");
    expect(await harnessStorage(page)).toEqual({});
    const url = panel.getByTestId("settings-proxy-url");
    expect(await url.inputValue()).toBe(MANIFEST_ORIGIN);
    await url.fill(suite.proxy.url);
    // The harness's proxy listens on 127.0.0.1 at a random port, which this build's manifest does not allow:
    // the panel rightly warns that Figma would block it (the harness itself does not), and still saves.
    await expect.poll(() => panel.getByTestId("settings-blocked").innerText()).toContain(`Figma will block ${suite.proxy.url}`);
    await panel.getByTestId("settings-token").fill(token);
    await panel.getByTestId("settings-save").click();

    // The plugin stored them (its old check needed `URL`, which the sandbox lacks) and the panel reloaded.
    await panel.getByTestId("balance").waitFor();
    const { balance } = await me(suite.proxy, token);
    expect(await panel.getByTestId("balance").getAttribute("data-available")).toBe(String(balance.available));
    const stored = await harnessStorage(page);
    expect(stored).toEqual({ settings: { proxyUrl: suite.proxy.url, token } });
    expect(await postedByPlugin(page)).toContain("settings-saved");
    expect(await postedByPlugin(page)).not.toContain("settings-failed");
    expect(await harnessErrors(page)).toEqual({ sandbox: [], notifications: [] });
    await page.close();

    // Closed and opened again, the plugin reads the same clientStorage: signed in, the settings as saved.
    const again = await openPanel(suite, "", { storage: stored });
    expect(await again.panel.getByTestId("balance").getAttribute("data-available")).toBe(String(balance.available));
    await again.panel.getByRole("button", { name: "Settings" }).click();
    expect(await again.panel.getByTestId("settings-proxy-url").inputValue()).toBe(suite.proxy.url);
    expect(await again.panel.getByTestId("settings-token").inputValue()).toBe(token);
    await again.page.close();
  });

  it("warns in Settings, while the URL is typed, of a proxy the manifest does not let Figma reach", async () => {
    const token = await createTeam(suite.proxy, "Own Host", "pro");
    const { page, panel } = await openPanel(suite, token);
    await panel.getByRole("button", { name: "Settings" }).click();
    const url = panel.getByTestId("settings-proxy-url");
    const warning = panel.getByTestId("settings-blocked");
    // The harness's own proxy (127.0.0.1, a random port) is not the manifest's origin either.
    expect(await warning.innerText()).toContain(`Figma will block ${suite.proxy.url}`);

    await url.fill(MANIFEST_ORIGIN);
    await expect.poll(() => warning.count()).toBe(0);
    await url.fill("https://images.acme.example");
    await expect.poll(() => warning.count()).toBe(1);
    expect(await warning.innerText()).toBe(
      `Figma will block https://images.acme.example: this build of the plugin may only reach ${MANIFEST_ORIGIN}. Rebuild it with PLUGIN_PROXY_ORIGINS=https://images.acme.example and import it again (README, “A team's proxy on its own host”).`,
    );
    await url.fill(`${MANIFEST_ORIGIN}/`);
    await expect.poll(() => warning.count()).toBe(0);
    await url.fill("https://images.acme.example");
    await warning.waitFor();
    await shootPanel(page, "settings-blocked-origin");
    await page.close();
  });

  it("places Create's 4 variations one image per message, the status line following the placement", async () => {
    const token = await createTeam(suite.proxy, "Variations Team", "pro");
    const { page, panel } = await openPanel(suite, token, { selection: [HERO] });
    await panel.getByTestId("prompt").fill("A paper boat on a pond");
    await panel.getByTestId("quality").selectOption("draft");
    await panel.getByTestId("aspect-ratio").selectOption("1:1");
    await panel.getByTestId("variations").fill("4");
    await badgeWhen(panel, (b) => b.state === "price");
    const statusLine = await recordStatusLine(page);
    await panel.getByTestId("generate").click();
    expect(await waitForJob(panel)).toMatch(/^Placed 4 images · /);
    // Each image Figma took moved the status line on, before the last one said where they went.
    const shown = await statusLine();
    expect(shown.filter((text) => text.startsWith("Placing"))).toEqual([
      "Placing 1 of 4 images on the canvas…",
      "Placing 2 of 4 images on the canvas…",
      "Placing 3 of 4 images on the canvas…",
      "Placing 4 of 4 images on the canvas…",
      "Placing 4 images on the canvas…",
    ]);
    expect(shown.at(-1)).toMatch(/^Placed 4 images · /);

    // Each image crossed alone: four place-image messages of one image each, then one commit.
    const received = await receivedByPlugin(page);
    expect(received.filter((m) => m.type === "place-image")).toEqual(Array.from({ length: 4 }, () => ({ type: "place-image", images: 1 })));
    expect(received.filter((m) => m.type === "place-commit")).toEqual([{ type: "place-commit", images: 0 }]);
    expect(Math.max(...received.map((m) => m.images))).toBe(1);
    expect((await postedByPlugin(page)).filter((t) => t === "place-progress")).toHaveLength(4);

    const state = await readCanvas(page);
    expect(state.nodes).toHaveLength(4);
    state.nodes.forEach((node, i) => {
      expect(node).toMatchObject({ page: "Page 1", parentType: "PAGE", y: HERO.y, decoded: { width: node.width, height: node.height } });
      expect(node.x).toBe(HERO.x + HERO.width + GAP + i * (node.width + GAP));
    });
    expect(new Set(state.nodes.map((n) => n.pluginData.assetId)).size).toBe(4);
    expect(state.undoSteps).toBe(1);
    expect(state.selectedIds).toEqual(state.nodes.map((n) => n.id));
    expect(await harnessErrors(page)).toEqual({ sandbox: [], notifications: [] });
    await page.close();
  });

  it("puts a result on its source's page when the designer has opened another page meanwhile", async () => {
    const token = await createTeam(suite.proxy, "Two Pages", "pro");
    const { page, panel } = await openPanel(suite, token, { selection: [PHOTO], pages: ["Page 1", "Page 2"] });
    const upscale = await openTab(panel, "upscale");
    await badgeWhen(upscale, (b) => b.state === "price");
    // The designer opens Page 2 as soon as the plugin has handed over the photo, long before the result.
    await switchPage(page, "Page 2", "exported");
    await upscale.getByTestId("upscale-run").click();
    expect(await waitForJob(upscale)).toMatch(/ · on page “Page 1”, beside their source$/);

    const state = await readCanvas(page);
    expect(state.currentPage).toBe("Page 2");
    expect(state.nodes).toHaveLength(1);
    expect(state.nodes[0]).toMatchObject({ page: "Page 1", parentType: "PAGE", x: PHOTO.x + PHOTO.width + GAP, y: PHOTO.y, decoded: { width: 2048, height: 1536 } });
    expect(state.nodes[0]!.pluginData.operation).toBe("upscale");
    // The page the designer is on is left alone: nothing selected there, the view not moved.
    expect(state.selectedIds).toEqual([]);
    expect(state.scrolledTo).toEqual([]);
    expect(state.undoSteps).toBe(1);
    expect(await harnessErrors(page)).toEqual({ sandbox: [], notifications: [] });
    await page.close();
  });
});
