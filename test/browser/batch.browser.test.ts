// Batches end to end in real Chromium: five photos selected on the fake canvas, the built plugin in QuickJS,
// the built panel, a real proxy whose upscales go to a Stability fake (a real HTTP server imitating
// Stability's documented API). The badge prices the whole batch before the click ("5 images, 10 credits");
// the ledger moves by exactly what the delivered items cost; results land beside their own sources as one
// undo step; an item the provider refuses is listed with its reason and "not charged".
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { startStabilityFake, stabilityError, type StabilityFake } from "../../server/test-support/fakes/stability-fake.ts";
import type { RecordedRequest } from "../../server/test-support/fakes/fake-http.ts";
import { badgeWhen, callProxy, createTeam, me, openPanel, openTab, readCanvas, select, shootPanel, useBrowserSuite, type BrowserSuite, type CanvasFixture } from "../support/browser.ts";

/** Photos this many pixels wide are refused by the fake provider under its content policy. */
const REFUSED_WIDTH = 320;
/** Photos this many pixels wide take the fake provider a while: time to cancel the rest of their batch. */
const SLOW_WIDTH = 288;
/** Five photos in a column, far enough apart that each 4x result fits beside its own. */
function photos(widths: number[], apart = 900): CanvasFixture[] {
  return widths.map((width, i) => ({ name: `Photo ${i + 1}`, x: 100, y: 100 + i * apart, width: 128, height: 96, image: { width, height: (width * 3) / 4 } }));
}

/** The pixel width of the image part a request to the fake carried. */
async function imageWidth(request: RecordedRequest): Promise<number | undefined> {
  const file = request.form?.get("image");
  if (!file || typeof file === "string") return undefined;
  return (await sharp(Buffer.from(await file.arrayBuffer())).metadata()).width;
}

/** Waits until the studio's batch has finished and been placed (or failed); returns its status line. */
async function batchDone(page: Page, scope: ReturnType<Page["frameLocator"]> | Awaited<ReturnType<typeof openTab>>): Promise<{ status: string; text: string }> {
  const status = scope.getByTestId("job-status");
  await expect.poll(async () => status.getAttribute("data-status").catch(() => null), { timeout: 60_000 }).toMatch(/succeeded|failed/);
  void page;
  return { status: (await status.getAttribute("data-status"))!, text: await status.innerText() };
}

/** The per-item list as the panel shows it. */
async function items(scope: Awaited<ReturnType<typeof openTab>>) {
  const rows = scope.getByTestId("batch-item");
  const out: { status: string | null; name: string; text: string }[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    out.push({ status: await row.getAttribute("data-status"), name: await row.locator(".batch-item-name").innerText(), text: await row.locator(".batch-item-text").innerText() });
  }
  return out;
}

