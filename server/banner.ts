// What `npm start` prints once the proxy listens: where it is, the demo token (first start only), and the
// steps to load the plugin in Figma desktop.
import type { DemoTeam } from "./demo-team.ts";

export interface BannerInfo {
  url: string;
  /** The address to paste into the panel (the manifest allows http://localhost:8787). */
  panelUrl: string;
  database: string;
  manifestPath: string;
  /** The origins manifest.json lets the plugin reach; null when it could not be read. */
  manifestOrigins: string[] | null;
  configuredProviders: string[];
  unconfigured: { id: string; reason?: string }[];
  demo: DemoTeam;
}

export function bannerText(b: BannerInfo): string {
  const lines = [
    "",
    "  Image Studio proxy is running",
    `    URL        ${b.url}`,
    `    Database   ${b.database}`,
    `    Providers  ${b.configuredProviders.join(", ") || "none"}`,
  ];
  const missing = b.unconfigured.filter((p) => p.reason?.startsWith("Set ")).map((p) => p.reason!.replace(/^Set (\S+) .*$/, "$1"));
  if (missing.length) lines.push(`               (add ${missing.join(", ")} to enable more)`);
  lines.push("");
  const token = b.demo.created ? b.demo.token : "<your token>";
  if (b.demo.created) {
    lines.push(
      `  Created the demo team "${b.demo.team.name}" (${b.demo.team.tier}) with manager "${b.demo.manager.name}".`,
      "  Its token is shown only this once; keep it somewhere safe:",
      "",
      `    ${b.demo.token}`,
      "",
    );
  } else if (b.demo.manager) {
    lines.push(
      `  Team "${b.demo.team?.name}" exists. For a new token of its manager "${b.demo.manager.name}":`,
      `    npm run admin -- token rotate --member ${b.demo.manager.id}`,
      "",
    );
  } else {
    lines.push("  Create a team and its token with:", "    npm run admin -- team create --name <name> --tier pro", "");
  }
  lines.push(
    "  Use it in Figma desktop:",
    "    1. Plugins → Development → Import plugin from manifest…",
    `       and choose ${b.manifestPath}`,
    "    2. Run Image Studio, open its Settings, and paste:",
    `         Proxy URL  ${b.panelUrl}`,
    `         Token      ${token}`,
    "",
  );
  const origin = new URL(b.panelUrl).origin;
  if (b.manifestOrigins && !b.manifestOrigins.includes(origin))
    lines.push(
      `  The plugin's manifest lets Figma reach only ${b.manifestOrigins.join(", ")}, so it would block ${origin}.`,
      "  Allow it by rebuilding the plugin with this origin, then import it again:",
      `    PLUGIN_PROXY_ORIGINS=${origin} npm run build`,
      "",
    );
  return lines.join("\n");
}
