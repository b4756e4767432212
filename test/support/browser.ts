// What every browser test starts from: the harness page with the built plugin and panel served on
// 127.0.0.1, Debian's Chromium (never a downloaded browser), and panel screenshots for the README.
import { existsSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
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
