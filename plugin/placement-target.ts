// Where a block of results goes: beside its anchor (the source image, or the selection), in the nearest
// container where the designer will see it and where adding a layer changes nothing else. Climbing from
// the anchor's parent, a container is skipped when
// - it is, or sits inside, a component or an instance: a layer added to a main component appears in every
//   instance, and Figma refuses to add layers to an instance;
// - it lays its children out itself (auto layout would move the results and reflow its siblings);
// - it, or any frame around it, clips its content and the block would fall outside it (hidden results);
// - its coordinates are turned or scaled, so a position beside the anchor cannot be written as x and y.
// The page always qualifies. Pure: it reads the node tree through the port's types only.
import type { PortParent } from "./figma-port.ts";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Target {
  /** The container the block goes into. */
  parent: PortParent;
  /** The block's top-left corner in that container's coordinates (what node.x / node.y mean there). */
  x: number;
  y: number;
}

/** Space between the anchor and the block. */
export const GAP = 40;

const COMPONENT_TYPES: readonly string[] = ["COMPONENT", "COMPONENT_SET", "INSTANCE"];
/** Containers whose children keep the position they are given (when not in auto layout). */
const CONTAINER_TYPES: readonly string[] = ["PAGE", "SECTION", "FRAME", "GROUP"];
/**
 * Groups (and boolean operations) have no coordinates of their own: their children's x and y are in the
 * nearest enclosing frame's or page's (Figma's docs, "relativeTransform").
 */
const NO_OWN_COORDINATES: readonly string[] = ["GROUP", "BOOLEAN_OPERATION"];

const IDENTITY: Transform = [
  [1, 0, 0],
  [0, 1, 0],
];

/** The container and its parents up to its page (a page's own parent, the document, is left out). */
function ancestorsOf(node: PortParent): PortParent[] {
  const chain: PortParent[] = [];
  for (let at: PortParent | null = node; at; at = at.type === "PAGE" ? null : at.parent) chain.push(at);
  return chain;
}

/** The page a container belongs to (itself, for a page). */
export function pageOf(node: PortParent): PortParent {
  const chain = ancestorsOf(node);
  return chain[chain.length - 1]!;
}

/** The transform of the coordinate space a container's children are positioned in. */
function childSpace(container: PortParent): Transform {
  for (let at: PortParent | null = container; at; at = at.parent) {
    if (at.type === "PAGE") return IDENTITY;
    if (!NO_OWN_COORDINATES.includes(at.type)) return at.absoluteTransform ?? IDENTITY;
  }
  return IDENTITY;
}

const isTranslation = (m: Transform) => m[0][0] === 1 && m[0][1] === 0 && m[1][0] === 0 && m[1][1] === 1;

function inside(inner: Box, outer: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

/** Why `container` cannot hold a block at `block` (absolute), or null when it can. */
export function refusal(container: PortParent, block: Box): string | null {
  if (!CONTAINER_TYPES.includes(container.type)) return `a ${container.type.toLowerCase()} does not hold layers at a position`;
  if (container.layoutMode !== undefined && container.layoutMode !== "NONE") return "auto layout would move the results";
  const chain = ancestorsOf(container);
  if (chain.some((c) => COMPONENT_TYPES.includes(c.type))) return "inside a component, the results would change every instance";
  if (!isTranslation(childSpace(container))) return "its coordinates are rotated or scaled";
  for (const c of chain) {
    if (!c.clipsContent) continue;
    const bounds = c.absoluteBoundingBox;
    if (!bounds || !c.absoluteTransform || !isTranslation(c.absoluteTransform) || !inside(block, bounds)) return `“${c.name}” clips its content and would hide the results`;
  }
  return null;
}

/**
 * The nearest container, from `start` up to its page, that can show a block of `size` placed to the right
 * of `anchor` (absolute coordinates), and the block's position in it.
 */
export function targetBeside(start: PortParent, anchor: Box, size: { width: number; height: number }): Target {
  const block: Box = { x: Math.round(anchor.x + anchor.width + GAP), y: Math.round(anchor.y), width: size.width, height: size.height };
  return targetAt(start, block);
}

/** The nearest container, from `start` up, that can show `block` (absolute), and its position there. */
export function targetAt(start: PortParent, block: Box): Target {
  const chain = ancestorsOf(start);
  const parent = chain.find((c) => c.type === "PAGE" || refusal(c, block) === null) ?? chain[chain.length - 1]!;
  const space = childSpace(parent);
  return { parent, x: block.x - space[0][2], y: block.y - space[1][2] };
}

/** The smallest box holding all of `boxes`. */
export function union(boxes: readonly Box[]): Box {
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  return { x, y, width: right - x, height: bottom - y };
}
