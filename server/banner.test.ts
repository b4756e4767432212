import { describe, expect, it } from "vitest";
import { bannerText, type BannerInfo } from "./banner.ts";

const info = (panelUrl: string, manifestOrigins: string[] | null): BannerInfo => ({
  url: panelUrl.replace("localhost", "127.0.0.1"),
  panelUrl,
  database: "SQLite at data/studio.db",
  manifestPath: "/repo/manifest.json",
  manifestOrigins,
  configuredProviders: ["local"],
  unconfigured: [],
  demo: { created: false, team: null, manager: null },
});

describe("the start banner", () => {
  it("prints the URL to paste when the manifest allows it, and nothing about rebuilding", () => {
    const text = bannerText(info("http://localhost:8787", ["http://localhost:8787"]));
    expect(text).toContain("Proxy URL  http://localhost:8787");
    expect(text).not.toContain("PLUGIN_PROXY_ORIGINS");
  });

  it("says how to allow a port the manifest does not (PORT=9000 npm start)", () => {
    const text = bannerText(info("http://localhost:9000", ["http://localhost:8787"]));
    expect(text).toContain("lets Figma reach only http://localhost:8787, so it would block http://localhost:9000");
    expect(text).toContain("PLUGIN_PROXY_ORIGINS=http://localhost:9000 npm run build");
  });

  it("stays quiet about the manifest when it could not be read", () => {
    expect(bannerText(info("http://localhost:9000", null))).not.toContain("PLUGIN_PROXY_ORIGINS");
  });
});
