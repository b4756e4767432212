import { describe, expect, it } from "vitest";
import { blockedReason, MANIFEST_ORIGINS, originAllowed, proxyOrigin } from "./proxy-url.ts";

describe("the proxy URL in Settings", () => {
  it("is checked in full in the panel (which has URL), to an origin", () => {
    expect(proxyOrigin(" https://Images.Acme.Example/proxy/ ")).toBe("https://images.acme.example");
    expect(proxyOrigin("http://localhost:8787")).toBe("http://localhost:8787");
    expect(proxyOrigin("https://images.acme.example:443")).toBe("https://images.acme.example");
    for (const bad of ["localhost:8787", "ftp://x.example", "javascript:alert(1)", "http://", "https://a b.example", "http://user:pw@x.example"]) expect(proxyOrigin(bad), bad).toBeNull();
  });

  it("is matched against the manifest's origins as Figma's networkAccess reads them", () => {
    expect(originAllowed("http://localhost:8787", ["http://localhost:8787"])).toBe(true);
    expect(originAllowed("http://localhost:9000", ["http://localhost:8787"])).toBe(false);
    expect(originAllowed("https://images.acme.example", ["http://images.acme.example"])).toBe(false);
    expect(originAllowed("https://images.acme.example", ["images.acme.example"])).toBe(true);
    expect(originAllowed("https://images.acme.example", ["*.acme.example"])).toBe(true);
    expect(originAllowed("https://acme.example.evil.test", ["*.acme.example"])).toBe(false);
    expect(originAllowed("https://images.acme.example", ["https://images.acme.example/api/"])).toBe(true);
  });

  it("warns, with the fix, when this build's manifest would make Figma block it", () => {
    expect(MANIFEST_ORIGINS).toEqual(["http://localhost:8787"]);
    expect(blockedReason("http://localhost:8787")).toBeNull();
    expect(blockedReason("https://images.acme.example")).toBe(
      "Figma will block https://images.acme.example: this build of the plugin may only reach http://localhost:8787. Rebuild it with PLUGIN_PROXY_ORIGINS=https://images.acme.example and import it again (README, “A team's proxy on its own host”).",
    );
  });
});
