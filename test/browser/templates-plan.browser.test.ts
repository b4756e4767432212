// Templates, reuse and plans in real Chromium: the built plugin.js on a fake canvas, the built panel in a
// Figma-like iframe, a real proxy process on a fresh database with the offline local provider.
// - A template fills the Create form and its badge; the ledger charges exactly that badge.
// - A seeded job identical to an earlier one shows "Reuse · 0" before the click, returns the earlier images
//   for 0 credits and places them; "Make a new one instead" brings the price back, and that is the charge.
//   The same holds in Upscale, on an image this plugin placed (its library asset names the input).
// - The Plan section prices the cost guide's first example as POST /v1/estimate does (29).
// - The Team studio shows the proxy's cost-saving insights, and an empty state before there are any.
import { describe, expect, it } from "vitest";
import type { FrameLocator, Locator, Page } from "playwright-core";
import { insightsResponseSchema } from "../../core/api/insights.ts";
import { templatesResponseSchema } from "../../core/api/responses.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import type { ProxyProcess } from "../support/proxy-process.ts";
import { badge, badgeWhen, callProxy, createTeam, me, openPanel, openTab, readCanvas, runJob, selectIds, shootPanel, useBrowserSuite, waitForJob } from "../support/browser.ts";

const HERO = { name: "Hero", x: 100, y: 200, width: 400, height: 300 };

/** What the team has left; nothing may be held after a job has settled. */
async function available(proxy: ProxyProcess, token: string): Promise<number> {
  const { balance } = await me(proxy, token);
  expect(balance.held).toBe(0);
  return balance.available!;
}

/** At Figma's default 360 x 600 nothing sticks out sideways: not the page, not the studio's scroll area. */
async function expectNoOverflow(scope: Locator | FrameLocator) {
  const sizes = await scope.locator(".scroll").first().evaluate((el) => {
    const doc = el.ownerDocument.documentElement;
    return { page: doc.scrollWidth - doc.clientWidth, scroll: el.scrollWidth - el.clientWidth };
  });
  expect(sizes).toEqual({ page: 0, scroll: 0 });
}

/** The images the plugin placed, with the spec each one was made from. */
async function placed(page: Page): Promise<{ id: string; assetId: string; spec: Record<string, unknown> }[]> {
  return (await readCanvas(page)).nodes.map((n) => ({ id: n.id, assetId: n.pluginData.assetId ?? "", spec: JSON.parse(n.pluginData.spec ?? "{}") as Record<string, unknown> }));
}

