// Edit and Upscale end to end in real Chromium: the built plugin.js on a fake canvas with image fills and a
// shape drawn over a photo, the built panel in a Figma-like iframe, a real proxy process on a fresh
// database. The badges price the selected image at its pixel size exactly as the server does; jobs send the
// image (and, for erase, a mask the image's size) as multipart parts and land beside or into the photo.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { JobSpecInput } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import type { ProxyProcess } from "../support/proxy-process.ts";
import { badgeWhen, createTeam, me, openPanel, openTab, readCanvas, select, shootPanel, useBrowserSuite, waitForJob, type BrowserSuite } from "../support/browser.ts";

/** A 512 x 384 px photo shown at half size; an oval drawn over its middle; a 3 MP photo for the surcharge. */
const PHOTO = { name: "Photo", x: 100, y: 200, width: 256, height: 192, image: { width: 512, height: 384 } };
const OVAL = { name: "Oval", type: "ELLIPSE", x: 164, y: 248, width: 128, height: 96, color: { r: 1, g: 0.2, b: 0.2 } };
const BIG = { name: "Big", x: 100, y: 700, width: 400, height: 300, image: { width: 2048, height: 1536 } };

/** What the server would charge for the spec: the badge must say the same. */
async function serverEstimate(proxy: ProxyProcess, token: string, spec: JobSpecInput): Promise<number> {
  const res = await fetch(`${proxy.url}/v1/estimate`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(spec),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { total: number }).total;
}

/** The panel on a canvas holding the three fixtures, `selected` of them selected. */
function open(suite: BrowserSuite, token: string, selected: string[], theme: "light" | "dark" = "light") {
  return openPanel(suite, token, { selection: [PHOTO, OVAL, BIG], selected, theme });
}

/** The canvas as these tests look at it: the images the plugin made, the given nodes by name, the last mask sent. */
async function canvas(page: Page) {
  // The oval covers image pixels 128..384 x 96..288; (130, 98) is inside its box but outside the ellipse.
  const state = await readCanvas(page, { centre: [256, 192], corner: [2, 2], edgeOutside: [130, 98] });
  return {
    created: state.nodes,
    given: Object.fromEntries(state.given.map((n) => [n.name, n])),
    undoSteps: state.undoSteps,
    framesLeft: state.frames.filter((f) => !f.removed).length,
    mask: state.mask,
  };
}

