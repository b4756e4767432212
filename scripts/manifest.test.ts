// manifest.json is what Figma reads to load the plugin; Figma rejects a bad one only at import time,
// so its required fields and our own choices are checked here.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { REGENERATE_COMMAND } from "../plugin/commands.ts";
import { PLUGIN_OUT, ROOT, UI_OUT } from "./build.ts";

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
    permissions: z.array(z.enum(["currentuser", "activeusers", "fileusers", "payments", "teamlibrary"])),
    relaunchButtons: z.array(z.strictObject({ command: z.string().min(1), name: z.string().min(1), multipleSelection: z.boolean().optional() })).optional(),
  })
  .refine((m) => !m.networkAccess.allowedDomains.some(isLocal) || m.networkAccess.reasoning !== undefined, {
    message: "a local server in allowedDomains requires networkAccess.reasoning",
    path: ["networkAccess", "reasoning"],
  });

const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8")));

describe("manifest.json", () => {
  it("has every field Figma requires, in the shapes it accepts", () => {
    expect(manifest).toMatchObject({ name: "Image Studio", api: "1.0.0", editorType: ["figma"], documentAccess: "dynamic-page" });
  });

  it("points main and ui at what `npm run build` writes", () => {
    expect(manifest.main).toBe(relative(ROOT, PLUGIN_OUT));
    expect(manifest.ui).toBe(relative(ROOT, UI_OUT));
  });

  it("allows the default proxy, with a reason, and may read the current user", () => {
    expect(manifest.networkAccess.allowedDomains).toContain("http://localhost:8787");
    expect(manifest.networkAccess.devAllowedDomains).toContain("http://localhost:8787");
    expect(manifest.networkAccess.reasoning).toMatch(/proxy/i);
    expect(manifest.permissions).toEqual(["currentuser"]);
  });

  it("offers Regenerate with the command the sandbox handles", () => {
    expect(manifest.relaunchButtons).toEqual([{ command: REGENERATE_COMMAND, name: "Regenerate" }]);
  });
});