describe("batches in Chromium against a real proxy and a provider fake", () => {
  let fake: StabilityFake;
  beforeAll(async () => {
    fake = await startStabilityFake();
    // Stability's documented 403 content_moderation, for the one photo of the refused width only.
    fake.when("upscale/fast", async (r) => (await imageWidth(r)) === REFUSED_WIDTH, {
      reply: { status: 403, body: stabilityError("content_moderation", ["Your request was flagged by our content moderation system"]) },
    });
    fake.when("upscale/fast", async (r) => (await imageWidth(r)) === SLOW_WIDTH, { delayMs: 2_500 });
  });
  afterAll(async () => fake.close());
  const suite: BrowserSuite = useBrowserSuite(() => ({ STABILITY_API_KEY: fake.apiKey, STABILITY_BASE_URL: fake.url, PROVIDER_CONCURRENCY: "2" }));
  const fast = DEFAULT_CATALOG.upscale.fast.credits;

  it("upscales 5 selected images in one click: the badge says 10 credits, the ledger moves exactly 10, each result beside its source in one undo step", async () => {
    const token = await createTeam(suite.proxy, "Batch Team", "pro");
    const before = await me(suite.proxy, token);
    const scene = photos([256, 256, 256, 256, 256]);
    const { page, panel } = await openPanel(suite, token, { selection: scene });
    const upscale = await openTab(panel, "upscale");
    const badge = await badgeWhen(upscale, (b) => b.state === "price");
    expect(badge).toEqual({ credits: 5 * fast, state: "price", text: `5 images, ${5 * fast} credits` });
    expect(badge.credits).toBe(10);
    expect(await upscale.getByTestId("upscale-size").innerText()).toBe("5 images, each 4× the pixels");
    const calls = fake.requestsTo("upscale/fast").length;
    const asked: string[] = [];
    page.on("request", (r) => asked.push(`${r.method()} ${new URL(r.url()).pathname}`));

    await upscale.getByTestId("upscale-run").click();
    const done = await batchDone(page, upscale);
    expect(done).toEqual({ status: "succeeded", text: "Placed 5 results beside their images · 10 credits charged" });
    // Each item was its own provider call.
    expect(fake.requestsTo("upscale/fast").length - calls).toBe(5);
    // One POST for the whole batch; its progress came over the events stream, with no polling.
    const batchCalls = asked.filter((a) => a.includes("/v1/batches"));
    expect(batchCalls.filter((a) => a === "POST /v1/batches")).toHaveLength(1);
    expect(batchCalls.filter((a) => /^GET \/v1\/batches\/[^/]+\/events$/.test(a))).toHaveLength(1);
    expect(batchCalls.filter((a) => /^GET \/v1\/batches\/[^/]+$/.test(a))).toEqual([]);

    const after = await me(suite.proxy, token);
    expect(before.balance.available! - after.balance.available!).toBe(10);
    expect(after.balance.held).toBe(0);
    const state = await readCanvas(page);
    expect(state.nodes).toHaveLength(5);
    const given = Object.fromEntries(state.given.map((n) => [n.name, n]));
    for (const [i, node] of state.nodes.entries()) {
      const source = given[`Photo ${i + 1}`]!;
      expect({ x: node.x, y: node.y, decoded: node.decoded, parentType: node.parentType }).toEqual({ x: source.x + source.width + 40, y: source.y, decoded: { width: 1024, height: 768 }, parentType: "PAGE" });
      expect(node.name).toBe(`Photo ${i + 1} · 1024×768`);
    }
    // One job per item, each result tagged with its own.
    expect(new Set(state.nodes.map((n) => n.pluginData.jobId)).size).toBe(5);
    expect(state.undoSteps).toBe(1);
    expect((await items(upscale)).map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded", "succeeded"]);
    await expect.poll(async () => panel.getByTestId("balance").getAttribute("data-available")).toBe(String(after.balance.available));
    await page.close();
  });

  it("with one item refused by the provider: 8 charged, 4 results placed, the failure listed with its reason and not charged", async () => {
    const token = await createTeam(suite.proxy, "Partial Team", "pro");
    const before = await me(suite.proxy, token);
    const scene = photos([256, 256, REFUSED_WIDTH, 256, 256]);
    const { page, panel } = await openPanel(suite, token, { selection: scene });
    const upscale = await openTab(panel, "upscale");
    expect((await badgeWhen(upscale, (b) => b.state === "price")).text).toBe("5 images, 10 credits");
    await upscale.getByTestId("upscale-run").click();
    const done = await batchDone(page, upscale);
    expect(done).toEqual({ status: "succeeded", text: "Placed 4 results beside their images · 8 credits charged · 1 failed, not charged" });

    const after = await me(suite.proxy, token);
    expect(before.balance.available! - after.balance.available!).toBe(8);
    expect(after.balance.held).toBe(0);
    const rows = await items(upscale);
    expect(rows.map((r) => r.status)).toEqual(["succeeded", "succeeded", "failed", "succeeded", "succeeded"]);
    expect(rows[2]!.name).toBe("Photo 3 · 1280×960");
    expect(rows[2]!.text).toMatch(/content policy.*· not charged$/);

    const state = await readCanvas(page);
    expect(state.nodes).toHaveLength(4);
    const given = Object.fromEntries(state.given.map((n) => [n.name, n]));
    expect(state.nodes.map((n) => n.name)).toEqual(["Photo 1 · 1024×768", "Photo 2 · 1024×768", "Photo 4 · 1024×768", "Photo 5 · 1024×768"]);
    for (const node of state.nodes) expect(node.y).toBe(given[node.name.split(" · ")[0]!]!.y);
    expect(state.undoSteps).toBe(1);
    await shootPanel(page, "batch-partial");
    await page.close();
  });

  it("shows each item's progress and cancels the rest: items not started are not charged, those delivered are placed", async () => {
    const token = await createTeam(suite.proxy, "Cancel Team", "pro");
    const before = await me(suite.proxy, token);
    // Two provider slots, six slow photos: four wait while two run.
    const scene = photos(Array.from({ length: 6 }, () => SLOW_WIDTH));
    const { page, panel } = await openPanel(suite, token, { selection: scene });
    const upscale = await openTab(panel, "upscale");
    expect((await badgeWhen(upscale, (b) => b.state === "price")).text).toBe("6 images, 12 credits");
    await upscale.getByTestId("upscale-run").click();
    // The events stream moves items to running one by one, while the rest wait.
    await expect.poll(async () => (await items(upscale)).filter((r) => r.status === "running").length, { timeout: 10_000 }).toBeGreaterThan(0);
    const during = await items(upscale);
    expect(during.filter((r) => r.status === "queued").length).toBeGreaterThan(0);
    // The whole batch is held while it runs.
    expect((await me(suite.proxy, token)).balance.held).toBeGreaterThan(0);
    await upscale.getByTestId("batch-cancel").click();
    const done = await batchDone(page, upscale);
    expect(done.status).toBe("succeeded");

    const rows = await items(upscale);
    const delivered = rows.filter((r) => r.status === "succeeded").length;
    const cancelled = rows.filter((r) => r.status === "cancelled");
    expect(delivered).toBeGreaterThan(0);
    expect(cancelled.length).toBeGreaterThan(0);
    expect(delivered + cancelled.length).toBe(6);
    for (const row of cancelled) expect(row.text).toBe("Cancelled · not charged");
    expect(done.text).toBe(`Placed ${delivered} results beside their images · ${delivered * fast} credits charged · ${cancelled.length} failed, not charged`);
    const after = await me(suite.proxy, token);
    expect(before.balance.available! - after.balance.available!).toBe(delivered * fast);
    expect(after.balance.held).toBe(0);
    expect((await readCanvas(page)).nodes).toHaveLength(delivered);
    expect(await upscale.getByTestId("batch-cancel").count()).toBe(0);
    await page.close();
  });

  it("erases under the shape drawn over each image, refusing before pricing while one image has none", async () => {
    const token = await createTeam(suite.proxy, "Erase Batch Team", "pro");
    const before = await me(suite.proxy, token);
    const [a, b] = photos([512, 512]);
    const oval = (name: string, over: CanvasFixture): CanvasFixture => ({ name, type: "ELLIPSE", x: over.x + 30, y: over.y + 20, width: 50, height: 40, color: { r: 1, g: 0.2, b: 0.2 } });
    const scene = [a!, b!, oval("Oval 1", a!), oval("Oval 2", b!)];
    const { page, panel } = await openPanel(suite, token, { selection: scene, selected: ["Photo 1", "Photo 2", "Oval 1"] });
    const edit = await openTab(panel, "edit");
    await edit.getByTestId("edit-kind").selectOption("erase");
    await badgeWhen(edit, (x) => x.state === "empty");
    expect(await edit.locator("#edit-run-hint").innerText()).toBe("“Photo 2” has no shape drawn over it: draw one over each image to erase, or leave it out of the selection");
    expect(await edit.getByTestId("edit-run").isDisabled()).toBe(true);

    await select(page, ["Photo 1", "Oval 2", "Photo 2", "Oval 1"]);
    const erase = DEFAULT_CATALOG.edit.erase.credits;
    expect((await badgeWhen(edit, (x) => x.state === "price")).text).toBe(`2 images, ${2 * erase} credits`);
    expect(await edit.getByTestId("mask-hint").innerText()).toBe("Changes the area under the shape drawn over each image (2 of 2 have one)");
    await edit.getByTestId("edit-run").click();
    const done = await batchDone(page, edit);
    expect(done).toEqual({ status: "succeeded", text: `Placed 2 results beside their images · ${2 * erase} credits charged` });
    // Each item sent its own image with its own mask: the provider got two masks of the image's size.
    for (const request of fake.requestsTo("edit/erase").slice(-2)) {
      const mask = request.form?.get("mask");
      if (!mask || typeof mask === "string") throw new Error("an erase without its mask");
      // The oval sits 30 x 20 canvas units into the photo shown at a quarter of its pixels: centre (220, 160).
      const { data, info } = await sharp(Buffer.from(await mask.arrayBuffer())).greyscale().raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([512, 384]);
      expect(data[160 * info.width + 220]).toBeGreaterThan(250);
      expect(data[5 * info.width + 5]).toBeLessThan(5);
    }
    expect(before.balance.available! - (await me(suite.proxy, token)).balance.available!).toBe(2 * erase);
    const state = await readCanvas(page);
    expect(state.nodes.map((n) => [n.name, n.y])).toEqual([
      ["Photo 1 · Erase", a!.y],
      ["Photo 2 · Erase", b!.y],
    ]);
    expect(state.undoSteps).toBe(1);
    await page.close();
  });

  it("makes example 4's 20 drafts of one prompt as one batch of jobs the tier allows, priced and charged as one", async () => {
    const token = await createTeam(suite.proxy, "Drafts Team", "basic");
    const basic = DEFAULT_CATALOG.tiers.find((t) => t.id === "basic")!;
    const before = await me(suite.proxy, token);
    const { page, panel } = await openPanel(suite, token, { selection: [] });
    await panel.getByTestId("prompt").fill("A paper boat on a pond");
    await panel.getByTestId("quality").selectOption("draft");
    await panel.getByTestId("variations").fill("20");
    const badge = await badgeWhen(panel, (x) => x.state === "price" && x.text.startsWith("20 images"));
    expect(await panel.getByText(`Runs as 5 jobs of up to ${basic.maxVariations}`).isVisible()).toBe(true);
    // The server prices the same batch the same.
    const spec = { operation: "create", prompt: "A paper boat on a pond", quality: "draft", aspectRatio: DEFAULT_CATALOG.create.defaultAspectRatio };
    const est = await callProxy(suite.proxy, token, "/v1/estimate", { items: [4, 4, 4, 4, 4].map((variations) => ({ ...spec, variations })) });
    expect(((await est.json()) as { total: number }).total).toBe(badge.credits);
    expect(badge.text).toBe(`20 images, ${badge.credits} credits`);

    await panel.getByTestId("generate").click();
    const done = await batchDone(page, panel);
    expect(done).toEqual({ status: "succeeded", text: `Placed 20 images · ${badge.credits} credits charged` });
    expect(before.balance.available! - (await me(suite.proxy, token)).balance.available!).toBe(badge.credits);
    const state = await readCanvas(page);
    expect(state.nodes.map((n) => n.name)).toEqual(Array.from({ length: 20 }, (_, i) => `A paper boat on a pond ${i + 1}`));
    expect(new Set(state.nodes.map((n) => n.pluginData.jobId)).size).toBe(5);
    // Regenerate on any of them reopens the 20 asked for, not one job's 4.
    for (const node of state.nodes) expect(JSON.parse(node.pluginData.spec!)).toMatchObject({ prompt: "A paper boat on a pond", variations: 20 });
    // Two rows of ten, one undo step.
    expect(new Set(state.nodes.map((n) => n.y)).size).toBe(2);
    expect(state.undoSteps).toBe(1);
    await page.close();
  });

  it("makes the same social formats of every selected image, each image's frames beside it, for free", async () => {
    const token = await createTeam(suite.proxy, "Social Batch Team", "pro");
    const before = await me(suite.proxy, token);
    // Far enough apart for each photo's block of frames (a 1080 px square beside a 1600 x 900 post).
    const scene = photos([1024, 1024, 1024], 1400);
    const { page, panel } = await openPanel(suite, token, { selection: scene });
    const social = await openTab(panel, "social");
    await social.getByTestId("social-format-instagram-square").check();
    await social.getByTestId("social-format-x-post").check();
    expect((await badgeWhen(social, (x) => x.state === "free")).text).toBe("3 images, Free");
    await social.getByTestId("social-run").click();
    const done = await batchDone(page, social);
    expect(done).toEqual({ status: "succeeded", text: "Placed 6 results as frames beside their images · 0 credits charged" });
    const state = await readCanvas(page);
    const frames = state.frames.filter((f) => !f.removed && f.pluginData.format);
    expect(frames).toHaveLength(6);
    // Each photo's two frames start level with it, beside it.
    for (const [i, p] of scene.entries()) {
      const mine = frames.slice(2 * i, 2 * i + 2);
      expect(mine.map((f) => f.pluginData.format)).toEqual(["instagram-square", "x-post"]);
      expect(Math.min(...mine.map((f) => f.y))).toBe(p.y);
      expect(Math.min(...mine.map((f) => f.x))).toBe(p.x + p.width + 40);
    }
    expect(state.undoSteps).toBe(1);
    expect((await me(suite.proxy, token)).balance.available).toBe(before.balance.available);
    await page.close();
  });

  it("refuses a batch bigger than the tier allows before the click, and the proxy refuses it with 400 holding nothing", async () => {
    const token = await createTeam(suite.proxy, "Free Team", "free");
    const free = DEFAULT_CATALOG.tiers.find((t) => t.id === "free")!;
    const scene = photos(Array.from({ length: free.maxBatch + 1 }, () => 256));
    const { page, panel } = await openPanel(suite, token, { selection: scene });
    const upscale = await openTab(panel, "upscale");
    const badge = await badgeWhen(upscale, (b) => b.state === "tier");
    expect(badge.text).toBe(`At most ${free.maxBatch} images`);
    expect(await upscale.locator("#upscale-run-hint").innerText()).toContain(`at most ${free.maxBatch} images at once`);
    expect(await upscale.getByTestId("upscale-run").isDisabled()).toBe(true);
    // What the badge refuses, the proxy refuses too, before holding anything.
    const body = { items: scene.map((p) => ({ operation: "upscale", mode: "fast", input: p.image })) };
    const res = await callProxy(suite.proxy, token, "/v1/batches", body);
    expect(res.status).toBe(400);
    expect((await me(suite.proxy, token)).balance.held).toBe(0);
    await page.close();
  });
});
