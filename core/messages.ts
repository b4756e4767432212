// Typed messages between the plugin sandbox and the UI iframe, named by direction (as Iconify does) and
// parsed with zod on arrival on both sides: postMessage crosses a trust boundary like any HTTP body.
//
// Written with zod/mini, and with no check that needs a Web API: these schemas run in Figma's sandbox
// (QuickJS), which has the ECMAScript built-ins and nothing else, no `URL` among them. zod's z.url()
// calls `new URL` inside a try/catch, so there every URL was "invalid" and settings never saved.
// scripts/build.ts refuses a plugin bundle that reaches for a global the sandbox lacks.
import * as z from "zod/mini";

/**
 * An http(s) URL by its shape alone: scheme, host (a name, IPv4 or [IPv6]), optional port and path, no
 * credentials, query or fragment. The panel also parses it with `new URL` (ui/connection/proxy-url.ts) before saving.
 */
export const PROXY_URL_PATTERN = /^https?:\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::\d{1,5})?(?:\/[^\s?#@]*)?$/i;
const proxyUrl = z.string().check(z.maxLength(2048), z.regex(PROXY_URL_PATTERN, "must be an http(s) URL such as http://localhost:8787"));

export const settingsSchema = z.object({
  proxyUrl,
  token: z.string().check(z.maxLength(512)),
});
export type Settings = z.infer<typeof settingsSchema>;
export const DEFAULT_SETTINGS: Settings = { proxyUrl: "http://localhost:8787", token: "" };

const nonnegative = () => z.number().check(z.nonnegative());

export const selectionItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  width: nonnegative(),
  height: nonnegative(),
  /** The node has an image fill (so edits and upscales can use its original bytes). */
  hasImage: z.boolean(),
});
export type SelectionItem = z.infer<typeof selectionItemSchema>;

/** Pixel sizes Figma can hold (createImage refuses more than 4096 px a side). */
export const MAX_IMAGE_SIDE = 4096;
const pixels = () => z.int().check(z.positive(), z.maximum(MAX_IMAGE_SIDE));

/**
 * The image Edit and Upscale would work on, found in the selection by the plugin. Its pixel size is what
 * the job will be priced and charged by, so the badges read it from here.
 */
export const imageTargetSchema = z.object({
  id: z.string(),
  name: z.string(),
  width: pixels(),
  height: pixels(),
  /** "fill": the original bytes of the node's image fill; "render": the node exported as PNG. */
  source: z.enum(["fill", "render"]),
  /** The shape drawn over the image, whose outline becomes the mask of inpaint and erase. */
  maskShape: z.optional(z.object({ id: z.string(), name: z.string() })),
  /**
   * The library asset whose bytes the node's image fill still holds (placed by this plugin, fill unchanged):
   * jobs name it as `sourceAssetId`, so the library records the parent and the server can tell a reuse.
   */
  assetId: z.optional(z.string()),
});
export type ImageTarget = z.infer<typeof imageTargetSchema>;

/**
 * The most images one selection offers the studios (a batch's largest, MAX_BATCH_ITEMS in core/catalog):
 * more is refused by the plugin before any size is read.
 */
export const MAX_SELECTED_IMAGES = 100;

export const selectionSchema = z.object({
  items: z.array(selectionItemSchema),
  /** What Edit and Upscale would work on when the selection holds exactly one usable image. */
  image: z.optional(imageTargetSchema),
  /**
   * Every image (or frame) a studio would act on, in selection order, each with the shape drawn over it (if
   * one is selected): one for a single image, several for a batch. Absent when there is none.
   */
  images: z.optional(z.array(imageTargetSchema).check(z.minLength(1), z.maxLength(MAX_SELECTED_IMAGES))),
  /** Why the selection cannot be edited, in the user's words; absent when it can or nothing is selected. */
  problem: z.optional(z.string()),
});
export type Selection = z.infer<typeof selectionSchema>;

const bytes = () => z.instanceof(Uint8Array);

/** PNG (or an image fill's original PNG/JPEG) bytes the plugin exported for a job, with their pixel size. */
export const exportedImageSchema = z.object({ bytes: bytes(), width: pixels(), height: pixels() });
export type ExportedImage = z.infer<typeof exportedImageSchema>;

/** The image parts of docs/api.md's multipart job body that the plugin can export. */
export const REFERENCE_PARTS = ["backgroundReference", "lightReference"] as const;
const references = z.object({ backgroundReference: z.optional(z.string()), lightReference: z.optional(z.string()) });

/** Insets (px of the image) that a platform's own UI may cover. */
const insets = () => z.number().check(z.nonnegative(), z.maximum(MAX_IMAGE_SIDE));
export const safeZoneSchema = z.object({ top: insets(), right: insets(), bottom: insets(), left: insets() });
export type SafeZone = z.infer<typeof safeZoneSchema>;

/**
 * A social result's platform format: the image is placed as a frame of this name, with the safe zone (if
 * any) as a hidden layer over it, never burned into the image.
 */
export const placedFormatSchema = z.object({ id: z.string(), name: z.string().check(z.maxLength(200)), safeZone: z.optional(safeZoneSchema) });
export type PlacedFormat = z.infer<typeof placedFormatSchema>;

