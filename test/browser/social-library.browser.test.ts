// Social and Library end to end in real Chromium: the built plugin.js on a fake canvas, the built panel in a
// Figma-like iframe, a real proxy process on a fresh database. Social makes every picked format for 0 credits
// and places each in its own frame with a hidden safe-zone layer; the Library lists what the team made with
// what each image cost, filters it, places an image again without a job or a charge, and deletes one.
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { assetPageSchema, type Asset } from "../../core/api/assets.ts";
import { ledgerPageSchema } from "../../core/api/reports.ts";
import { jobResponseSchema, type Job } from "../../core/api/responses.ts";
import type { JobSpecInput } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import type { ProxyProcess } from "../support/proxy-process.ts";
import { badgeWhen, callProxy, createTeam, me, openPanel, openTab, readCanvas, runJob, select, selectIds, shootPanel, useBrowserSuite, waitForJob, type BrowserSuite, type CanvasNode } from "../support/browser.ts";

/** A 512 x 384 px photo shown at half size. */
const PHOTO = { name: "Photo", x: 100, y: 200, width: 256, height: 192, image: { width: 512, height: 384 } };
const GAP = 40;
const FORMATS = new Map(DEFAULT_CATALOG.social.formats.map((f) => [f.id, f]));

function api(proxy: ProxyProcess, token: string) {
  const get = async (path: string) => {
    const res = await callProxy(proxy, token, path);
    expect(res.status, path).toBe(200);
    return res.json() as Promise<unknown>;
  };
  return {
    me: () => me(proxy, token),
    ledger: async () => ledgerPageSchema.parse(await get("/v1/ledger?limit=200")).entries,
    job: async (id: string) => jobResponseSchema.parse(await get(`/v1/jobs/${id}`)).job,
    assets: async (query = "") => assetPageSchema.parse(await get(`/v1/assets?limit=200${query}`)).assets,
    /** Starts a job (JSON, or multipart with an image) and waits until it has succeeded. */
    run: (spec: JobSpecInput, image?: Buffer): Promise<Job> => runJob(proxy, token, spec, image),
  };
}

/** The panel on a canvas holding the photo, `selected` of it selected. */
function open(suite: BrowserSuite, token: string, selected: string[], theme: "light" | "dark" = "light") {
  return openPanel(suite, token, { selection: [PHOTO], selected, theme });
}

/** The canvas with social results' frames (wherever they are) and the top-level rectangles the plugin placed. */
async function canvas(page: Page) {
  const state = await readCanvas(page);
  return {
    ...state,
    frames: state.frames.filter((f) => !f.removed && f.pluginData.format),
    rectangles: state.nodes.filter((n) => !n.removed && n.parentType === "PAGE"),
  };
}

/** The frame a social result must be: named for its format, sized to it, the image at 0,0, the safe zone hidden. */
function expectFormatFrame(frame: CanvasNode, formatId: string) {
  const f = FORMATS.get(formatId)!;
  expect(frame.name).toBe(`${f.platform} · ${f.label} ${f.width}×${f.height}`);
  expect([frame.width, frame.height]).toEqual([f.width, f.height]);
  expect(frame.pluginData).toMatchObject({ operation: "social", format: formatId, jobId: expect.stringMatching(/^job_/), assetId: expect.stringMatching(/^ast_/) });
  const [image, zone, ...rest] = frame.children;
  expect(rest).toEqual([]);
  expect(image).toMatchObject({ name: "Image", x: 0, y: 0, width: f.width, height: f.height, visible: true, decoded: { width: f.width, height: f.height } });
  expect(image!.fills).toHaveLength(1);
  expect(image!.pluginData.assetId).toBe(frame.pluginData.assetId);
  if (!f.safeZone) return expect(zone).toBeUndefined();
  expect(zone).toMatchObject({ name: "Safe zone", x: 0, y: 0, width: f.width, height: f.height, visible: false });
  const { top, right, bottom, left } = f.safeZone;
  const expected = [
    top && { name: "Unsafe top", x: 0, y: 0, width: f.width, height: top },
    bottom && { name: "Unsafe bottom", x: 0, y: f.height - bottom, width: f.width, height: bottom },
    left && { name: "Unsafe left", x: 0, y: top, width: left, height: f.height - top - bottom },
    right && { name: "Unsafe right", x: f.width - right, y: top, width: right, height: f.height - top - bottom },
  ].filter(Boolean);
  expect(zone!.children.map(({ name, x, y, width, height }) => ({ name, x, y, width, height }))).toEqual(expected);
  for (const r of zone!.children) expect(r.fills[0]).toMatchObject({ type: "SOLID", opacity: expect.any(Number) });
}

