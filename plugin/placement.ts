// Places a job's images on the canvas: one rectangle per image with an IMAGE fill at the image's own size
// (social results: one frame per platform format, social-frame.ts), laid out beside the edited node or the
// selection in the nearest container that shows them (placement-target.ts), or at the viewport centre;
// tagged with provenance, selected, and committed as one undo step. An edit or upscale may instead replace
// its source's image fill, keeping the fill's scale mode.
//
// The source may sit on another page than the one the designer is on now (they switched pages during the
// job; the manifest's documentAccess "dynamic-page" lets getNodeByIdAsync find it there). The results then
// go beside it on its page and are selected there, since a page's selection may only hold its own nodes;
// the answer names that page so the panel can say where they went. If anything fails, every node this
// placement created is removed: nothing is ever half-placed.
import type { PlacedFormat, Provenance } from "../core/messages.ts";
import type { FigmaPort, PortNode, PortParent, PortRectangle } from "./figma-port.ts";
import { GAP, pageOf, targetAt, targetBeside, union, type Target } from "./placement-target.ts";
import { provenanceData, PROVENANCE_KEYS, SPEC_WITHOUT_PROMPT_KEY } from "./plugin-data.ts";
import { IMAGE_HASH_KEY, topImageIndex, topImagePaint } from "./selection.ts";
import { formatFrame, imageRectangle, type Created } from "./social-frame.ts";

/** Figma shows the relaunch description under the button; a long prompt would only be cut off there. */
const RELAUNCH_DESCRIPTION_MAX = 100;

/** One image already handed to Figma (figma.createImage): only its hash stays in the sandbox. */
export interface ReceivedImage {
  hash: string;
  width: number;
  height: number;
  assetId: string;
  format?: PlacedFormat | undefined;
}

export interface PlaceRequest {
  /** Layer name of the placed images. */
  name: string;
  images: readonly ReceivedImage[];
  provenance: Provenance;
  /** Edit and upscale results: go beside this node, or (replace) into its image fill. */
  source?: { nodeId: string; replace: boolean } | undefined;
}

export interface Placed {
  nodeIds: string[];
  /** Set when the results went to a page other than the current one. */
  page?: { id: string; name: string };
}

type Taggable = Pick<PortRectangle, "setPluginData" | "setRelaunchData">;

function tag(node: Taggable, provenance: Provenance, assetId: string, imageHash?: string): void {
  const { values, specWithoutPrompt } = provenanceData(provenance, assetId);
  for (const key of PROVENANCE_KEYS) node.setPluginData(key, values[key]);
  node.setPluginData(SPEC_WITHOUT_PROMPT_KEY, specWithoutPrompt ? "1" : "");
  // The fill this asset was placed as: once it changes, the node no longer holds the asset (selection.ts).
  if (imageHash) node.setPluginData(IMAGE_HASH_KEY, imageHash);
  const prompt = provenance.prompt ?? "";
  node.setRelaunchData({
    regenerate: prompt === "" ? provenance.operation : prompt.length > RELAUNCH_DESCRIPTION_MAX ? `${prompt.slice(0, RELAUNCH_DESCRIPTION_MAX - 1)}…` : prompt,
  });
}

/** Selects the nodes where they are: scrolled to on the current page, or selected on their own page. */
function show(port: FigmaPort, page: PortParent, nodes: readonly (PortNode | PortRectangle | Created[number])[]): Placed["page"] {
  if (page.id === port.currentPage().id) {
    port.setSelection(nodes);
    port.scrollAndZoomIntoView(nodes);
    return undefined;
  }
  port.setSelection(nodes, page);
  return { id: page.id, name: page.name };
}

/** Puts the one result into the source's top image fill; same paint otherwise (scale mode, crop, filters). */
function replaceFill(port: FigmaPort, source: PortNode, request: PlaceRequest): Placed {
  const image = request.images[0]!;
  // One read: every read of fills gives new copies. It is frozen, so a new array with a new paint replaces it.
  const fills = source.fills as readonly Paint[];
  const at = topImageIndex(fills);
  tag(source, request.provenance, image.assetId, image.hash);
  source.fills = fills.map((p, i) => (i === at ? { ...(p as ImagePaint), imageHash: image.hash } : p));
  const page = source.parent ? pageOf(source.parent) : port.currentPage();
  const elsewhere = show(port, page, [source]);
  port.commitUndo();
  return { nodeIds: [source.id], ...(elsewhere ? { page: elsewhere } : {}) };
}

/** Where the block goes: beside the source, else beside the selection, else centred on the viewport. */
function target(port: FigmaPort, source: PortNode | null, size: { width: number; height: number }): Target {
  const anchors = source ? [source] : port.selection();
  const boxes = anchors.map((n) => n.absoluteBoundingBox).filter((b): b is Rect => b !== null);
  const start = anchors[0]?.parent;
  if (start && boxes.length) return targetBeside(start, union(boxes), size);
  const center = port.viewportCenter();
  return targetAt(port.currentPage(), { x: Math.round(center.x - size.width / 2), y: Math.round(center.y - size.height / 2), ...size });
}

/**
 * Places the received images. Returns the ids of the new nodes (or of the source whose fill was replaced)
 * and, when not the current one, their page. Throws having left nothing behind.
 */
export async function placeImages(port: FigmaPort, request: PlaceRequest): Promise<Placed> {
  const { images } = request;
  // The job's source may have moved, changed or gone since the job started: go by what is there now.
  const source = request.source ? await port.getNodeByIdAsync(request.source.nodeId) : null;
  if (source && request.source?.replace) {
    if (images.length !== 1) throw new Error("Only a single image can replace a fill");
    if (topImagePaint(source, port.mixed)) return replaceFill(port, source, request);
    // No image fill left to replace: the result goes beside it instead of being lost.
  }
  // Formats of many shapes would make a very long row: social results go in a roughly square grid.
  const columns = images.some((image) => image.format) ? Math.ceil(Math.sqrt(images.length)) : images.length;
  const grid = gridLayout(images, columns);
  const at = target(port, source, grid);
  const created: Created = [];
  try {
    const several = images.length > 1;
    const nodes = images.map((image, i) => {
      const node = image.format ? formatFrame(port, created, image, image.format, image.hash) : null;
      const top = node ? node.frame : imageRectangle(port, created, image, image.hash);
      if (!node) top.name = several ? `${request.name} ${i + 1}` : request.name;
      port.appendChild(at.parent, top);
      top.x = at.x + grid.positions[i]!.x;
      top.y = at.y + grid.positions[i]!.y;
      if (node) tag(node.picture, request.provenance, image.assetId, image.hash);
      tag(top, request.provenance, image.assetId, node ? undefined : image.hash);
      return top;
    });
    const elsewhere = show(port, pageOf(at.parent), nodes);
    // One job = one undo step: Cmd+Z removes the whole row of variations (or grid of formats) at once.
    port.commitUndo();
    return { nodeIds: nodes.map((n) => n.id), ...(elsewhere ? { page: elsewhere } : {}) };
  } catch (error) {
    for (const node of created.reverse()) node.remove();
    throw error;
  }
}

/** Where each image goes, relative to the block's corner: rows of `columns`, a gap apart; and the block's size. */
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
