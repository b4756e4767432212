// What the panel needs to know about the selection: enough to label it, to tell which nodes hold images,
// and which image (with which mask shape) Edit and Upscale would work on, at what pixel size.
import type { ImageTarget, Selection, SelectionItem } from "../core/messages.ts";
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

/**
 * The image a job would use: exactly one node with an image fill (or, failing that, one frame,
 * component, instance or group), plus at most one shape that overlaps it. Null when nothing is selected.
 */
export function findImage(port: FigmaPort): FoundImage | { problem: string } | null {
  const nodes = port.selection();
  if (nodes.length === 0) return null;
  const filled = nodes.filter((n) => topImagePaint(n, port.mixed));
  const candidates = filled.length ? filled : nodes.filter((n) => RENDERED_TYPES.includes(n.type));
  if (candidates.length !== 1)
    return { problem: nodes.length === 1 ? "Select an image, or a frame to use as one" : "Select one image (and, for a mask, one shape drawn over it)" };
  const node = candidates[0]!;
  const paint = topImagePaint(node, port.mixed);
  const others = nodes.filter((n) => n !== node);
  if (others.length === 0) return { node, paint };
  const shape = others[0]!;
  if (others.length > 1 || !MASK_SHAPE_TYPES.includes(shape.type)) return { problem: SELECT_IMAGE_AND_SHAPE };
  const a = node.absoluteBoundingBox;
  const b = shape.absoluteBoundingBox;
  if (a && b && !overlaps(a, b)) return { problem: `The shape “${shape.name}” must be drawn over the image` };
  return { node, paint, shape };
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
  const found = findImage(port);
  if (!found) return { items };
  if ("problem" in found) return { items, problem: found.problem };
  return { items, image: await describeImage(port, found) };
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
