// Places a job's images on the canvas: one rectangle per image with an IMAGE fill at the image's own size
// (social results: one frame per platform format, social-frame.ts), laid out beside the edited node or the
// selection in the nearest container that shows them (placement-target.ts), or at the viewport centre;
// tagged with provenance, selected, and committed as one undo step. An edit or upscale may instead replace
// its source's image fill, keeping the fill's scale mode. A batch's results are one placement: each image
// beside (or into) its own source, tagged with its own item's job, all of it one undo step (docs/figma.md,
// "Placing a batch").
//
// The source may sit on another page than the one the designer is on now (they switched pages during the
// job; the manifest's documentAccess "dynamic-page" lets getNodeByIdAsync find it there). The results then
// go beside it on its page and are selected there, since a page's selection may only hold its own nodes;
// the answer names that page so the panel can say where they went. If anything fails, every node this
// placement created is removed: nothing is ever half-placed.
import type { PlacedFormat, Provenance } from "../core/messages.ts";
import type { FigmaPort, PortNode, PortParent, PortRectangle } from "./figma-port.ts";
import { GAP, pageOf, targetAt, union, type Box, type Target } from "./placement-target.ts";
import { provenanceData, PROVENANCE_KEYS, SPEC_WITHOUT_PROMPT_KEY } from "./plugin-data.ts";
import { IMAGE_HASH_KEY, topImageIndex, topImagePaint } from "./selection.ts";
import { formatFrame, imageRectangle, type Created } from "./social-frame.ts";

/** The most images side by side in a row: Create's most variations (a bigger batch wraps). */
export const MAX_ROW = 10;

/** Figma shows the relaunch description under the button; a long prompt would only be cut off there. */
const RELAUNCH_DESCRIPTION_MAX = 100;

