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

/** Pixel sizes Figma can hold (createImage refuses more than 4096 px a side). */
const pixels = z.number().int().positive().max(4096);

/**
 * The image Edit and Upscale would work on, found in the selection by the plugin. Its pixel size is what
 * the job will be priced and charged by, so the badges read it from here.
 */
export const imageTargetSchema = z.object({
  id: z.string(),
  name: z.string(),
  width: pixels,
  height: pixels,
  /** "fill": the original bytes of the node's image fill; "render": the node exported as PNG. */
  source: z.enum(["fill", "render"]),
  /** The shape drawn over the image, whose outline becomes the mask of inpaint and erase. */
  maskShape: z.object({ id: z.string(), name: z.string() }).optional(),
  /**
   * The library asset whose bytes the node's image fill still holds (placed by this plugin, fill unchanged):
   * jobs name it as `sourceAssetId`, so the library records the parent and the server can tell a reuse.
   */
  assetId: z.string().optional(),
});
export type ImageTarget = z.infer<typeof imageTargetSchema>;

export const selectionSchema = z.object({
  items: z.array(selectionItemSchema),
  /** What Edit and Upscale would work on; absent when the selection holds no usable image. */
  image: imageTargetSchema.optional(),
  /** Why the selection cannot be edited, in the user's words; absent when it can or nothing is selected. */
  problem: z.string().optional(),
});
export type Selection = z.infer<typeof selectionSchema>;

const bytes = z.instanceof(Uint8Array);

/** PNG (or an image fill's original PNG/JPEG) bytes the plugin exported for a job, with their pixel size. */
export const exportedImageSchema = z.object({ bytes, width: pixels, height: pixels });
export type ExportedImage = z.infer<typeof exportedImageSchema>;

/** The image parts of api.md's multipart job body that the plugin can export. */
export const REFERENCE_PARTS = ["backgroundReference", "lightReference"] as const;
export type ReferencePart = (typeof REFERENCE_PARTS)[number];
const references = z.object({ backgroundReference: z.string().optional(), lightReference: z.string().optional() });

/** Insets (px of the image) that a platform's own UI may cover. */
const insets = z.number().nonnegative().max(4096);
export const safeZoneSchema = z.object({ top: insets, right: insets, bottom: insets, left: insets });
export type SafeZone = z.infer<typeof safeZoneSchema>;

/**
 * A social result's platform format: the image is placed as a frame of this name, with the safe zone (if
 * any) as a hidden layer over it, never burned into the image.
 */
export const placedFormatSchema = z.object({ id: z.string(), name: z.string().max(200), safeZone: safeZoneSchema.optional() });
export type PlacedFormat = z.infer<typeof placedFormatSchema>;

export const placedImageSchema = z.object({
  bytes,
  width: z.number().int().positive().max(4096),
  height: z.number().int().positive().max(4096),
  assetId: z.string(),
  format: placedFormatSchema.optional(),
});

/** Create makes at most 10 variations; a social job makes one image per format, up to the spec's 100. */
export const MAX_PLACED_IMAGES = 100;

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
    images: z.array(placedImageSchema).min(1).max(MAX_PLACED_IMAGES),
    provenance: provenanceSchema,
    /** Edit and upscale results: go beside this node, or (replace) into its image fill, keeping its scale mode. */
    source: z.object({ nodeId: z.string(), replace: z.boolean().default(false) }).optional(),
  }),
  /**
   * The selected image's bytes for a job: its image fill's original bytes or the node as PNG; with `mask`,
   * a PNG of the image's pixel size, white where the selected shape covers it; references by node id.
   */
  z.object({
    type: z.literal("export-image"),
    requestId: z.string(),
    /** The image the panel priced: if the selection now holds another, the export is refused. */
    imageId: z.string(),
    mask: z.boolean().default(false),
    references: references.default({}),
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
  z.object({
    type: z.literal("exported"),
    requestId: z.string(),
    image: exportedImageSchema,
    mask: exportedImageSchema.optional(),
    backgroundReference: exportedImageSchema.optional(),
    lightReference: exportedImageSchema.optional(),
  }),
  z.object({ type: z.literal("export-failed"), requestId: z.string(), message: z.string() }),
]);
export type PluginToUI = z.infer<typeof pluginToUISchema>;