describe("Edit and Upscale studios in Chromium against a real proxy", () => {
  // The default catalog routes the edits and upscales the offline local provider does to it, after the
  // keyed providers, so they run here without any provider account.
  const suite = useBrowserSuite();

  it("renders both studios with badges at the catalog price for the selected image's pixel size", async () => {
    const token = await createTeam(suite.proxy, "Edit Team", "pro");
    const { page, panel } = await open(suite, token, ["Photo"]);
    const edit = await openTab(panel, "edit");
    expect(await panel.getByTestId("tab-edit").getAttribute("aria-selected")).toBe("true");
    expect(await panel.locator("#panel-create").isHidden()).toBe(true);

    // Remove background on the 512 x 384 photo: the catalog's price, as the server prices it.
    const photo = { width: 512, height: 384 };
    const rb = await badgeWhen(edit, (b) => b.state === "price");
    expect(rb.credits).toBe(DEFAULT_CATALOG.edit["remove-background"].credits);
    expect(rb.credits).toBe(await serverEstimate(suite.proxy, token, { operation: "edit", kind: "remove-background", input: photo }));
    expect(await edit.getByTestId("edit-run").isEnabled()).toBe(true);

    // Erase needs a shape over the image: asked for until one is selected with the photo.
    await edit.getByTestId("edit-kind").selectOption("erase");
    const noMask = await badgeWhen(edit, (b) => b.state === "empty");
    expect(noMask.credits).toBe(DEFAULT_CATALOG.edit.erase.credits);
    expect(await edit.locator("#edit-run-hint").innerText()).toMatch(/Draw a shape over the area/);
    await select(page, ["Photo", "Oval"]);
    await expect.poll(() => edit.getByTestId("mask-hint").innerText()).toContain("“Oval”");
    const erase = await badgeWhen(edit, (b) => b.state === "price");
    expect(erase.credits).toBe(await serverEstimate(suite.proxy, token, { operation: "edit", kind: "erase", input: photo }));

    // Per-kind fields: search & recolor asks what to select; outpaint shows its sides and the size it makes.
    await edit.getByTestId("edit-kind").selectOption("search-recolor");
    await edit.getByTestId("edit-selectPrompt").fill("the disc");
    await edit.getByTestId("edit-prompt").fill("deep blue");
    expect((await badgeWhen(edit, (b) => b.state === "price")).credits).toBe(DEFAULT_CATALOG.edit["search-recolor"].credits);
    await edit.getByTestId("edit-kind").selectOption("outpaint");
    await edit.getByTestId("expand-right").fill("128");
    await expect.poll(() => edit.getByTestId("outpaint-size").innerText()).toBe("512×384 → 640×384");

    // A 2048 x 1536 photo (3 MP) costs the large-image surcharge on top, badge and server alike.
    await edit.getByTestId("edit-kind").selectOption("remove-background");
    await select(page, ["Big"]);
    const big = await badgeWhen(edit, (b) => b.state === "price" && b.credits !== rb.credits);
    expect(big.credits).toBe(DEFAULT_CATALOG.edit["remove-background"].credits + 1);
    expect(big.credits).toBe(await serverEstimate(suite.proxy, token, { operation: "edit", kind: "remove-background", input: BIG.image }));

    // The tabs are keyboard-reachable: arrow right from Edit moves to Upscale.
    await panel.getByTestId("tab-edit").focus();
    await panel.getByTestId("tab-edit").press("ArrowRight");
    await expect.poll(() => panel.getByTestId("tab-upscale").getAttribute("aria-selected")).toBe("true");
    expect(await panel.getByTestId("tab-upscale").evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    const upscale = panel.locator("#panel-upscale");
    await expect.poll(() => upscale.getByTestId("upscale-size").innerText()).toBe("2048×1536 → 4096×3072 px");
    const fastBig = await badgeWhen(upscale, (b) => b.state === "price");
    expect(fastBig.credits).toBe(DEFAULT_CATALOG.upscale.fast.credits + 1);
    expect(fastBig.credits).toBe(await serverEstimate(suite.proxy, token, { operation: "upscale", mode: "fast", input: BIG.image }));

    await select(page, ["Photo"]);
    await expect.poll(() => upscale.getByTestId("upscale-size").innerText()).toBe("512×384 → 2048×1536 px");
    expect((await badgeWhen(upscale, (b) => b.state === "price" && b.credits !== fastBig.credits)).credits).toBe(DEFAULT_CATALOG.upscale.fast.credits);
    await upscale.getByTestId("upscale-mode").selectOption("conservative");
    await expect.poll(() => upscale.getByTestId("upscale-size").innerText()).toBe("512×384 → 4096×3072 px");
    const conservative = await badgeWhen(upscale, (b) => b.state === "price" && b.credits === DEFAULT_CATALOG.upscale.conservative.credits);
    expect(conservative.credits).toBe(await serverEstimate(suite.proxy, token, { operation: "upscale", mode: "conservative", input: photo }));
    await upscale.getByTestId("upscale-mode").selectOption("creative");
    await badgeWhen(upscale, (b) => b.state === "empty");
    await upscale.getByTestId("upscale-prompt").fill("A red disc on a pale wall");
    expect((await badgeWhen(upscale, (b) => b.state === "price")).credits).toBe(DEFAULT_CATALOG.upscale.creative.credits);
    await shootPanel(page, "upscale-light");

    await panel.getByTestId("tab-edit").click();
    await edit.getByTestId("edit-kind").selectOption("inpaint");
    await select(page, ["Photo", "Oval"]);
    await edit.getByTestId("edit-prompt").fill("A small potted fern");
    await badgeWhen(edit, (b) => b.state === "price");
    await shootPanel(page, "edit-light");

    // Pricing charged nothing.
    expect((await me(suite.proxy, token)).balance.held).toBe(0);
    await page.close();
  });

  it("says when nothing is selected, in both studios (dark theme)", async () => {
    const token = await createTeam(suite.proxy, "Empty Team", "pro");
    const { page, panel } = await open(suite, token, [], "dark");
    const edit = await openTab(panel, "edit");
    const empty = await badgeWhen(edit, (b) => b.state === "empty");
    expect(empty.credits).toBe(DEFAULT_CATALOG.edit["remove-background"].credits);
    expect(await edit.locator("#edit-run-hint").innerText()).toBe("Select an image to edit");
    expect(await edit.getByTestId("edit-run").isDisabled()).toBe(true);
    expect(await edit.getByText("Select an image on the canvas").isVisible()).toBe(true);

    const upscale = await openTab(panel, "upscale");
    await badgeWhen(upscale, (b) => b.state === "empty");
    expect(await upscale.locator("#upscale-run-hint").innerText()).toBe("Select an image to upscale");
    expect(await upscale.getByTestId("upscale-run").isDisabled()).toBe(true);
    expect(await upscale.getByTestId("upscale-size").innerText()).toMatch(/Select an image/);

    // Two images are a batch, priced as one with each image's own surcharge (the 3 MP one pays it).
    await select(page, ["Photo", "Big"]);
    const both = await badgeWhen(upscale, (b) => b.text.startsWith("2 images"));
    expect(both).toMatchObject({ state: "price", credits: 2 * DEFAULT_CATALOG.upscale.fast.credits + 1, text: `2 images, ${2 * DEFAULT_CATALOG.upscale.fast.credits + 1} credits` });
    // A selection the studios cannot use says why.
    await select(page, ["Oval"]);
    await expect.poll(() => upscale.locator("#upscale-run-hint").innerText()).toBe("Select an image, or a frame to use as one");

    await select(page, ["Photo"]);
    await badgeWhen(upscale, (b) => b.state === "price");
    await shootPanel(page, "upscale-dark");
    await panel.getByTestId("tab-edit").click();
    await edit.getByTestId("edit-kind").selectOption("outpaint");
    await edit.getByTestId("expand-left").fill("64");
    await edit.getByTestId("expand-right").fill("64");
    await edit.getByTestId("edit-prompt").fill("More of the pale wall");
    await badgeWhen(edit, (b) => b.state === "price");
    await shootPanel(page, "edit-dark");
    await page.close();
  });

  it("removes the background and places the result beside the photo, charging what the badge said", async () => {
    const token = await createTeam(suite.proxy, "Cutout Team", "pro");
    const before = await me(suite.proxy, token);
    const { page, panel } = await open(suite, token, ["Photo"]);
    const edit = await openTab(panel, "edit");
    const price = await badgeWhen(edit, (b) => b.state === "price");
    await edit.getByTestId("edit-run").click();
    await waitForJob(edit);

    const state = await canvas(page);
    expect(state.created).toHaveLength(1);
    const result = state.created[0]!;
    expect(result.decoded).toEqual(PHOTO.image);
    expect({ x: result.x, y: result.y, width: result.width, height: result.height, parentType: result.parentType }).toEqual({
      x: PHOTO.x + PHOTO.width + 40,
      y: PHOTO.y,
      ...PHOTO.image,
      parentType: "PAGE",
    });
    expect(result.name).toBe("Photo · Remove background");
    expect(result.pluginData).toMatchObject({ operation: "edit", jobId: expect.stringMatching(/\S/), assetId: expect.stringMatching(/\S/) });
    expect(state.undoSteps).toBe(1);
    expect(state.given.Photo!.pluginData).toEqual({}); // the source is left alone

    const after = await me(suite.proxy, token);
    expect(after.balance.available).toBe(before.balance.available! - price.credits);
    expect(after.balance.held).toBe(0);
    await expect.poll(async () => panel.getByTestId("balance").getAttribute("data-available")).toBe(String(after.balance.available));
    await page.close();
  });

  it("erases under the oval with a mask of the image's size, replacing the photo's fill in one undo step", async () => {
    const token = await createTeam(suite.proxy, "Erase Team", "pro");
    const before = await me(suite.proxy, token);
    const { page, panel } = await open(suite, token, ["Photo", "Oval"]);
    const edit = await openTab(panel, "edit");
    await edit.getByTestId("edit-kind").selectOption("erase");
    await edit.getByTestId("edit-replace").check();
    await expect.poll(() => edit.getByText("Replaces the image in “Photo”").isVisible()).toBe(true);
    const price = await badgeWhen(edit, (b) => b.state === "price");
    const hashBefore = (await canvas(page)).given.Photo!.fills[0]!.imageHash;
    await edit.getByTestId("edit-run").click();
    await waitForJob(edit);
    expect(await edit.getByTestId("job-status").innerText()).toMatch(/^Replaced the image/);

    const state = await canvas(page);
    // The mask the plugin sent: the image's pixel size, white inside the oval, black outside it.
    expect(state.mask).toMatchObject({ width: 512, height: 384 });
    expect(state.mask!.centre).toBeGreaterThan(250);
    expect(state.mask!.corner).toBeLessThan(5);
    expect(state.mask!.edgeOutside).toBeLessThan(5);
    expect(state.framesLeft).toBe(0);

    const photo = state.given.Photo!;
    expect(state.created).toEqual([]);
    expect(photo.fills).toHaveLength(1);
    expect(photo.fills[0]).toMatchObject({ type: "IMAGE", scaleMode: "FILL" });
    expect(photo.fills[0]!.imageHash).not.toBe(hashBefore);
    expect(photo.decoded).toEqual(PHOTO.image);
    expect(photo.pluginData).toMatchObject({ operation: "edit", jobId: expect.stringMatching(/\S/), assetId: expect.stringMatching(/\S/) });
    expect(state.undoSteps).toBe(1);
    expect((await me(suite.proxy, token)).balance.available).toBe(before.balance.available! - price.credits);
    await page.close();
  });

  it("upscales 4x beside the photo", async () => {
    const token = await createTeam(suite.proxy, "Upscale Team", "pro");
    const before = await me(suite.proxy, token);
    const { page, panel } = await open(suite, token, ["Photo"]);
    const upscale = await openTab(panel, "upscale");
    const price = await badgeWhen(upscale, (b) => b.state === "price");
    await upscale.getByTestId("upscale-run").click();
    await waitForJob(upscale);
    const state = await canvas(page);
    expect(state.created).toHaveLength(1);
    expect(state.created[0]!.decoded).toEqual({ width: 2048, height: 1536 });
    expect([state.created[0]!.x, state.created[0]!.width]).toEqual([PHOTO.x + PHOTO.width + 40, 2048]);
    expect(state.created[0]!.pluginData.operation).toBe("upscale");
    expect((await me(suite.proxy, token)).balance.available).toBe(before.balance.available! - price.credits);
    await page.close();
  });
});