/** One image already handed to Figma (figma.createImage): only its hash stays in the sandbox. */
export interface ReceivedImage {
  hash: string;
  width: number;
  height: number;
  assetId: string;
  format?: PlacedFormat | undefined;
  /** A batch's result: where it goes (its item's source) and its own layer name and job. */
  source?: { nodeId: string; replace: boolean } | undefined;
  name?: string | undefined;
  jobId?: string | undefined;
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
function replaceFill(source: PortNode, image: ReceivedImage, provenance: Provenance): void {
  // One read: every read of fills gives new copies. It is frozen, so a new array with a new paint replaces it.
  const fills = source.fills as readonly Paint[];
  const at = topImageIndex(fills);
  tag(source, provenance, image.assetId, image.hash);
  source.fills = fills.map((p, i) => (i === at ? { ...(p as ImagePaint), imageHash: image.hash } : p));
}

/** The absolute box a node takes, for keeping a batch's blocks off each other. */
const boxOf = (node: PortNode): Box | null => node.absoluteBoundingBox;

function intersects(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Where the block goes: beside the source, else beside the selection, else centred on the viewport. In a
 * batch, a block that would cover another of the batch's sources or blocks (`taken`) moves down below it,
 * still starting at its own source's right (docs/figma.md, "Placing a batch").
 */
function target(port: FigmaPort, source: PortNode | null, size: { width: number; height: number }, taken: Box[]): Target & { block: Box } {
  const anchors = source ? [source] : port.selection();
  const boxes = anchors.map(boxOf).filter((b): b is Rect => b !== null);
  const start = anchors[0]?.parent;
  if (start && boxes.length) {
    const anchor = union(boxes);
    const block: Box = { x: Math.round(anchor.x + anchor.width + GAP), y: Math.round(anchor.y), ...size };
    for (let hit = taken.find((t) => intersects(t, block)); hit; hit = taken.find((t) => intersects(t, block))) block.y = Math.round(hit.y + hit.height + GAP);
    return { ...targetAt(start, block), block };
  }
  const center = port.viewportCenter();
  const block: Box = { x: Math.round(center.x - size.width / 2), y: Math.round(center.y - size.height / 2), ...size };
  return { ...targetAt(port.currentPage(), block), block };
}

/** A placement's images by where they go, in order of first appearance: each batch item's beside its own source. */
interface Group {
  source: { nodeId: string; replace: boolean } | undefined;
  images: ReceivedImage[];
}

function groupBySource(request: PlaceRequest): Group[] {
  const groups: Group[] = [];
  for (const image of request.images) {
    const source = image.source ?? request.source;
    const key = source?.nodeId;
    const group = groups.find((g) => g.source?.nodeId === key);
    if (group) group.images.push(image);
    else groups.push({ source, images: [image] });
  }
  return groups;
}

const provenanceOf = (request: PlaceRequest, image: ReceivedImage): Provenance => (image.jobId ? { ...request.provenance, jobId: image.jobId } : request.provenance);

/**
 * Places the received images. Returns the ids of the new nodes (or of the sources whose fill was replaced)
 * and, when not the current one, their page. A batch's images each go beside (or into) their own source;
 * the whole placement is one undo step. Throws having left nothing behind.
 */
export async function placeImages(port: FigmaPort, request: PlaceRequest): Promise<Placed> {
  const groups = groupBySource(request);
  const several = request.images.length > 1;
  const created: Created = [];
  const results: (PortNode | PortRectangle | Created[number])[] = [];
  const replacements: { source: PortNode; image: ReceivedImage }[] = [];
  /** The page of each result, by index. */
  const pages: PortParent[] = [];
  try {
    // The job's sources may have moved, changed or gone since the job started: go by what is there now.
    const sources = await Promise.all(groups.map((g) => (g.source ? port.getNodeByIdAsync(g.source.nodeId) : null)));
    const taken: Box[] = groups.length > 1 ? sources.map((n) => (n ? boxOf(n) : null)).filter((b): b is Box => b !== null) : [];
    groups.forEach((group, g) => {
      const source = sources[g] ?? null;
      const { images } = group;
      if (source && group.source?.replace) {
        if (images.length !== 1) throw new Error("Only a single image can replace a fill");
        if (topImagePaint(source, port.mixed)) {
          replacements.push({ source, image: images[0]! });
          return;
        }
        // No image fill left to replace: the result goes beside it instead of being lost.
      }
      // Formats of many shapes would make a very long row: social results go in a roughly square grid.
      // A Create batch of many images wraps after a job's most variations.
      const columns = images.some((image) => image.format) ? Math.ceil(Math.sqrt(images.length)) : Math.min(images.length, MAX_ROW);
      const grid = gridLayout(images, columns);
      const at = target(port, source, grid, taken);
      taken.push(at.block);
      const page = pageOf(at.parent);
      images.forEach((image, i) => {
        const provenance = provenanceOf(request, image);
        const node = image.format ? formatFrame(port, created, image, image.format, image.hash) : null;
        const top = node ? node.frame : imageRectangle(port, created, image, image.hash);
        if (!node) top.name = image.name ?? (several ? `${request.name} ${request.images.indexOf(image) + 1}` : request.name);
        port.appendChild(at.parent, top);
        top.x = at.x + grid.positions[i]!.x;
        top.y = at.y + grid.positions[i]!.y;
        if (node) tag(node.picture, provenance, image.assetId, image.hash);
        tag(top, provenance, image.assetId, node ? undefined : image.hash);
        results.push(top);
        pages.push(page);
      });
    });
  } catch (error) {
    for (const node of created.reverse()) node.remove();
    throw error;
  }
  // Last, once nothing can fail halfway: a replaced fill is not a node that could simply be removed again.
  for (const { source, image } of replacements) {
    replaceFill(source, image, provenanceOf(request, image));
    results.push(source);
    pages.push(source.parent ? pageOf(source.parent) : port.currentPage());
  }
  // A page's selection holds only its own nodes: select those on the current page, else on the first one's.
  const current = port.currentPage();
  const page = pages.find((p) => p.id === current.id) ?? pages[0] ?? current;
  const onPage = results.filter((_, i) => pages[i]?.id === page.id);
  const elsewhere = show(port, page, onPage);
  // One job (or one batch) = one undo step: Cmd+Z removes the whole row of variations, grid of formats, or
  // every result of a batch at once.
  port.commitUndo();
  return { nodeIds: results.map((n) => n.id), ...(elsewhere ? { page: elsewhere } : {}) };
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
