// The Team studio end to end in real Chromium: the built panel in a Figma-like iframe against a real proxy
// process on a fresh database, after a manager and a member have run a few jobs on the offline local
// provider. Every figure the manager sees is what /v1/usage and /v1/team return; a member sees only their
// own spend and cap; a cap edited in the panel is the cap the proxy enforces; the CSV export is the proxy's.
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import type { FrameLocator, Locator, Page } from "playwright-core";
import { teamResponseSchema, usageResponseSchema, type TeamResponse, type UsageGroup, type UsageResponse } from "../../core/api/reports.ts";
import { insightsResponseSchema, type InsightsResponse } from "../../core/api/insights.ts";
import { meSchema } from "../../core/api/responses.ts";
import type { ProxyProcess } from "../support/proxy-process.ts";
import { callProxy, createTeam, openPanel, runJob, shootPanel, useBrowserSuite, type BrowserSuite } from "../support/browser.ts";

interface Member {
  id: string;
  token: string;
}

async function usage(proxy: ProxyProcess, token: string, groupBy: UsageGroup[]): Promise<UsageResponse> {
  const res = await callProxy(proxy, token, `/v1/usage?groupBy=${groupBy.join(",")}`);
  expect(res.status).toBe(200);
  return usageResponseSchema.parse(await res.json());
}

async function insights(proxy: ProxyProcess, token: string): Promise<InsightsResponse> {
  const res = await callProxy(proxy, token, "/v1/insights");
  expect(res.status).toBe(200);
  return insightsResponseSchema.parse(await res.json());
}

/** The insights the studio lists, in order: kind, credits saved and the text shown. */
async function shownInsights(studio: Locator) {
  const section = studio.getByTestId("insights");
  await expect.poll(() => section.getAttribute("data-state")).toBe("ready");
  const out: { kind: string; saved: number; text: string }[] = [];
  for (const item of await section.getByTestId("insight").all())
    out.push({ kind: (await item.getAttribute("data-kind"))!, saved: Number(await item.getAttribute("data-saved")), text: await item.innerText() });
  return out;
}

async function team(proxy: ProxyProcess, token: string): Promise<TeamResponse> {
  const res = await callProxy(proxy, token, "/v1/team");
  expect(res.status).toBe(200);
  return teamResponseSchema.parse(await res.json());
}

async function openTeam(suite: BrowserSuite, token: string, theme: "light" | "dark" = "light"): Promise<{ page: Page; panel: FrameLocator; studio: Locator }> {
  const { page, panel } = await openPanel(suite, token, { theme });
  // By keyboard, as the tabs pattern has it: End moves to the last tab (Team) and selects it.
  await panel.getByTestId("tab-create").focus();
  await page.keyboard.press("End");
  expect(await panel.getByTestId("tab-team").getAttribute("aria-selected")).toBe("true");
  const studio = panel.locator("#panel-team").getByTestId("team-studio");
  await expect.poll(() => studio.getAttribute("data-state")).toBe("ready");
  return { page, panel, studio };
}

/** A chart's bars as the panel shows them: key → credits, with the share and the figure's text. */
async function bars(studio: Locator, chart: string) {
  const rows = studio.getByTestId(chart).getByTestId("bar");
  const out: { key: string; credits: number; share: number; text: string }[] = [];
  for (const row of await rows.all())
    out.push({ key: (await row.getAttribute("data-key"))!, credits: Number(await row.getAttribute("data-credits")), share: Number(await row.getAttribute("data-share")), text: await row.innerText() });
  return out;
}

const byKey = (rows: UsageResponse["rows"], key: (r: UsageResponse["rows"][number]) => string | null | undefined) =>
  Object.fromEntries(rows.map((r) => [key(r) ?? "", r.credits]));

/**
 * At Figma's default 360 x 600 nothing sticks out: the studio scrolls only vertically, inside its own
 * scroll area, and the page itself (header and tabs) never scrolls at all.
 */
