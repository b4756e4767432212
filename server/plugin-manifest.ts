// The origins the plugin's manifest.json lets Figma reach (networkAccess.allowedDomains, written by the
// build from PLUGIN_PROXY_ORIGINS), so `npm start` can tell whether the URL it prints will work in Figma.
import { readFile } from "node:fs/promises";
import { z } from "zod";

const manifestSchema = z.object({
  networkAccess: z.object({ allowedDomains: z.array(z.string()), devAllowedDomains: z.array(z.string()).optional() }),
});

/** allowedDomains and devAllowedDomains together (the plugin is imported for development); null if unreadable. */
export async function manifestOrigins(path: string): Promise<string[] | null> {
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(await readFile(path, "utf8")));
    if (!parsed.success) return null;
    const { allowedDomains, devAllowedDomains = [] } = parsed.data.networkAccess;
    return [...new Set([...allowedDomains, ...devAllowedDomains])];
  } catch {
    return null;
  }
}
