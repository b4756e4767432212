// absoluteRenderBounds: plugin-api.d.ts, LayoutMixin.absoluteRenderBounds: "The actual bounds of a node
// accounting for drop shadows, thick strokes, and anything else that may fall outside the node's regular
// bounding box ... This value will be `null` if the node is invisible." What an export without
// useAbsoluteBounds covers.
import { absoluteOf, sizeOf } from "./geometry.ts";
import { state } from "./internal.ts";
import { boxOf, intersect, union } from "./matrix.ts";
import type { FakeSceneNode } from "./nodes/types.ts";

/** Node types that draw their own rectangle or ellipse (groups draw only their children). */
export const hasOwnGeometry = (node: FakeSceneNode) => node.type !== "GROUP";

/** Node types whose children are cut to the node's box when clipsContent is on. */
export const canClip = (node: FakeSceneNode) => node.type === "FRAME" || node.type === "COMPONENT" || node.type === "INSTANCE";

/**
 * How far strokes reach outside the box. plugin-api.d.ts, MinimalStrokesMixin.strokeAlign: "Inside-aligned
 * stroke ... lies completely inside the shape, and outside-aligned stroke is vice versa"; centred strokes
 * straddle the edge.
 */
function strokeOutset(node: FakeSceneNode): number {
  const s = state(node);
  if (!s.strokes.some((p) => p.visible !== false) || s.strokeWeight <= 0) return 0;
  return s.strokeAlign === "OUTSIDE" ? s.strokeWeight : s.strokeAlign === "CENTER" ? s.strokeWeight / 2 : 0;
}

/**
 * The local rectangles effects paint into. A drop shadow is the shape moved by its offset and grown by its
 * spread and blur radius (plugin-api.d.ts, DropShadowEffect: offset, radius "The blur radius", spread "The
 * distance by which to expand"); a layer blur spreads by its radius. Effects are in the node's own space,
 * so they turn with it.
 */
function effectRects(node: FakeSceneNode, width: number, height: number): Rect[] {
  const rects: Rect[] = [];
  for (const effect of state(node).effects) {
    if (effect.visible === false) continue;
    if (effect.type === "DROP_SHADOW") {
      const grow = (effect.spread ?? 0) + effect.radius;
      rects.push({ x: effect.offset.x - grow, y: effect.offset.y - grow, width: width + 2 * grow, height: height + 2 * grow });
    } else if (effect.type === "LAYER_BLUR") {
      rects.push({ x: -effect.radius, y: -effect.radius, width: width + 2 * effect.radius, height: height + 2 * effect.radius });
    }
  }
  return rects;
}

/**
 * The render bounds of a node on the page: its own box (grown by outside strokes), its effects, and its
 * visible children (cut to its box when it clips). `asVisible` counts the node itself as visible (exports).
 */
export function renderBounds(node: FakeSceneNode, asVisible = false): Rect | null {
  const s = state(node);
  if (!s.visible && !asVisible) return null;
  const abs = absoluteOf(node);
  const { width, height } = sizeOf(node);
  const own = boxOf(abs, { x: 0, y: 0, width, height });
  let bounds: Rect | null = null;
  if (hasOwnGeometry(node)) {
    const out = strokeOutset(node);
    bounds = boxOf(abs, { x: -out, y: -out, width: width + 2 * out, height: height + 2 * out });
  }
  let children: Rect | null = null;
  for (const child of (s.children ?? []) as FakeSceneNode[]) children = union(children, renderBounds(child));
  if (children && canClip(node) && s.clipsContent) children = intersect(children, own);
  bounds = union(bounds, children);
  for (const r of effectRects(node, width, height)) bounds = union(bounds, boxOf(abs, r));
  return bounds;
}
