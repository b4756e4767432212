// Typed messages between the plugin sandbox and the UI iframe, named by direction (as Iconify does) and
// parsed with zod on arrival on both sides: postMessage crosses a trust boundary like any HTTP body.
import { z } from "zod";

export const settingsSchema = z.object({
  proxyUrl: z.url({ protocol: /^https?$/ }),
  token: z.string().max(512),
});
export type Settings = z.infer<typeof settingsSchema>;
export const DEFAULT_SETTINGS: Settings = { proxyUrl: "http://localhost:8787", token: "" };

export const selectionItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  width: z.number().nonnegative(),
  height: z.number().nonnegative(),
  /** The node has an image fill (so edits and upscales can use its original bytes). */
  hasImage: z.boolean(),
});
export type SelectionItem = z.infer<typeof selectionItemSchema>;

export const selectionSchema = z.object({ items: z.array(selectionItemSchema) });
export type Selection = z.infer<typeof selectionSchema>;

const bytes = z.instanceof(Uint8Array);

export const placedImageSchema = z.object({
  bytes,
  width: z.number().int().positive().max(4096),
  height: z.number().int().positive().max(4096),
  assetId: z.string(),
});

export const provenanceSchema = z.object({
  jobId: z.string(),
  operation: z.string(),
  prompt: z.string().max(10_000).optional(),
  /** The spec that made the result, so "Regenerate" can reopen the plugin with the same settings. */
  spec: z.string().max(60_000).optional(),
});
export type Provenance = z.infer<typeof provenanceSchema>;

export const uiToPluginSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("save-settings"), settings: settingsSchema }),
  z.object({
    type: z.literal("place-images"),
    requestId: z.string(),
    name: z.string().max(200),
    images: z.array(placedImageSchema).min(1).max(10),
    provenance: provenanceSchema,
  }),
  z.object({ type: z.literal("notify"), message: z.string().max(100), error: z.boolean().default(false) }),
]);
export type UIToPlugin = z.infer<typeof uiToPluginSchema>;
export type UIToPluginInput = z.input<typeof uiToPluginSchema>;

export const pluginToUISchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("init"), settings: settingsSchema, selection: selectionSchema, relaunch: provenanceSchema.optional() }),
  z.object({ type: z.literal("selection"), selection: selectionSchema }),
  z.object({ type: z.literal("settings-saved"), settings: settingsSchema }),
  z.object({ type: z.literal("placed"), requestId: z.string(), nodeIds: z.array(z.string()) }),
  z.object({ type: z.literal("place-failed"), requestId: z.string(), message: z.string() }),
]);
export type PluginToUI = z.infer<typeof pluginToUISchema>;
