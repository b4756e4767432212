// The SSRF guard of the alerts' webhooks (docs/api.md "Webhooks"): which addresses are internal, what is
// refused when a URL is set, and the connection's own lookup refusing a name that resolves to one.
import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { assertPublicWebhookUrl, isInternalAddress, publicOnlyLookup, WebhookTargetRefusedError } from "./webhook-guard.ts";

describe("the webhook target guard", () => {
  it("tells internal addresses from public ones, IPv4-mapped and NAT64 forms included", () => {
    const internal = ["127.0.0.1", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.0.10", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fd12::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:a00:1", "64:ff9b::a9fe:a9fe"];
    const publicOnes = ["8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.128.0.1", "192.169.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"];
    expect(internal.filter((a) => !isInternalAddress(a))).toEqual([]);
    expect(publicOnes.filter((a) => isInternalAddress(a))).toEqual([]);
    expect(isInternalAddress("hooks.acme.example")).toBe(false); // a name: checked when resolved
  });

  it("refuses an internal literal or localhost when set, unless allowed", () => {
    for (const url of ["http://127.0.0.1/", "http://[::1]:8080/", "http://LOCALHOST/", "http://a.localhost/", "http://0x7f.1/", "http://[::ffff:169.254.169.254]/"])
      expect(() => assertPublicWebhookUrl(url, false), url).toThrow(WebhookTargetRefusedError);
    expect(() => assertPublicWebhookUrl("https://hooks.acme.example/x", false)).not.toThrow();
    expect(() => assertPublicWebhookUrl("http://127.0.0.1/", true)).not.toThrow();
  });

  it("fails the connection's lookup for a name that resolves to an internal address", async () => {
    const lookup = (host: string, all: boolean) =>
      new Promise<{ error: Error | null; address: string | LookupAddress[] }>((resolve) =>
        publicOnlyLookup(host, all ? { all: true } : {}, (error, address) => resolve({ error, address })),
      );
    for (const all of [false, true]) {
      const { error } = await lookup("localhost", all);
      expect(error).toBeInstanceOf(WebhookTargetRefusedError);
      expect(error?.message).not.toContain("localhost:"); // names the address, never a URL
    }
  });
});
