// Places a job's images on the canvas: one rectangle per image with an IMAGE fill at the image's own size,
// beside the edited node or the selection in the same parent (or at the viewport centre), laid out in a
// row, selected, scrolled into view, tagged with provenance, and committed as one undo step. An edit or
// upscale may instead replace its source's image fill, keeping the fill's scale mode.
import type { Provenance, UIToPlugin } from "../core/messages.ts";
import type { FigmaPort, PortNode, PortParent, PortRectangle } from "./figma-port.ts";
import { topImagePaint } from "./selection.ts";

export type PlaceImagesRequest = Extract<UIToPlugin, { type: "place-images" }>;

/** Space between the selection and the first image, and between images. */
export const GAP = 40;
/** Figma shows the relaunch description under the button; a long prompt would only be cut off there. */
const RELAUNCH_DESCRIPTION_MAX = 100;

/** Plugin data keys on each placed node: the provenance Regenerate and later studios read back. */
export const PLUGIN_DATA_KEYS = ["jobId", "assetId", "prompt", "operation", "spec"] as const;

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

function tag(node: Pick<PortRectangle, "setPluginData" | "setRelaunchData">, provenance: Provenance, assetId: string): void {
  const data: Record<(typeof PLUGIN_DATA_KEYS)[number], string> = {
    jobId: provenance.jobId,
    assetId,
    prompt: provenance.prompt ?? "",
    operation: provenance.operation,
    spec: provenance.spec ?? "",
  };
  for (const key of PLUGIN_DATA_KEYS) node.setPluginData(key, data[key]);
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
  tag(source, request.provenance, request.images[0]!.assetId);
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
  const anchor = (source ? anchorBesideSelection(port, [source]) : anchorBesideSelection(port)) ?? anchorAtViewportCenter(port, request.images);
  const several = request.images.length > 1;
  let x = anchor.x;
  const nodes = request.images.map((image, i) => {
    const node = port.createRectangle();
    node.name = several ? `${request.name} ${i + 1}` : request.name;
    node.resize(image.width, image.height);
    node.fills = [{ type: "IMAGE", imageHash: hashes[i]!, scaleMode: "FILL" }];
    port.appendChild(anchor.parent, node);
    node.x = x;
    node.y = anchor.y;
    x += image.width + GAP;
    tag(node, request.provenance, image.assetId);
    return node;
  });
  port.setSelection(nodes);
  port.scrollAndZoomIntoView(nodes);
  // One job = one undo step: Cmd+Z removes the whole row of variations at once.
  port.commitUndo();
  return nodes.map((n) => n.id);
}