describe("Social and Library studios in Chromium against a real proxy", () => {
  const suite = useBrowserSuite();
  let photo: Buffer;

  beforeAll(async () => {
    photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: "#d2452d" } }).png().toBuffer();
  });

  it("makes the picked formats for free and frames each beside the photo with its hidden safe zone", async () => {
    const token = await createTeam(suite.proxy, "Social Team", "free");
    const server = api(suite.proxy, token);
    const { page, panel } = await open(suite, token, []);
    const social = await openTab(panel, "social");

    // Nothing selected and nothing picked read differently; both are free, neither can run.
    const noImage = await badgeWhen(social, (b) => b.state === "empty");
    expect(noImage).toMatchObject({ credits: 0, text: "Free" });
    expect(await social.locator("#social-run-hint").innerText()).toBe("Select an image to make social formats");
    await select(page, ["Photo"]);
    await expect.poll(() => social.locator("#social-run-hint").innerText()).toBe("Pick at least one format");
    expect(await social.getByTestId("social-run").isDisabled()).toBe(true);

    // Select-all per platform, one by one elsewhere; a platform partly picked shows as mixed.
    await social.getByTestId("social-all-instagram").check();
    for (const id of ["instagram-square", "instagram-portrait", "instagram-story"]) expect(await social.getByTestId(`social-format-${id}`).isChecked()).toBe(true);
    await social.getByTestId("social-format-x-post").check();
    await social.getByTestId("social-format-tiktok-cover").check();
    await social.getByTestId("social-format-instagram-portrait").uncheck();
    expect(await social.getByTestId("social-all-instagram").evaluate((el) => (el as unknown as { indeterminate: boolean }).indeterminate)).toBe(true);
    const picked = ["instagram-square", "instagram-story", "x-post", "tiktok-cover"];

    // The focal point: a click on the pad, then the arrow keys, mirrored in the number fields.
    const pad = social.getByTestId("social-focal-pad");
    const size = (await pad.boundingBox())!;
    expect(size.width / size.height).toBeCloseTo(512 / 384, 1);
    await pad.click({ position: { x: size.width * 0.25, y: size.height * 0.5 } });
    await expect.poll(() => social.getByTestId("social-focal-x").inputValue()).toMatch(/^2[4-6]$/);
    const y = Number(await social.getByTestId("social-focal-y").inputValue());
    expect(Math.abs(y - 50)).toBeLessThanOrEqual(3);
    await social.getByTestId("social-focal-x").fill("30");
    await pad.press("ArrowUp");
    expect(await social.getByTestId("social-focal-x").inputValue()).toBe("30");
    expect(await social.getByTestId("social-focal-y").inputValue()).toBe(String(y - 5));
    expect(await pad.getAttribute("aria-label")).toBe(`Focal point 30%, ${y - 5}%`);
    await social.getByTestId("social-crop").selectOption("fit");
    expect(await pad.isDisabled()).toBe(true);
    await social.getByTestId("social-crop").selectOption("smart");

    // Free: the badge and the server agree on 0.
    const free = await badgeWhen(social, (b) => b.state === "free");
    expect(free).toMatchObject({ credits: 0, text: "Free" });
    const est = await fetch(`${suite.proxy.url}/v1/estimate`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ operation: "social", formats: picked, crop: "smart", input: PHOTO.image }),
    });
    expect(((await est.json()) as { total: number }).total).toBe(0);
    await shootPanel(page, "social-light");

    const before = await server.me();
    const ledgerBefore = await server.ledger();
    await social.getByTestId("social-run").click();
    await waitForJob(social);
    expect(await social.getByTestId("job-status").innerText()).toMatch(/Placed 4 frames beside “Photo”/);

    const state = await canvas(page);
    expect(state.rectangles).toEqual([]);
    expect(state.frames.map((f) => f.pluginData.format)).toEqual(picked);
    expect(state.frames.map((f) => f.parentType)).toEqual(["PAGE", "PAGE", "PAGE", "PAGE"]);
    state.frames.forEach((frame, i) => expectFormatFrame(frame, picked[i]!));
    // In a grid beside the photo: two columns, the second row under the first row's tallest frame.
    const [a, b, c, d] = state.frames;
    expect([a!.x, a!.y]).toEqual([PHOTO.x + PHOTO.width + GAP, PHOTO.y]);
    expect([b!.x, b!.y]).toEqual([a!.x + a!.width + GAP, PHOTO.y]);
    expect([c!.x, c!.y]).toEqual([a!.x, PHOTO.y + Math.max(a!.height, b!.height) + GAP]);
    expect([d!.x, d!.y]).toEqual([c!.x + c!.width + GAP, c!.y]);
    // One undo step, the frames selected and scrolled into view.
    expect(state.undoSteps).toBe(1);
    expect(state.selectedIds).toEqual(state.frames.map((f) => f.id));
    expect(state.scrolledTo.at(-1)).toEqual(state.frames.map((f) => f.id));

    // The job's assets carry their formats in the order of the request, and nothing was charged.
    const job = await server.job(state.frames[0]!.pluginData.jobId!);
    expect(job).toMatchObject({ operation: "social", status: "succeeded", charged: 0 });
    expect(job.assets.map((x) => x.format)).toEqual(picked);
    expect(job.assets.map((x) => x.id)).toEqual(state.frames.map((f) => f.pluginData.assetId));
    const after = await server.me();
    expect(after.balance).toEqual(before.balance);
    const ledgerAfter = await server.ledger();
    expect(ledgerAfter.filter((e) => e.jobId === job.id && e.amount !== 0)).toEqual([]);
    expect(ledgerAfter.filter((e) => e.amount !== 0)).toEqual(ledgerBefore.filter((e) => e.amount !== 0));

    // The placed story image, selected again, names its asset: the next job records it as the parent.
    await selectIds(page, [state.frames[1]!.children[0]!.id]);
    // Select-all on a mixed platform picks all of it; once more, none.
    await social.getByTestId("social-all-instagram").check();
    expect(await social.getByTestId("social-format-instagram-portrait").isChecked()).toBe(true);
    await social.getByTestId("social-all-instagram").uncheck();
    await social.getByTestId("social-format-tiktok-cover").uncheck();
    await expect.poll(() => social.locator("[data-testid^=social-format-]:checked").count()).toBe(1);
    await badgeWhen(social, (x) => x.state === "free");
    await social.getByTestId("social-run").click();
    await expect.poll(async () => (await canvas(page)).frames.length, { timeout: 60_000 }).toBe(5);
    await waitForJob(social);
    const [newest] = await server.assets("&type=social");
    expect(newest!.format?.id).toBe("x-post");
    expect(newest!.parentAssetId).toBe(state.frames[1]!.pluginData.assetId);
    const again = await canvas(page);
    expect(again.undoSteps).toBe(2);
    // Beside its source, the image in the story frame: that frame clips its content and would hide the result
    // there, so it goes on the page (plugin/placement-target.ts), right of the frame's image.
    const placedAgain = again.frames.find((f) => f.pluginData.assetId === newest!.id)!;
    expectFormatFrame(placedAgain, "x-post");
    const story = state.frames[1]!;
    expect([placedAgain.parentType, placedAgain.x, placedAgain.y]).toEqual(["PAGE", story.x + story.children[0]!.width + GAP, story.y]);
    await page.close();
  }, 120_000);

  it("looks native in the dark theme", async () => {
    const token = await createTeam(suite.proxy, "Dark Social", "pro");
    const { page, panel } = await open(suite, token, ["Photo"], "dark");
    const social = await openTab(panel, "social");
    await social.getByTestId("social-all-youtube").check();
    await social.getByTestId("social-format-linkedin-feed").check();
    await social.getByTestId("social-focal-pad").focus();
    await social.getByTestId("social-focal-pad").press("ArrowRight");
    await badgeWhen(social, (b) => b.state === "free");
    // No horizontal overflow at the panel's size.
    expect(await social.locator(".scroll").evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await shootPanel(page, "social-dark");
    await page.close();
  });

  it("lists the team's images with what each cost, filters them, places one again for free and deletes one", async () => {
    const token = await createTeam(suite.proxy, "Library Team", "pro");
    const server = api(suite.proxy, token);
    // Two creates (one with two variations: its charge is split over both images) and enough social formats
    // for a second page.
    const fox = await server.run({ operation: "create", prompt: "A red fox in fresh snow", quality: "draft", variations: 2 });
    const owl = await server.run({ operation: "create", prompt: "An owl on a mossy branch", quality: "standard" });
    const all = DEFAULT_CATALOG.social.formats.map((f) => f.id);
    const socials: Job[] = [];
    for (let i = 0; i < 4; i++) socials.push(await server.run({ operation: "social", formats: all, crop: i % 2 ? "center" : "smart" }, photo));
    expect(fox.charged).toBeGreaterThan(0);
    const total = 3 + 4 * all.length;

    const { page, panel } = await open(suite, token, ["Photo"]);
    const contentRequests: string[] = [];
    page.on("request", (r) => /\/v1\/assets\/[^/]+\/content$/.test(r.url()) && contentRequests.push(r.url()));
    const library = await openTab(panel, "library");
    const rows = library.getByTestId("library-row");
    await expect.poll(() => rows.count()).toBe(50);
    // Thumbnails are fetched for the rows on screen only, into a box that keeps its size.
    await expect.poll(() => library.locator(".lib-thumb img").count()).toBeGreaterThan(0);
    expect(contentRequests.length).toBeLessThan(20);
    const thumb = (await library.locator(".lib-thumb").first().boundingBox())!;
    expect([thumb.width, thumb.height]).toEqual([56, 56]);

    await library.getByTestId("library-more").click();
    await expect.poll(() => rows.count()).toBe(total);
    await expect.poll(() => library.getByTestId("library-more").count()).toBe(0);

    // Each create image shows its share of what the ledger charged its job.
    for (const job of [fox, owl]) {
      const charged = (await server.job(job.id)).charged;
      const captured = (await server.ledger()).filter((e) => e.jobId === job.id && e.kind === "capture").reduce((s, e) => s + Math.abs(e.amount), 0);
      expect(captured).toBe(charged);
      for (const a of job.assets) {
        const row = library.locator(`[data-asset-id="${a.id}"]`);
        expect(Number(await row.getByTestId("library-cost").getAttribute("data-credits"))).toBe(charged / job.assets.length);
      }
    }
    const foxRow = library.locator(`[data-asset-id="${fox.assets[0]!.id}"]`);
    expect(await foxRow.innerText()).toMatch(/Create[\s\S]*2 credits[\s\S]*A red fox in fresh snow/);
    expect(await library.locator(`[data-asset-id="${socials[0]!.assets[0]!.id}"]`).getByTestId("library-cost").innerText()).toBe("Free");
    expect(await library.locator(".scroll").evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);

    // Filters narrow it: the search (after a pause in typing), the type, the dates.
    await library.getByTestId("library-q").fill("fox");
    await expect.poll(() => rows.count()).toBe(2);
    await library.getByTestId("library-q").fill("");
    await library.getByTestId("library-type").selectOption("create");
    await expect.poll(() => rows.count()).toBe(3);
    await shootPanel(page, "library-light");
    const tomorrow = new Date(Date.now() + 864e5).toISOString().slice(0, 10);
    await library.getByTestId("library-from").fill(tomorrow);
    await expect.poll(() => library.getByTestId("library-empty").innerText()).toBe("No images match these filters");
    await library.getByTestId("library-from").fill("");
    await library.getByTestId("library-type").selectOption("social");
    await expect.poll(() => rows.count()).toBe(50);
    await library.getByTestId("library-more").click();
    await expect.poll(() => rows.count()).toBe(4 * all.length);
    // The operations offered follow the type; "Create" among all of them.
    expect(await library.getByTestId("library-operation").locator("option").allInnerTexts()).toEqual(["Any operation", "Social"]);
    await library.getByTestId("library-type").selectOption("");
    await library.getByTestId("library-operation").selectOption("create");
    await expect.poll(() => rows.count()).toBe(3);
    await library.getByTestId("library-operation").selectOption("");
    await library.getByTestId("library-type").selectOption("create");
    await expect.poll(() => rows.count()).toBe(3);

    // Place again: on the canvas with its provenance, for free, without a job.
    const before = await server.me();
    const ledgerBefore = await server.ledger();
    const place = foxRow.getByTestId("library-place");
    expect(await place.getByTestId("cost-badge").getAttribute("data-state")).toBe("free");
    expect(await place.innerText()).toMatch(/Place\s*Free/);
    await place.click();
    await expect.poll(() => foxRow.getByRole("status").innerText()).toMatch(/Placed/);
    let state = await canvas(page);
    expect(state.rectangles).toHaveLength(1);
    expect(state.rectangles[0]).toMatchObject({ name: "A red fox in fresh snow", x: PHOTO.x + PHOTO.width + GAP, y: PHOTO.y, decoded: { width: fox.assets[0]!.width, height: fox.assets[0]!.height } });
    expect(state.rectangles[0]!.pluginData).toMatchObject({ assetId: fox.assets[0]!.id, jobId: fox.id, operation: "create", prompt: "A red fox in fresh snow" });
    expect(state.undoSteps).toBe(1);

    // A social image is placed in its format frame, with its hidden safe zone.
    await library.getByTestId("library-type").selectOption("social");
    const story = socials[3]!.assets.find((x) => x.format === "instagram-story")!;
    const storyRow = library.locator(`[data-asset-id="${story.id}"]`);
    await storyRow.getByTestId("library-place").click();
    await expect.poll(() => storyRow.getByRole("status").innerText()).toMatch(/Placed/);
    state = await canvas(page);
    expect(state.frames).toHaveLength(1);
    expectFormatFrame(state.frames[0]!, "instagram-story");
    expect(state.frames[0]!.pluginData.jobId).toBe(socials[3]!.id);

    expect(await server.me()).toEqual(before);
    expect(await server.ledger()).toEqual(ledgerBefore);

    // Delete asks first, then removes the image from the list and from the proxy.
    await library.getByTestId("library-type").selectOption("create");
    await expect.poll(() => rows.count()).toBe(3);
    const owlRow = library.locator(`[data-asset-id="${owl.assets[0]!.id}"]`);
    await owlRow.getByTestId("library-delete").click();
    await shootPanel(page, "library-confirm-light");
    await owlRow.getByTestId("library-confirm-delete").click();
    await expect.poll(() => rows.count()).toBe(2);
    expect((await server.assets()).map((x: Asset) => x.id)).not.toContain(owl.assets[0]!.id);
    await page.close();

    // A member sees the team's images and may place them, but not delete a manager's.
    const res = await fetch(`${suite.proxy.url}/v1/team/members`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Mo", role: "member" }),
    });
    const member = ((await res.json()) as { token: string }).token;
    const dark = await open(suite, member, ["Photo"], "dark");
    const memberLibrary = await openTab(dark.panel, "library");
    await memberLibrary.getByTestId("library-type").selectOption("create");
    await expect.poll(() => memberLibrary.getByTestId("library-row").count()).toBe(2);
    expect(await memberLibrary.getByTestId("library-place").count()).toBe(2);
    expect(await memberLibrary.getByTestId("library-delete").count()).toBe(0);
    await expect.poll(() => memberLibrary.locator(".lib-thumb img").count()).toBe(2);
    await shootPanel(dark.page, "library-dark");
    await dark.page.close();
  }, 180_000);
});