/** Where a job's results go: beside this node, or (replace) into its image fill, keeping its scale mode. */
const placeSourceSchema = z.object({ nodeId: z.string(), replace: z._default(z.boolean(), false) });

export const placedImageSchema = z.object({
  bytes: bytes(),
  width: pixels(),
  height: pixels(),
  assetId: z.string(),
  format: z.optional(placedFormatSchema),
  /**
   * A batch's result: the source it goes beside (or into), when not the placement's own `source`; results
   * of one source are laid out together beside it, every source's in the same undo step.
   */
  source: z.optional(placeSourceSchema),
  /** A batch's result: the job (item) that made it, when not the provenance's own job. */
  jobId: z.optional(z.string().check(z.maxLength(100))),
  /** A batch's result: its layer name ("Photo 3 · 2048×1536"), when not the placement's name numbered. */
  name: z.optional(z.string().check(z.maxLength(200))),
});
export type PlacedImage = z.infer<typeof placedImageSchema>;

/**
 * Images one placement may hold: a batch's results go as one placement (one undo step), up to 100 items of
 * 10 variations; a social batch makes one image per format and item. The sandbox keeps only their hashes.
 */
export const MAX_PLACED_IMAGES = 1000;

export const provenanceSchema = z.object({
  jobId: z.string(),
  operation: z.string(),
  prompt: z.optional(z.string().check(z.maxLength(10_000))),
  /** The spec that made the result, so "Regenerate" can reopen the plugin with the same settings. */
  spec: z.optional(z.string().check(z.maxLength(60_000))),
});
export type Provenance = z.infer<typeof provenanceSchema>;

const requestId = z.string().check(z.minLength(1), z.maxLength(100));
/** A project id as core/api/specs.ts writes it. */
const documentProjectId = z.string().check(z.regex(/^prj_[a-z2-7]{10,40}$/, "must be a project id"));

export const uiToPluginSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("save-settings"), settings: settingsSchema }),
  /**
   * One image of a placement. Images cross one per message: a message is copied whole into the sandbox's
   * memory, and many images in one message exhaust it. The plugin hands the bytes to Figma at once
   * (figma.createImage), keeps only the hash, and answers `place-progress`.
   */
  z.object({
    type: z.literal("place-image"),
    requestId,
    index: z.int().check(z.nonnegative(), z.lt(MAX_PLACED_IMAGES)),
    total: z.int().check(z.positive(), z.maximum(MAX_PLACED_IMAGES)),
    image: placedImageSchema,
  }),
  /** Places the request's images, all `total` of them received, as one undo step; answers `placed`. */
  z.object({
    type: z.literal("place-commit"),
    requestId,
    name: z.string().check(z.maxLength(200)),
    provenance: provenanceSchema,
    source: z.optional(placeSourceSchema),
  }),
  /**
   * A selected image's bytes for a job: its image fill's original bytes or the node as PNG; with `mask`, a
   * PNG of the image's pixel size, white where the shape drawn over it covers it; references by node id.
   * A batch asks for its images one message each, so the sandbox holds one image at a time.
   */
  z.object({
    type: z.literal("export-image"),
    requestId,
    /** The image the panel priced, one of the selection's images: if the selection no longer holds it, the export is refused. */
    imageId: z.string(),
    mask: z._default(z.boolean(), false),
    references: z._default(references, {}),
  }),
  z.object({ type: z.literal("notify"), message: z.string().check(z.maxLength(100)), error: z._default(z.boolean(), false) }),
  /**
   * The project last used in this Figma file, kept in the document's plugin data (docs/api.md "Projects"):
   * without `projectId` the panel asks for it; with one (or null, to forget it) it remembers it. Answered by
   * `document-project` either way.
   */
  z.object({ type: z.literal("document-project"), projectId: z.optional(z.nullable(documentProjectId)) }),
]);
export type UIToPlugin = z.infer<typeof uiToPluginSchema>;
export type UIToPluginInput = z.input<typeof uiToPluginSchema>;

/** The page results went to, when it is not the one the designer is on. */
const pageSchema = z.object({ id: z.string(), name: z.string() });

export const pluginToUISchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("init"), settings: settingsSchema, selection: selectionSchema, relaunch: z.optional(provenanceSchema) }),
  z.object({ type: z.literal("selection"), selection: selectionSchema }),
  z.object({ type: z.literal("settings-saved"), settings: settingsSchema }),
  z.object({ type: z.literal("settings-failed"), message: z.string() }),
  z.object({ type: z.literal("place-progress"), requestId, received: z.int().check(z.positive(), z.maximum(MAX_PLACED_IMAGES)) }),
  z.object({ type: z.literal("placed"), requestId, nodeIds: z.array(z.string()), page: z.optional(pageSchema) }),
  z.object({ type: z.literal("place-failed"), requestId, message: z.string() }),
  z.object({
    type: z.literal("exported"),
    requestId,
    image: exportedImageSchema,
    mask: z.optional(exportedImageSchema),
    backgroundReference: z.optional(exportedImageSchema),
    lightReference: z.optional(exportedImageSchema),
  }),
  z.object({ type: z.literal("export-failed"), requestId, message: z.string() }),
  /** The project last used in this file (null: none yet). */
  z.object({ type: z.literal("document-project"), projectId: z.nullable(documentProjectId) }),
]);
export type PluginToUI = z.infer<typeof pluginToUISchema>;
