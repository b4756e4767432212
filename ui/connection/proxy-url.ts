// The proxy URL the designer types, checked in full here (the panel has `URL`; the sandbox only checks its
// shape, core/messages.ts), and against the origins the plugin's manifest lets Figma reach: a request to any
// other origin is blocked by Figma before it leaves, which would otherwise read as "could not reach the
// proxy". The build writes those origins into manifest.json and into this bundle (scripts/plugin-config.ts).
import * as z from "zod/mini";
import { PROXY_URL_PATTERN } from "../../core/messages.ts";

declare const __PROXY_ORIGINS__: readonly string[] | undefined;
/** manifest.json's networkAccess.allowedDomains, as built (the default when not built, as under vitest). */
export const MANIFEST_ORIGINS: readonly string[] = typeof __PROXY_ORIGINS__ !== "undefined" ? __PROXY_ORIGINS__ : ["http://localhost:8787"];

// zod/mini, as core/messages.ts: only what is used ships.
const fullUrl = z.url({ protocol: /^https?$/ }).check(z.regex(PROXY_URL_PATTERN));

/** The URL's origin (scheme, host, port) if it is a proxy URL the plugin can store, else null. */
export function proxyOrigin(text: string): string | null {
  const parsed = fullUrl.safeParse(text.trim());
  return parsed.success ? new URL(parsed.data).origin : null;
}

/**
 * Whether Figma lets the plugin reach `origin` under the manifest's `domains`: an entry is an origin
 * ("https://images.acme.example"), a host for any scheme ("images.acme.example"), or a wildcard host
 * ("*.acme.example"), as Figma's networkAccess documents (a path after the host narrows it further).
 */
export function originAllowed(origin: string, domains: readonly string[]): boolean {
  const url = new URL(origin);
  return domains.some((entry) => {
    const scheme = /^([a-z]+):\/\//i.exec(entry)?.[1]?.toLowerCase();
    const rest = entry.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
    if (scheme && `${scheme}:` !== url.protocol) return false;
    if (rest.startsWith("*.")) return url.host.endsWith(rest.slice(1));
    return url.host === rest || (!rest.includes(":") && url.hostname === rest && !scheme);
  });
}

/** Why Figma would block the proxy at `origin`, in the designer's words; null when the manifest allows it. */
export function blockedReason(origin: string, domains: readonly string[] = MANIFEST_ORIGINS): string | null {
  if (originAllowed(origin, domains)) return null;
  return `Figma will block ${origin}: this build of the plugin may only reach ${domains.join(", ")}. Rebuild it with PLUGIN_PROXY_ORIGINS=${origin} and import it again (README, “A team's proxy on its own host”).`;
}
