// What the panel needs to know about the selection: enough to label it, to tell which nodes hold images,
// and which images (each with its mask shape) Edit, Upscale and Social would work on, at what pixel size:
// one image for a job, several for a batch.
import { MAX_SELECTED_IMAGES, type ImageTarget, type Selection, type SelectionItem } from "../core/messages.ts";
import type { FigmaPort, PortNode } from "./figma-port.ts";
import { overlaps } from "./geometry.ts";

/** Figma holds images up to 4096 px a side; a rendered frame is scaled down to fit the same. */
export const MAX_SIDE = 4096;
/** Layers whose outline can be a mask: plain shapes, drawn over the image. */
export const MASK_SHAPE_TYPES: readonly string[] = ["RECTANGLE", "ELLIPSE", "POLYGON", "STAR", "VECTOR", "BOOLEAN_OPERATION"];
/** Layers without an image fill that are still worth rendering as the job's image. */
export const RENDERED_TYPES: readonly string[] = ["FRAME", "COMPONENT", "INSTANCE", "GROUP"];

export const SELECT_IMAGE_AND_SHAPE = "Select the image and one shape drawn over it";

/** Plugin data key: the hash of the image fill this plugin placed, beside the `assetId` it came from. */
export const IMAGE_HASH_KEY = "imageHash";

/** Where the image fill Figma paints on top sits in `fills` (listed bottom to top), or -1. */
export function topImageIndex(fills: readonly Paint[]): number {
  for (let i = fills.length - 1; i >= 0; i--) {
    const paint = fills[i]!;
    if (paint.type === "IMAGE" && paint.visible !== false && paint.imageHash) return i;
  }
  return -1;
}

/**
 * The image fill Figma paints on top, if the node has a visible one. Each read of `node.fills` gives new
 * objects (Figma copies them out), so a paint is found by its place in one read, never by identity.
 */
export function topImagePaint(node: PortNode, mixed: FigmaPort["mixed"]): ImagePaint | null {
  const fills = node.fills;
  if (fills === undefined || fills === mixed) return null;
  const at = topImageIndex(fills);
  return at < 0 ? null : (fills[at] as ImagePaint);
}

export function hasImageFill(node: PortNode, mixed: FigmaPort["mixed"]): boolean {
  const fills = node.fills;
  if (fills === undefined || fills === mixed) return false;
  return fills.some((paint) => paint.type === "IMAGE" && paint.visible !== false);
}

/**
 * The area a node renders as: exportAsync draws a node as the canvas shows it, inside its axis-aligned
 * bounds (a rotated node comes out turned in a bigger box), and the plugin exports with
 * `useAbsoluteBounds: true` so a shadow does not widen it (plugin-api.d.ts, ExportSettingsImage).
 */
export function renderBox(node: Pick<PortNode, "absoluteBoundingBox" | "x" | "y" | "width" | "height">): Rect {
  return node.absoluteBoundingBox ?? { x: node.x, y: node.y, width: node.width, height: node.height };
}

/** The pixel size a box renders at: 1x, scaled down to fit 4096 px. */
export function renderSize(box: { width: number; height: number }): { width: number; height: number } {
  const scale = Math.min(1, MAX_SIDE / Math.max(box.width, box.height));
  return { width: Math.max(1, Math.round(box.width * scale)), height: Math.max(1, Math.round(box.height * scale)) };
}

export function summarizeNode(node: PortNode, mixed: FigmaPort["mixed"]): SelectionItem {
  return {
    id: node.id,
    name: node.name,
    type: node.type,
    width: node.width,
    height: node.height,
    hasImage: hasImageFill(node, mixed),
  };
}

export interface FoundImage {
  node: PortNode;
  paint: ImagePaint | null;
  /** The shape drawn over it, when one is selected with it. */
  shape?: PortNode;
}

/** Why a selection of several layers cannot be used. */
export const SELECT_IMAGES_AND_SHAPES = "Select one or more images (and, for a mask, one shape drawn over each)";

/**
 * The images a job (or a batch, one item each) would use, in selection order: the nodes with an image fill
 * (or, failing that, the frames, components, instances and groups), each with the one selected shape drawn
 * over it, if any. Every other selected layer must be such a shape, over exactly one of the images, so the
 * mask of each image is unambiguous (docs/figma.md). Null when nothing is selected.
 */