describe("Templates, reuse and plans in Chromium against a real proxy", () => {
  const suite = useBrowserSuite();

  /** A new pro team, and the panel signed in as its manager with the hero frame selected. */
  async function openAsNewTeam(name: string, theme: "light" | "dark" = "light") {
    const token = await createTeam(suite.proxy, name, "pro");
    return { token, ...(await openPanel(suite, token, { selection: [HERO], theme })) };
  }

  it("applies a template: the form and badge change, {subject} is selected to type over, and the charge is the badge", async () => {
    const { token, page, panel } = await openAsNewTeam("Template Team");
    // What GET /v1/templates says each costs is what the picker says.
    const listed = templatesResponseSchema.parse(await (await callProxy(suite.proxy, token, "/v1/templates")).json()).templates;
    const product = listed.find((t) => t.id === "product-shot")!;
    const option = panel.getByTestId("template").locator('option[value="product-shot"]');
    expect(await option.innerText()).toBe(`Product shot · ${product.estimate.total} credits`);
    for (const t of listed) expect(Number(await panel.getByTestId("template").locator(`option[value="${t.id}"]`).getAttribute("data-credits"))).toBe(t.estimate.total);

    await panel.getByTestId("prompt").fill("Something else");
    await panel.getByTestId("quality").selectOption("premium");
    await panel.getByTestId("variations").fill("2");
    const before = await badgeWhen(panel, (b) => b.state === "price" && b.credits === 12);

    await panel.getByTestId("template").selectOption("product-shot");
    const after = await badgeWhen(panel, (b) => b.credits !== before.credits);
    expect(after.credits).toBe(product.estimate.total);
    expect(await panel.locator("#template-note").innerText()).toBe(product.use);
    expect(await panel.getByTestId("prompt").inputValue()).toBe(product.prompt);
    expect(await panel.getByTestId("quality").inputValue()).toBe("standard");
    expect(await panel.getByTestId("variations").inputValue()).toBe("1");
    expect(await panel.getByTestId("aspect-ratio").inputValue()).toBe("1:1");
    expect(await panel.getByTestId("negative-prompt").inputValue()).toBe("text, watermark, clutter");
    expect(await panel.getByTestId("negative-prompt").isVisible()).toBe(true); // Advanced opened to show it

    // The placeholder is selected in the focused prompt: typing replaces it.
    await expect
      .poll(() => panel.getByTestId("prompt").evaluate((el) => {
        // Runs in the page; the Node-side types have no DOM.
        const t = el as unknown as { value: string; selectionStart: number; selectionEnd: number; ownerDocument: { activeElement: unknown } };
        return t === t.ownerDocument.activeElement && t.value.slice(t.selectionStart, t.selectionEnd);
      }))
      .toBe("{subject}");
    await page.keyboard.type("a red bicycle");
    expect(await panel.getByTestId("prompt").inputValue()).toBe(product.prompt.replace("{subject}", "a red bicycle"));

    const start = await available(suite.proxy, token);
    const price = await badgeWhen(panel, (b) => b.state === "price");
    expect(price.credits).toBe(product.estimate.total);
    await panel.getByTestId("generate").click();
    expect(await waitForJob(panel)).toBe(`Placed 1 image · ${price.credits} credits charged`);
    expect(await available(suite.proxy, token)).toBe(start - price.credits);
    const [node] = await placed(page);
    expect(node!.spec).toMatchObject({ templateId: "product-shot", negativePrompt: "text, watermark, clutter", quality: "standard", aspectRatio: "1:1" });

    // "No template" keeps the form but no longer names the template.
    await panel.getByTestId("template").selectOption("");
    expect(await panel.getByTestId("prompt").inputValue()).toBe(product.prompt.replace("{subject}", "a red bicycle"));
    await page.close();
  });

  it("reuses an identical seeded create for 0 credits, and makes a new one at the badge's price when asked", async () => {
    const { token, page, panel } = await openAsNewTeam("Reuse Team", "dark");
    await panel.getByTestId("prompt").fill("A paper boat on a pond");
    await panel.getByTestId("quality").selectOption("draft");
    // The seed sits in the Advanced disclosure, opened from the keyboard.
    await panel.getByTestId("create-advanced").locator("summary").focus();
    await page.keyboard.press("Enter");
    await panel.getByTestId("create-seed").fill("1234");
    const draft = DEFAULT_CATALOG.create.qualities.draft.credits;
    // Nothing like it was made yet: the price, and no choice to make.
    await badgeWhen(panel, (b) => b.state === "price" && b.credits === draft);
    await new Promise((r) => setTimeout(r, 600)); // past the reuse check's debounce
    expect((await badge(panel)).state).toBe("price");
    expect(await panel.getByTestId("create-fresh").count()).toBe(0);

    const start = await available(suite.proxy, token);
    await panel.getByTestId("generate").click();
    expect(await waitForJob(panel)).toBe(`Placed 1 image · ${draft} credits charged`);
    expect(await available(suite.proxy, token)).toBe(start - draft);
    const first = await placed(page);
    expect(first).toHaveLength(1);
    expect(first[0]!.spec).toMatchObject({ seed: 1234 });

    // The same again: the badge says so before the click, and the server agrees.
    const reuse = await badgeWhen(panel, (b) => b.state === "reuse");
    expect(reuse).toEqual({ credits: 0, state: "reuse", text: "Reuse · 0" });
    const est = (await (await callProxy(suite.proxy, token, "/v1/estimate", { operation: "create", prompt: "A paper boat on a pond", quality: "draft", aspectRatio: "1:1", variations: 1, seed: 1234 })).json()) as { total: number; reuse?: { jobId: string } };
    expect(est).toMatchObject({ total: 0, reuse: { jobId: expect.any(String) } });
    expect(await panel.getByTestId("create-fresh").isChecked()).toBe(false);
    expect(await panel.getByText(`Make a new one instead (${draft} credits)`).isVisible()).toBe(true);
    await expectNoOverflow(panel.locator("#panel-create"));
    await shootPanel(page, "create-reuse-dark");
    await panel.getByTestId("generate").click();
    expect(await waitForJob(panel)).toBe("Placed 1 image · reused for 0 credits");
    expect(await available(suite.proxy, token)).toBe(start - draft);
    const second = await placed(page);
    expect(second).toHaveLength(2);
    expect(second[1]!.assetId).toBe(second[0]!.assetId); // the earlier image, placed again

    // "Make a new one instead": the price again, and that is the charge.
    await badgeWhen(panel, (b) => b.state === "reuse");
    await panel.getByTestId("create-fresh").check();
    const fresh = await badgeWhen(panel, (b) => b.state === "price");
    expect(fresh.credits).toBe(draft);
    await panel.getByTestId("generate").click();
    expect(await waitForJob(panel)).toBe(`Placed 1 image · ${draft} credits charged`);
    expect(await available(suite.proxy, token)).toBe(start - 2 * draft);
    const third = await placed(page);
    expect(third).toHaveLength(3);
    expect(third[2]!.spec).toMatchObject({ seed: 1234, fresh: true });
    expect(third[2]!.assetId).not.toBe(third[0]!.assetId);
    await page.close();
  });

  it("reuses an identical seeded upscale of an image this plugin placed", async () => {
    const { token, page, panel } = await openAsNewTeam("Upscale Reuse Team");
    // A small image to upscale; once placed it is selected, and it is an unchanged result of this plugin.
    await panel.getByTestId("prompt").fill("A tiny red kite");
    await panel.getByTestId("quality").selectOption("draft");
    await panel.getByTestId("generate").click();
    await waitForJob(panel);
    const [source] = await placed(page);
    expect(source!.assetId).toMatch(/^ast_/);

    const upscale = await openTab(panel, "upscale");
    await upscale.getByTestId("upscale-advanced").locator("summary").click();
    await upscale.getByTestId("upscale-seed").fill("7");
    const price = await badgeWhen(upscale, (b) => b.state === "price");
    expect(price.credits).toBe(DEFAULT_CATALOG.upscale.fast.credits);
    const start = await available(suite.proxy, token);
    await upscale.getByTestId("upscale-run").click();
    await waitForJob(upscale);
    expect(await available(suite.proxy, token)).toBe(start - price.credits);
    const first = (await placed(page))[1]!;
    expect(first.spec).toMatchObject({ operation: "upscale", seed: 7, sourceAssetId: source!.assetId });

    // Select the source image again: the same upscale of it now comes back for 0 credits.
    await selectIds(page, [source!.id]);
    await badgeWhen(upscale, (b) => b.state === "reuse");
    await upscale.getByTestId("upscale-run").click();
    expect(await waitForJob(upscale)).toMatch(/reused for 0 credits$/);
    expect(await available(suite.proxy, token)).toBe(start - price.credits);
    const again = (await placed(page))[2]!;
    expect(again.assetId).toBe(first.assetId);
    await page.close();
  });

  it("prices the cost guide's first example in the Plan section as POST /v1/estimate does: 29", async () => {
    const { token, page, panel } = await openAsNewTeam("Plan Team");
    await panel.getByTestId("prompt").fill("A ceramic mug");
    await panel.getByTestId("quality").selectOption("standard");
    await panel.getByTestId("aspect-ratio").selectOption("1:1");
    // Collapsed until opened; the summary carries the total all the same.
    expect(await panel.getByTestId("plan-count").isVisible()).toBe(false);
    // Opened from the keyboard: its summary is a tab stop.
    await panel.getByTestId("plan").locator("summary").focus();
    await page.keyboard.press("Space");
    await panel.getByTestId("plan-count").fill("5");
    await panel.getByTestId("plan-removeBackground").check();
    await panel.getByTestId("plan-removeBackground-count").fill("3");
    await panel.getByTestId("plan-social").check();
    await panel.getByTestId("plan-social-count").fill("3");
    const total = panel.getByTestId("plan-total");
    await expect.poll(() => total.getAttribute("data-credits")).toBe("29");
    expect(await total.innerText()).toBe("29 credits");

    const size = DEFAULT_CATALOG.create.aspectRatios["1:1"]!;
    const res = await callProxy(suite.proxy, token, "/v1/estimate", {
      plan: [
        { operation: "create", prompt: "A ceramic mug", quality: "standard", aspectRatio: "1:1", count: 5 },
        { operation: "edit", kind: "remove-background", input: size, count: 3 },
        { operation: "social", formats: ["instagram-square", "instagram-portrait", "linkedin-feed"], input: size },
      ],
    });
    expect(res.status).toBe(200);
    const server = (await res.json()) as { total: number; lines: { step: number; credits: number }[] };
    expect(server.total).toBe(29);
    // Line by line too: 20 for the creates, 9 for the cutouts, 0 for the formats.
    const lines = await panel.getByTestId("plan-lines").locator("li[data-credits]").evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-credits"))));
    expect(lines).toEqual(server.lines.map((l) => l.credits));
    // Nothing ran.
    expect(await available(suite.proxy, token)).toBe(DEFAULT_CATALOG.tiers.find((t) => t.id === "pro")!.monthlyCredits);
    await expectNoOverflow(panel.locator("#panel-create"));
    await panel.getByTestId("plan-social-count").blur();
    await panel.getByTestId("plan").evaluate((el) => el.scrollIntoView({ block: "end" }));
    await shootPanel(page, "create-plan-light");
    await page.close();
  });

  it("shows the Team studio's insights: none at first, then the one a premium create and the same prompt again make", async () => {
    const { token, page, panel } = await openAsNewTeam("Insight Team");
    const team = await openTab(panel, "team");
    const insights = team.getByTestId("insights");
    await expect.poll(() => insights.getAttribute("data-state")).toBe("ready");
    expect(await insights.getByTestId("insights-empty").innerText()).toBe("Nothing to suggest this period");

    const small = { width: 256, height: 192 };
    await runJob(suite.proxy, token, { operation: "create", prompt: "A lighthouse at dusk", quality: "premium", aspectRatio: small });
    await runJob(suite.proxy, token, { operation: "create", prompt: "A lighthouse at dusk", quality: "premium", aspectRatio: small });
    const res = await callProxy(suite.proxy, token, "/v1/insights");
    expect(res.status).toBe(200);
    const report = insightsResponseSchema.parse(await res.json());
    expect(report.insights.length).toBeGreaterThan(0);

    await team.getByTestId("team-refresh").click();
    const items = insights.getByTestId("insight");
    await expect.poll(() => items.count()).toBe(report.insights.length);
    for (const [i, insight] of report.insights.entries()) {
      const item = items.nth(i);
      expect(await item.getAttribute("data-kind")).toBe(insight.kind);
      expect(Number(await item.getAttribute("data-saved"))).toBe(insight.savedCredits);
      const text = await item.innerText();
      expect(text).toContain(insight.title);
      expect(text).toContain(insight.advice);
      expect(text).toContain(`Saves ${insight.savedCredits} cr`);
    }
    await page.close();
  });
});
