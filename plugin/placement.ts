// Places a job's images on the canvas: one rectangle per image with an IMAGE fill at the image's own size,
// beside the edited node or the selection in the same parent (or at the viewport centre), laid out in a
// row, selected, scrolled into view, tagged with provenance, and committed as one undo step. An edit or
// upscale may instead replace its source's image fill, keeping the fill's scale mode. Social results go in
// a grid of frames, one per platform format, each holding the image and (for formats that have one) a
// hidden "Safe zone" layer that marks what the platform's UI may cover.
import type { PlacedFormat, Provenance, SafeZone, UIToPlugin } from "../core/messages.ts";
import type { FigmaPort, PortFrame, PortNode, PortParent, PortRectangle } from "./figma-port.ts";
import { IMAGE_HASH_KEY, topImagePaint } from "./selection.ts";

export type PlaceImagesRequest = Extract<UIToPlugin, { type: "place-images" }>;

/** Space between the selection and the first image, and between images. */
export const GAP = 40;
/** Figma shows the relaunch description under the button; a long prompt would only be cut off there. */
const RELAUNCH_DESCRIPTION_MAX = 100;

/** Plugin data keys on each placed node: the provenance Regenerate and later studios read back. */
export const PLUGIN_DATA_KEYS = ["jobId", "assetId", "prompt", "operation", "spec"] as const;
/** Plugin data key of a social result's frame: the catalog's format id. */
export const FORMAT_KEY = "format";
export const SAFE_ZONE_NAME = "Safe zone";
/** The unsafe insets: red at a third, visible on light and dark images alike once the layer is shown. */
const UNSAFE_PAINT: SolidPaint = { type: "SOLID", color: { r: 1, g: 0.2, b: 0.2 }, opacity: 0.35 };

interface Anchor {
  parent: PortParent;
  x: number;
  y: number;
}

/** Containers that keep a child where it is put: not auto-layout (it would reflow), not instances or boolean ops. */
function keepsPosition(parent: PortParent): boolean {
  const container = ["PAGE", "FRAME", "GROUP", "SECTION", "COMPONENT"].includes(parent.type);
  return container && (parent.layoutMode === undefined || parent.layoutMode === "NONE");
}

/** Top-right corner of the nodes (the selection by default) plus a gap, in the coordinates of the parent the images go into. */
export function anchorBesideSelection(port: FigmaPort, selection: readonly PortNode[] = port.selection()): Anchor | null {
  const parent = selection[0]?.parent;
  if (!parent) return null;
  if (keepsPosition(parent)) {
    const siblings = selection.filter((n) => n.parent?.id === parent.id);
    return rightOf(parent, siblings.map((n) => ({ x: n.x, y: n.y, width: n.width, height: n.height })));
  }
  // Inside auto layout or an instance: place on the page beside the node's absolute bounds instead.
  const boxes = selection.map((n: PortNode) => n.absoluteBoundingBox).filter((b): b is Rect => b !== null);
  return boxes.length ? rightOf(port.currentPage(), boxes) : null;
}

function rightOf(parent: PortParent, boxes: readonly Rect[]): Anchor {
  return {
    parent,
    x: Math.round(Math.max(...boxes.map((b) => b.x + b.width)) + GAP),
    y: Math.round(Math.min(...boxes.map((b) => b.y))),
  };
}

/** The row of images centred on the viewport. */
export function anchorAtViewportCenter(port: FigmaPort, sizes: readonly { width: number; height: number }[]): Anchor {
  const center = port.viewportCenter();
  const rowWidth = sizes.reduce((sum, s) => sum + s.width, 0) + GAP * Math.max(0, sizes.length - 1);
  const rowHeight = Math.max(...sizes.map((s) => s.height));
  return { parent: port.currentPage(), x: Math.round(center.x - rowWidth / 2), y: Math.round(center.y - rowHeight / 2) };
}

function tag(node: Pick<PortRectangle, "setPluginData" | "setRelaunchData">, provenance: Provenance, assetId: string, imageHash?: string): void {
  const data: Record<(typeof PLUGIN_DATA_KEYS)[number], string> = {
    jobId: provenance.jobId,
    assetId,
    prompt: provenance.prompt ?? "",
    operation: provenance.operation,
    spec: provenance.spec ?? "",
  };
  for (const key of PLUGIN_DATA_KEYS) node.setPluginData(key, data[key]);
  // The fill this asset was placed as: once it changes, the node no longer holds the asset (selection.ts).
  if (imageHash) node.setPluginData(IMAGE_HASH_KEY, imageHash);
  const prompt = provenance.prompt ?? "";
  node.setRelaunchData({
    regenerate: prompt === "" ? provenance.operation : prompt.length > RELAUNCH_DESCRIPTION_MAX ? `${prompt.slice(0, RELAUNCH_DESCRIPTION_MAX - 1)}…` : prompt,
  });
}

/** Puts the one result into the source's top image fill; same paint otherwise (scale mode, crop, filters). */
function replaceFill(port: FigmaPort, source: PortNode, request: PlaceImagesRequest, hash: string): string[] {
  const fills = source.fills as readonly Paint[];
  const paint = topImagePaint(source, port.mixed)!;
  source.fills = fills.map((p) => (p === paint ? { ...paint, imageHash: hash } : p));
  tag(source, request.provenance, request.images[0]!.assetId, hash);
  port.setSelection([source]);
  port.commitUndo();
  return [source.id];
}

/**
 * Returns the ids of the new nodes (or of the source whose fill was replaced). Throws (having changed
 * nothing) if Figma rejects any image.
 */