export function findImages(port: FigmaPort): FoundImage[] | { problem: string } | null {
  const nodes = port.selection();
  if (nodes.length === 0) return null;
  const filled = nodes.filter((n) => topImagePaint(n, port.mixed));
  const candidates = filled.length ? filled : nodes.filter((n) => RENDERED_TYPES.includes(n.type));
  if (candidates.length === 0) return { problem: nodes.length === 1 ? "Select an image, or a frame to use as one" : SELECT_IMAGES_AND_SHAPES };
  if (candidates.length > MAX_SELECTED_IMAGES) return { problem: `Select at most ${MAX_SELECTED_IMAGES} images at once` };
  const one = candidates.length === 1;
  const others = nodes.filter((n) => !candidates.includes(n));
  if (others.some((n) => !MASK_SHAPE_TYPES.includes(n.type)) || (one && others.length > 1)) return { problem: one ? SELECT_IMAGE_AND_SHAPE : SELECT_IMAGES_AND_SHAPES };
  const found: FoundImage[] = candidates.map((node) => ({ node, paint: topImagePaint(node, port.mixed) }));
  for (const shape of others) {
    const b = shape.absoluteBoundingBox;
    const under = found.filter((f) => {
      const a = f.node.absoluteBoundingBox;
      return !a || !b || overlaps(a, b);
    });
    if (under.length === 0) return { problem: `The shape “${shape.name}” must be drawn over ${one ? "the image" : "one of the images"}` };
    if (under.length > 1) return { problem: `The shape “${shape.name}” is drawn over more than one image: draw one shape over each` };
    const image = under[0]!;
    if (image.shape) return { problem: `“${image.node.name}” has more than one shape drawn over it` };
    image.shape = shape;
  }
  return found;
}

/**
 * The library asset the node's image fill still holds: the node was placed by this plugin (it has the
 * asset's id) and its top image fill is the very image that was placed (same hash); null otherwise.
 */
export function placedAssetId(node: PortNode, paint: ImagePaint | null): string | null {
  const assetId = node.getPluginData("assetId");
  const hash = node.getPluginData(IMAGE_HASH_KEY);
  return assetId && hash && paint?.imageHash === hash ? assetId : null;
}

/** The pixel size of what would be sent: the fill's original image when Figma has it, else the rendered node. */
export async function describeImage(port: FigmaPort, found: FoundImage): Promise<ImageTarget> {
  const assetId = placedAssetId(found.node, found.paint);
  const base = {
    id: found.node.id,
    name: found.node.name,
    ...(found.shape ? { maskShape: { id: found.shape.id, name: found.shape.name } } : {}),
    ...(assetId ? { assetId } : {}),
  };
  const stored = found.paint?.imageHash ? port.getImageByHash(found.paint.imageHash) : null;
  if (stored) {
    try {
      const size = await stored.getSizeAsync();
      if (size.width <= MAX_SIDE && size.height <= MAX_SIDE) return { ...base, width: size.width, height: size.height, source: "fill" };
    } catch {
      // Unreadable fill: the node is rendered instead, as the export will do.
    }
  }
  return { ...base, ...renderSize(renderBox(found.node)), source: "render" };
}

export async function summarizeSelection(port: FigmaPort): Promise<Selection> {
  const items = port.selection().map((node) => summarizeNode(node, port.mixed));
  const found = findImages(port);
  if (!found) return { items };
  if ("problem" in found) return { items, problem: found.problem };
  // One at a time: each reads its fill's size from Figma; a batch of 100 need not ask all at once.
  const images: ImageTarget[] = [];
  for (const f of found) images.push(await describeImage(port, f));
  return { items, ...(images.length === 1 ? { image: images[0]! } : {}), images };
}

/**
 * The selectionchange listener: summarizing is async (image sizes), so a slow answer for an older selection
 * must not overwrite a newer one.
 */
export function selectionFeed(port: FigmaPort): () => Promise<void> {
  let latest = 0;
  return async () => {
    const mine = ++latest;
    const selection = await summarizeSelection(port);
    if (mine === latest) port.postMessage({ type: "selection", selection });
  };
}
