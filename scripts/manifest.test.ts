// manifest.json is what Figma reads to load the plugin; Figma rejects a bad one only at import time,
// so its required fields and our own choices are checked here.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { REGENERATE_COMMAND } from "../plugin/commands.ts";
import { MANIFEST, PLUGIN_OUT, ROOT, UI_OUT } from "./build.ts";
import { DEFAULT_PROXY_ORIGIN, manifestFor, manifestText, pluginConfig } from "./plugin-config.ts";

/** A domain entry as Figma wants it: with its scheme, `localhost` rather than 127.0.0.1. */
const domain = z
  .string()
  .regex(/^(https?|wss?):\/\/[^/\s]+$/, "must include the scheme and no path, e.g. http://localhost:8787")
  .refine((d) => !d.includes("127.0.0.1"), "Figma wants localhost, not 127.0.0.1");

const isLocal = (d: string) => /\/\/localhost(:\d+)?$/.test(d);

const manifestSchema = z
  .strictObject({
    name: z.string().min(1),
    id: z.string().min(1),
    api: z.literal("1.0.0"),
    editorType: z.array(z.enum(["figma", "figjam", "dev", "slides"])).min(1),
    main: z.string().endsWith(".js"),
    ui: z.string().endsWith(".html"),
    documentAccess: z.literal("dynamic-page"),
    networkAccess: z.strictObject({
      allowedDomains: z.array(domain).min(1),
      devAllowedDomains: z.array(domain).optional(),
      reasoning: z.string().min(20).optional(),
    }),
    permissions: z.array(z.enum(["currentuser", "activeusers", "fileusers", "payments", "teamlibrary"])).optional(),
    relaunchButtons: z.array(z.strictObject({ command: z.string().min(1), name: z.string().min(1), multipleSelection: z.boolean().optional() })).optional(),
  })
  .refine((m) => !m.networkAccess.allowedDomains.some(isLocal) || m.networkAccess.reasoning !== undefined, {
    message: "a local server in allowedDomains requires networkAccess.reasoning",
    path: ["networkAccess", "reasoning"],
  });

const committed = readFileSync(MANIFEST, "utf8");
const manifest = manifestSchema.parse(JSON.parse(committed));

describe("manifest.json", () => {
  it("has every field Figma requires, in the shapes it accepts", () => {
    expect(manifest).toMatchObject({ name: "Image Studio", api: "1.0.0", editorType: ["figma"], documentAccess: "dynamic-page" });
  });

  it("points main and ui at what `npm run build` writes", () => {
    expect(manifest.main).toBe(relative(ROOT, PLUGIN_OUT));
    expect(manifest.ui).toBe(relative(ROOT, UI_OUT));
  });

  it("allows the default proxy, with a reason, and asks for no permission it does not use", () => {
    expect(manifest.networkAccess.allowedDomains).toEqual([DEFAULT_PROXY_ORIGIN]);
    expect(manifest.networkAccess.devAllowedDomains).toEqual([DEFAULT_PROXY_ORIGIN]);
    expect(manifest.networkAccess.reasoning).toMatch(/proxy/i);
    // Nothing reads figma.currentUser: the "currentuser" permission would only ask the user for more.
    expect(manifest.permissions).toBeUndefined();
    for (const dir of ["plugin", "ui", "core"]) expect(sourcesMention(join(ROOT, dir), /currentUser/)).toEqual([]);
  });

  it("is what the build writes for the default configuration", () => {
    expect(committed).toBe(manifestText(pluginConfig({})));
  });

  it("allows the origins a team builds it with, and keeps the local proxy for development imports", () => {
    const config = pluginConfig({ PLUGIN_PROXY_ORIGINS: "https://images.acme.example, https://backup.acme.example:8443", PLUGIN_ID: "1234567890" });
    const built = manifestSchema.parse(manifestFor(config));
    expect(built.id).toBe("1234567890");
    expect(built.networkAccess.allowedDomains).toEqual(["https://images.acme.example", "https://backup.acme.example:8443"]);
    expect(built.networkAccess.devAllowedDomains).toEqual(["https://images.acme.example", "https://backup.acme.example:8443", DEFAULT_PROXY_ORIGIN]);
    expect(built.networkAccess.reasoning).toContain("https://images.acme.example");
  });

  it("refuses an origin Figma would not take, naming the variable and the fix", () => {
    const refused = (origins: string) => () => pluginConfig({ PLUGIN_PROXY_ORIGINS: origins });
    expect(refused("images.acme.example")).toThrow(/PLUGIN_PROXY_ORIGINS: must be an http\(s\) origin/);
    expect(refused("https://images.acme.example/api")).toThrow("PLUGIN_PROXY_ORIGINS: write it as https://images.acme.example");
    expect(refused("HTTPS://Images.Acme.Example:443")).toThrow("write it as https://images.acme.example");
    expect(refused("http://127.0.0.1:8787")).toThrow(/localhost, not 127\.0\.0\.1/);
    expect(refused("ftp://files.acme.example")).toThrow(/http\(s\) origin/);
    expect(refused(" , ")).toThrow(/at least one origin/);
  });

  it("offers Regenerate with the command the sandbox handles", () => {
    expect(manifest.relaunchButtons).toEqual([{ command: REGENERATE_COMMAND, name: "Regenerate" }]);
  });
});

/** Source files under `dir` (tests and test fakes aside) whose text matches `pattern`. */
function sourcesMention(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "testing" ? [] : sourcesMention(path, pattern);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && pattern.test(readFileSync(path, "utf8")) ? [path] : [];
  });
}