export async function placeImages(port: FigmaPort, request: PlaceImagesRequest): Promise<string[]> {
  // Decode every image before creating any node, so a bad image cannot leave a half-placed job behind.
  const hashes = request.images.map((image) => port.createImage(image.bytes).hash);
  // The job's source may have moved, changed or gone since the job started: go by what is there now.
  const source = request.source ? await port.getNodeByIdAsync(request.source.nodeId) : null;
  if (source && request.source?.replace) {
    if (request.images.length !== 1) throw new Error("Only a single image can replace a fill");
    if (topImagePaint(source, port.mixed)) return replaceFill(port, source, request, hashes[0]!);
    // No image fill left to replace: the result goes beside it instead of being lost.
  }
  // Formats of many shapes would make a very long row: social results go in a roughly square grid.
  const columns = request.images.some((image) => image.format) ? Math.ceil(Math.sqrt(request.images.length)) : request.images.length;
  const grid = gridLayout(request.images, columns);
  const anchor = (source ? anchorBesideSelection(port, [source]) : anchorBesideSelection(port)) ?? anchorAtViewportCenter(port, [grid]);
  const several = request.images.length > 1;
  const nodes = request.images.map((image, i) => {
    const at = { x: anchor.x + grid.positions[i]!.x, y: anchor.y + grid.positions[i]!.y };
    const hash = hashes[i]!;
    if (image.format) return placeFormat(port, anchor.parent, at, image, image.format, hash, request.provenance);
    const node = imageRectangle(port, image, hash);
    node.name = several ? `${request.name} ${i + 1}` : request.name;
    port.appendChild(anchor.parent, node);
    node.x = at.x;
    node.y = at.y;
    tag(node, request.provenance, image.assetId, hash);
    return node;
  });
  port.setSelection(nodes);
  port.scrollAndZoomIntoView(nodes);
  // One job = one undo step: Cmd+Z removes the whole row of variations (or grid of formats) at once.
  port.commitUndo();
  return nodes.map((n) => n.id);
}

/** Where each image goes, relative to the anchor: rows of `columns`, a gap apart; and the whole block's size. */
export function gridLayout(sizes: readonly { width: number; height: number }[], columns: number): { positions: Vector[]; width: number; height: number } {
  const positions: Vector[] = [];
  let width = 0;
  let y = 0;
  for (let first = 0; first < sizes.length; first += columns) {
    const row = sizes.slice(first, first + columns);
    let x = 0;
    for (const size of row) {
      positions.push({ x, y });
      x += size.width + GAP;
    }
    width = Math.max(width, x - GAP);
    y += Math.max(...row.map((size) => size.height)) + GAP;
  }
  return { positions, width, height: Math.max(0, y - GAP) };
}

function imageRectangle(port: FigmaPort, size: { width: number; height: number }, hash: string): PortRectangle {
  const node = port.createRectangle();
  node.resize(size.width, size.height);
  node.fills = [{ type: "IMAGE", imageHash: hash, scaleMode: "FILL" }];
  return node;
}

/** A frame that draws nothing itself, sized to the image. */
function emptyFrame(port: FigmaPort, name: string, size: { width: number; height: number }): PortFrame {
  const frame = port.createFrame();
  frame.name = name;
  frame.resize(size.width, size.height);
  frame.fills = [];
  frame.clipsContent = true;
  return frame;
}

/**
 * One social result: a frame named for its format ("Instagram · Story 1080×1920") holding the image and,
 * if the format has a safe zone, the hidden "Safe zone" layer. The frame carries the provenance (and
 * Regenerate); the image carries it too, with its fill's hash, so selecting it names the asset.
 */
function placeFormat(port: FigmaPort, parent: PortParent, at: Vector, image: { width: number; height: number; assetId: string }, format: PlacedFormat, hash: string, provenance: Provenance): PortFrame {
  const frame = emptyFrame(port, format.name, image);
  port.appendChild(parent, frame);
  frame.x = at.x;
  frame.y = at.y;
  const picture = imageRectangle(port, image, hash);
  picture.name = "Image";
  port.appendToFrame(frame, picture);
  picture.x = 0;
  picture.y = 0;
  tag(picture, provenance, image.assetId, hash);
  if (format.safeZone) safeZoneLayer(port, frame, image, format.safeZone);
  tag(frame, provenance, image.assetId);
  frame.setPluginData(FORMAT_KEY, format.id);
  return frame;
}

/** The insets the platform may cover, as translucent rectangles in a layer that starts hidden. */
function safeZoneLayer(port: FigmaPort, frame: PortFrame, size: { width: number; height: number }, zone: SafeZone): PortFrame {
  const { width, height } = size;
  const top = Math.min(zone.top, height);
  const bottom = Math.min(zone.bottom, height - top);
  const middle = height - top - bottom;
  const left = Math.min(zone.left, width);
  const right = Math.min(zone.right, width - left);
  const layer = emptyFrame(port, SAFE_ZONE_NAME, size);
  port.appendToFrame(frame, layer);
  layer.x = 0;
  layer.y = 0;
  const boxes: [string, number, number, number, number][] = [
    ["Top", 0, 0, width, top],
    ["Bottom", 0, height - bottom, width, bottom],
    ["Left", 0, top, left, middle],
    ["Right", width - right, top, right, middle],
  ];
  for (const [side, x, y, w, h] of boxes) {
    if (w <= 0 || h <= 0) continue;
    const box = port.createRectangle();
    box.name = `Unsafe ${side.toLowerCase()}`;
    box.resize(w, h);
    box.fills = [UNSAFE_PAINT];
    port.appendToFrame(layer, box);
    box.x = x;
    box.y = y;
  }
  // Hidden by default: a guide to show while designing, never part of the image or its export.
  layer.visible = false;
  return layer;
}
