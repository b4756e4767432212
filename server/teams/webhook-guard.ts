// Where an alert's webhook may be sent (docs/api.md "Webhooks"). A manager types the URL, and the proxy
// POSTs to it from inside the deployment, so a URL naming a loopback, private, link-local (the cloud
// metadata service at 169.254.169.254) or otherwise internal address would let a manager probe the
// proxy's own network (SSRF). Such targets are refused unless WEBHOOK_ALLOW_PRIVATE_TARGETS is set (a
// receiver on the same host or LAN, and the tests): when the URL is set (an IP literal or a `localhost`
// name), and again at delivery time on every address its name resolves to, through the lookup the
// connection itself uses, so a name that later resolves elsewhere (DNS rebinding) is caught too.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from "node:dns";
import { BlockList, isIP } from "node:net";

/** The URL's target is an internal address (the message says which, never the URL's path or query). */
export class WebhookTargetRefusedError extends Error {
  override name = "WebhookTargetRefusedError";
  constructor(readonly host: string) {
    super(`Webhook target ${host} is a loopback, private or link-local address; set WEBHOOK_ALLOW_PRIVATE_TARGETS=true to allow it`);
  }
}

const internal = new BlockList();
// IANA special-purpose ranges no public receiver lives in.
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local: cloud metadata services
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const)
  internal.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 127], // unspecified and loopback
  ["64:ff9b::", 96], // NAT64 of an IPv4 address
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const)
  internal.addSubnet(net, prefix, "ipv6");
// An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is checked against the IPv4 ranges by BlockList itself.

/** true for an IP address in a loopback, private, link-local or other non-public range. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return internal.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** The URL's host as a name or a bare IP literal (without IPv6's brackets). */
function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
}

/** When the URL is set: refuses an internal IP literal or a `localhost` name (names are checked again at delivery). */
export function assertPublicWebhookUrl(url: string, allowPrivate: boolean): void {
  if (allowPrivate) return;
  const host = hostOf(url);
  if (isInternalAddress(host) || host === "localhost" || host.endsWith(".localhost")) throw new WebhookTargetRefusedError(host);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request: resolves like dns.lookup, and fails the connection when any address the
 * name resolves to is internal (one internal address is enough for a rebinding attack to pick it).
 */
export function publicOnlyLookup(hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((a) => isInternalAddress(a.address));
    if (refused) return callback(Object.assign(new WebhookTargetRefusedError(refused.address), { code: "EWEBHOOKTARGET" }), []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} resolves to no address`), { code: "ENOTFOUND" }), []);
    callback(null, first.address, first.family);
  });
}
