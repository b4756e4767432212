// What a build of the plugin is configured with, from the environment: the origins of the proxy it may reach
// (a team's proxy on its own HTTPS host, or the local one) and the plugin id Figma issued. The build writes
// them into manifest.json, which Figma enforces (networkAccess: a request to any other origin is blocked),
// and the origins into the panel, which warns in Settings about a URL the manifest does not allow.
import { z } from "zod";
import { REGENERATE_COMMAND } from "../plugin/commands.ts";

export const DEFAULT_PROXY_ORIGIN = "http://localhost:8787";
/** The id of a development build; Figma issues the real one when the plugin is first published. */
export const DEV_PLUGIN_ID = "image-studio-for-figma-dev";

/**
 * An origin as Figma's allowedDomains wants it: the scheme written out, no path, `localhost` rather than
 * 127.0.0.1 (docs/figma.md, "Manifest"), and in the form a browser reports it (`new URL().origin`:
 * lower case, no default port), so the panel's check compares like with like.
 */
const originSchema = z
  .string()
  .trim()
  .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), "must be an http(s) origin such as https://images.acme.example")
  .refine((text) => !URL.canParse(text) || new URL(text).origin === text, { error: (issue) => `write it as ${new URL(String(issue.input)).origin}` })
  .refine((text) => !text.includes("127.0.0.1"), "Figma wants localhost, not 127.0.0.1");

export const pluginConfigSchema = z.object({
  /** Comma-separated origins the plugin may reach. */
  PLUGIN_PROXY_ORIGINS: z
    .string()
    .default(DEFAULT_PROXY_ORIGIN)
    .transform((list) => list.split(",").map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(originSchema).min(1, "name at least one origin")),
  PLUGIN_ID: z.string().trim().min(1).max(100).default(DEV_PLUGIN_ID),
});

export interface PluginConfig {
  origins: string[];
  id: string;
}

/** The build's configuration, or an error naming the variable and what is wrong with it. */
export function pluginConfig(env: Record<string, string | undefined> = process.env): PluginConfig {
  const parsed = pluginConfigSchema.safeParse({ PLUGIN_PROXY_ORIGINS: env.PLUGIN_PROXY_ORIGINS || undefined, PLUGIN_ID: env.PLUGIN_ID || undefined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((p) => typeof p === "string").join(".");
    throw new Error(`${path}: ${issue.message}`);
  }
  return { origins: [...new Set(parsed.data.PLUGIN_PROXY_ORIGINS)], id: parsed.data.PLUGIN_ID };
}

const isLocal = (origin: string) => /^https?:\/\/localhost(:\d+)?$/.test(origin);

/** manifest.json for this configuration (the committed file is the default configuration's). */
export function manifestFor(config: PluginConfig) {
  const where = config.origins.every(isLocal)
    ? "By default the proxy runs on the designer's machine."
    : `This build reaches the team's proxy at ${config.origins.filter((o) => !isLocal(o)).join(", ")}.`;
  return {
    name: "Image Studio",
    id: config.id,
    api: "1.0.0",
    editorType: ["figma"],
    main: "dist/plugin.js",
    ui: "dist/ui.html",
    documentAccess: "dynamic-page",
    networkAccess: {
      allowedDomains: config.origins,
      // Development imports may also reach a proxy started with `npm start` on this machine.
      devAllowedDomains: [...new Set([...config.origins, DEFAULT_PROXY_ORIGIN])],
      reasoning: `Image Studio sends prompts and images only to the team's own Image Studio proxy, which holds the AI provider keys and the team's credit ledger, so designers never handle provider keys. ${where}`,
    },
    relaunchButtons: [{ command: REGENERATE_COMMAND, name: "Regenerate" }],
  };
}

export const manifestText = (config: PluginConfig) => `${JSON.stringify(manifestFor(config), null, 2)}\n`;