async function expectNoOverflow(studio: Locator) {
  const sizes = await studio.evaluate((el) => {
    const scroll = el.querySelector(".scroll") ?? el;
    const doc = el.ownerDocument.documentElement;
    return { width: doc.clientWidth, height: doc.clientHeight, pageWidth: doc.scrollWidth, pageHeight: doc.scrollHeight, scrollWidth: scroll.scrollWidth, scrollClient: scroll.clientWidth };
  });
  expect([sizes.width, sizes.height]).toEqual([360, 600]);
  expect(sizes.pageWidth).toBeLessThanOrEqual(sizes.width);
  expect(sizes.pageHeight).toBeLessThanOrEqual(sizes.height);
  expect(sizes.scrollWidth).toBeLessThanOrEqual(sizes.scrollClient);
}

async function shoot(page: Page, name: string) {
  // Without the keyboard focus ring the tabs were left with (it is checked in the cap test).
  await page.frameLocator("#panel").locator("body").evaluate((body) => (body.ownerDocument.activeElement as unknown as { blur(): void } | null)?.blur());
  await shootPanel(page, name);
}

describe("Team studio in Chromium against a real proxy", () => {
  const suite = useBrowserSuite();
  let manager: Member & { teamId: string };
  let bea: Member;
  let cy: Member;

  beforeAll(async () => {
    const { proxy } = suite;
    const created = await proxy.admin<{ team: { id: string }; token: string }>("team", "create", "--name", "Northwind Studio", "--tier", "pro", "--manager", "Maya");
    const managerMe = meSchema.parse(await (await callProxy(proxy, created.token, "/v1/me")).json());
    manager = { id: managerMe.user.id, token: created.token, teamId: created.team.id };
    const addMember = async (name: string, ...cap: string[]) => {
      const { member, token } = await proxy.admin<{ member: { id: string }; token: string }>("member", "add", "--team", manager.teamId, "--name", name, ...cap);
      return { id: member.id, token };
    };
    bea = await addMember("Bea", "--monthly-cap", "200");
    cy = await addMember("Cy");

    // A couple of local jobs: creates by the manager and Bea, and an upscale by Bea.
    const photo = new Uint8Array(await sharp({ create: { width: 256, height: 192, channels: 3, background: "#4a7" } }).png().toBuffer());
    await runJob(proxy, manager.token, { operation: "create", prompt: "A lighthouse at dawn", quality: "standard", aspectRatio: "1:1", variations: 2 });
    await runJob(proxy, bea.token, { operation: "create", prompt: "A fox in snow", quality: "draft", aspectRatio: "1:1", variations: 1 });
    await runJob(proxy, bea.token, { operation: "upscale", mode: "fast" }, photo);
    // A premium image and then the same prompt again: something /v1/insights has advice about.
    const premium = { operation: "create", prompt: "A harbour at night", quality: "premium", aspectRatio: { width: 256, height: 192 } };
    await runJob(proxy, manager.token, premium);
    await runJob(proxy, manager.token, premium);
  }, 120_000);

  it("shows a manager the team's figures exactly as /v1/usage and /v1/team have them", async () => {
    const { page, studio } = await openTeam(suite, manager.token);
    expect(await studio.getAttribute("data-role")).toBe("manager");
    const summary = await team(suite.proxy, manager.token);

    // Spend by member, operation and provider: each chart's bars are the report grouped that way.
    const expected = {
      "chart-member": byKey((await usage(suite.proxy, manager.token, ["member"])).rows, (r) => r.memberId),
      "chart-operation": byKey((await usage(suite.proxy, manager.token, ["operation"])).rows, (r) => r.operation),
      "chart-provider": byKey((await usage(suite.proxy, manager.token, ["provider"])).rows, (r) => r.provider),
    };
    expect(Object.keys(expected["chart-member"]).sort()).toEqual([bea.id, manager.id].sort());
    expect(Object.keys(expected["chart-operation"]).sort()).toEqual(["create", "upscale.fast"]);
    for (const [chart, credits] of Object.entries(expected)) {
      const shown = await bars(studio, chart);
      expect(Object.fromEntries(shown.map((b) => [b.key, b.credits])), chart).toEqual(credits);
      expect(shown.reduce((a, b) => a + b.share, 0), chart).toBe(100);
      // Largest first, and each bar's figure is there as text, not only as a length.
      expect(shown.map((b) => b.credits)).toEqual([...shown.map((b) => b.credits)].sort((a, b) => b - a));
      for (const b of shown) expect(b.text).toContain(`${b.credits} cr · ${b.share}%`);
    }

    // The period's totals and the balance.
    const total = (await usage(suite.proxy, manager.token, ["member"])).total;
    expect(total.credits).toBeGreaterThan(0);
    expect(total.credits).toBe(summary.balance.spent);
    expect(await studio.getByTestId("team-spent").innerText()).toBe(`${total.credits} cr`);
    expect(await studio.getByTestId("team-available").innerText()).toBe(`${summary.balance.available!.toLocaleString("en-US")} cr`);
    const end = new Date(summary.balance.periodEndsAt);
    expect(await studio.getByTestId("team-period-end").innerText()).toBe(
      `${end.getUTCDate()} ${end.toLocaleString("en-US", { month: "short", timeZone: "UTC" })} ${end.getUTCFullYear()}`,
    );

    // Every member with spend, cap and what the cap leaves, as /v1/team says.
    const rows = studio.getByTestId("member-row");
    await expect.poll(() => rows.count()).toBe(summary.members.length);
    for (const m of summary.members) {
      const row = studio.locator(`[data-member-id="${m.id}"]`);
      expect({ spent: await row.getAttribute("data-spent"), cap: await row.getAttribute("data-cap"), left: await row.getAttribute("data-cap-remaining") }, m.name).toEqual({
        spent: String(m.spent),
        cap: m.monthlyCap === null ? "" : String(m.monthlyCap),
        left: m.capRemaining === null ? "" : String(m.capRemaining),
      });
    }
    const beaRow = studio.locator(`[data-member-id="${bea.id}"]`);
    const beaNow = summary.members.find((m) => m.id === bea.id)!;
    expect(beaNow.spent).toBeGreaterThan(0);
    expect(await beaRow.getByTestId("member-cap").innerText()).toBe(`${beaNow.spent} of 200 cr · ${beaNow.capRemaining} left`);

    // Ways to save: the proxy's insights over the team's jobs, each with its advice and saving.
    const report = await insights(suite.proxy, manager.token);
    expect(report.insights.length).toBeGreaterThan(0);
    const listed = await shownInsights(studio);
    expect(listed.map((i) => [i.kind, i.saved])).toEqual(report.insights.map((i) => [i.kind, i.savedCredits]));
    report.insights.forEach((i, n) => expect(listed[n]!.text).toContain(i.advice));

    await expectNoOverflow(studio);
    await studio.getByTestId("insights").evaluate((el) => el.scrollIntoView({ block: "end" }));
    await shoot(page, "team-light");
    await page.close();
  });

  it("edits a member's cap from the keyboard, refusing what is no cap and saving what the proxy then enforces", async () => {
    const { page, studio } = await openTeam(suite, manager.token);
    const row = studio.locator(`[data-member-id="${cy.id}"]`);
    await row.getByTestId("cap-edit").focus();
    await page.keyboard.press("Enter");
    const input = row.locator("input");
    await expect.poll(() => input.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);

    // Not a number: refused in the panel, nothing sent.
    await page.keyboard.type("lots");
    await page.keyboard.press("Enter");
    await expect.poll(() => row.locator(".field-error").innerText()).toMatch(/whole number/);
    expect(await input.getAttribute("aria-invalid")).toBe("true");
    expect((await team(suite.proxy, manager.token)).members.find((m) => m.id === cy.id)!.monthlyCap).toBeNull();

    // Escape cancels and gives focus back to the button.
    await page.keyboard.press("Escape");
    await expect.poll(() => row.locator("input").count()).toBe(0);
    await expect.poll(() => row.getByTestId("cap-edit").evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);

    await page.keyboard.press("Enter");
    await row.locator("input").fill("1,500");
    await page.keyboard.press("Enter");
    await expect.poll(() => row.getAttribute("data-cap")).toBe("1500");
    const saved = (await team(suite.proxy, manager.token)).members.find((m) => m.id === cy.id)!;
    expect(saved).toMatchObject({ monthlyCap: 1500, capRemaining: 1500 });
    expect(await row.getByTestId("member-cap").innerText()).toBe("0 of 1,500 cr · 1,500 left");

    // And back to no cap with an empty field.
    await row.getByTestId("cap-edit").click();
    await row.locator("input").fill("");
    await row.getByTestId("cap-save").click();
    await expect.poll(() => row.getAttribute("data-cap")).toBe("");
    expect((await team(suite.proxy, manager.token)).members.find((m) => m.id === cy.id)!.monthlyCap).toBeNull();
    await page.close();
  });

  it("exports the period's usage as the proxy's CSV, downloadable or as text to copy", async () => {
    const { page, studio } = await openTeam(suite, manager.token, "dark");
    await studio.getByTestId("csv-export").click();
    const ready = studio.getByTestId("csv-ready");
    await ready.waitFor();
    const link = studio.getByTestId("csv-download");
    expect(await link.getAttribute("href")).toMatch(/^blob:/);
    expect(await link.getAttribute("download")).toMatch(/^usage-\d{4}-\d{2}-\d{2}(T\d{6}Z)?-\d{4}-\d{2}-\d{2}(T\d{6}Z)?\.csv$/);
    await studio.getByRole("button", { name: /show it as text/i }).click();
    const text = await studio.getByTestId("csv-text").inputValue();

    const period = (await team(suite.proxy, manager.token)).balance;
    const res = await callProxy(suite.proxy, manager.token, `/v1/usage?format=csv&groupBy=day,member,operation,provider,model&from=${period.periodStartsAt}&to=${period.periodEndsAt}`);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const csv = await res.text();
    // A textarea's value has LF line ends whatever it was given; the Blob (below) keeps the proxy's CRLF.
    expect(text).toBe(csv.replace(/\r\n/g, "\n"));
    expect(text.split("\n")[0]).toBe("day,member_id,member_name,operation,provider,model,credits,jobs,images");
    expect(Number(await ready.getAttribute("data-rows"))).toBe(csv.trimEnd().split("\r\n").length - 1);
    // The link's Blob holds the same text.
    expect(await link.evaluate(async (a) => (await fetch((a as unknown as { href: string }).href)).text())).toBe(csv);

    // Scrolled to the end: the members and the export, below the charts of the light screenshot.
    await studio.locator(".scroll").evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expectNoOverflow(studio);
    await shoot(page, "team-dark");
    await page.close();
  });

  it("shows a member only their own spend this period and their cap", async () => {
    const { page, panel, studio } = await openTeam(suite, bea.token);
    expect(await studio.getAttribute("data-role")).toBe("member");
    const mine = await usage(suite.proxy, bea.token, ["operation"]);
    expect(mine.member).toBe(bea.id);
    const me = meSchema.parse(await (await callProxy(suite.proxy, bea.token, "/v1/me")).json());
    expect(mine.total.credits).toBe(me.member.spent);

    expect(await studio.getByTestId("my-spent").innerText()).toBe(`${mine.total.credits} cr`);
    expect(await studio.getByTestId("my-cap").innerText()).toBe("200 cr");
    expect(await studio.locator('.stat:has([data-testid="my-cap"])').innerText()).toContain(`${me.member.capRemaining} cr left`);
    const shown = await bars(studio, "chart-operation");
    expect(Object.fromEntries(shown.map((b) => [b.key, b.credits]))).toEqual(byKey(mine.rows, (r) => r.operation));

    // Nothing of the team's: no members, no one else's name, no export; the team report is not theirs to read.
    expect(await studio.getByTestId("team-members").count()).toBe(0);
    expect(await studio.getByTestId("csv-export").count()).toBe(0);
    expect(await panel.locator("#panel-team").innerText()).not.toMatch(/Maya|Cy\b/);
    expect((await callProxy(suite.proxy, bea.token, "/v1/team")).status).toBe(403);

    // Insights of their own jobs only.
    const own = await insights(suite.proxy, bea.token);
    expect((await shownInsights(studio)).map((i) => i.kind)).toEqual(own.insights.map((i) => i.kind));

    await expectNoOverflow(studio);
    await shoot(page, "team-member-light");
    await page.close();
  });

  it("says so when nothing has been spent yet this period", async () => {
    const token = await createTeam(suite.proxy, "Quiet Team", "basic");
    const { page, studio } = await openTeam(suite, token);
    await studio.getByTestId("team-empty").waitFor();
    expect(await studio.getByTestId("bar").count()).toBe(0);
    expect(await studio.getByTestId("team-spent").innerText()).toBe("0 cr");
    expect(await studio.getByTestId("member-row").count()).toBe(1);
    expect(await shownInsights(studio)).toEqual([]);
    expect(await studio.getByTestId("insights-empty").innerText()).toBe("Nothing to suggest this period");
    await page.close();
  });
});
