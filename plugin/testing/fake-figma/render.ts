// Drawing a node as the canvas shows it, one sample at the centre of each output pixel: the point is mapped
// back into each node's own space (so rotated and flipped nodes come out turned and mirrored, and a quarter
// turn of pixel-aligned content lands on whole pixels), no antialiasing, so tests can compare pixels exactly.
// Per node, bottom to top: its drop shadows, its fills (inside its shape), its visible children (cut to its
// box when it clips content), its strokes; then the whole is faded by its opacity.
import { canClip, hasOwnGeometry } from "./bounds.ts";
import { absoluteOf, sizeOf } from "./geometry.ts";
import type { ImageStore } from "./images.ts";
import { state, type StrokeAlign } from "./internal.ts";
import { apply, invert } from "./matrix.ts";
import type { FakeSceneNode } from "./nodes/types.ts";
import { samplerOf, type Premul, type Sampler } from "./paint-samplers.ts";
import type { RgbaImage } from "./png.ts";

type Shape = "rect" | "ellipse";

interface Shadow {
  dx: number;
  dy: number;
  spread: number;
  radius: number;
  color: Premul;
}

interface Drawable {
  inv: Transform;
  w: number;
  h: number;
  shape: Shape | null;
  fills: Sampler[];
  strokes: Sampler[];
  /** How far the stroke band reaches outside and inside the shape's edge. */
  outer: number;
  inner: number;
  shadows: Shadow[];
  opacity: number;
  clip: boolean;
  children: Drawable[];
}

/** Whether (x, y) is inside the shape grown by `grow` (negative: shrunk). Ellipses by their equation. */
function inside(shape: Shape, w: number, h: number, x: number, y: number, grow: number): boolean {
  if (shape === "rect") return x >= -grow && x < w + grow && y >= -grow && y < h + grow;
  const rx = w / 2 + grow;
  const ry = h / 2 + grow;
  if (rx <= 0 || ry <= 0) return false;
  const dx = (x - w / 2) / rx;
  const dy = (y - h / 2) / ry;
  return dx * dx + dy * dy <= 1;
}

/** Distance from (x, y) to the grown shape (0 inside); for ellipses an approximation along the radius. */
function distanceOutside(shape: Shape, w: number, h: number, x: number, y: number, grow: number): number {
  if (shape === "rect") return Math.hypot(Math.max(-grow - x, x - (w + grow), 0), Math.max(-grow - y, y - (h + grow), 0));
  const rx = Math.max(w / 2 + grow, 1e-9);
  const ry = Math.max(h / 2 + grow, 1e-9);
  return Math.max(0, (Math.hypot((x - w / 2) / rx, (y - h / 2) / ry) - 1) * Math.min(rx, ry));
}

function strokeBand(align: StrokeAlign, weight: number): { outer: number; inner: number } {
  if (align === "OUTSIDE") return { outer: weight, inner: 0 };
  if (align === "CENTER") return { outer: weight / 2, inner: weight / 2 };
  return { outer: 0, inner: weight };
}

/**
 * Drop shadows: the shape moved by the offset and grown by the spread, fading to nothing over the blur
 * radius (linearly: the fake does not model Figma's blur exactly). Group shadows (cast by their children)
 * and other effects are not drawn; they still widen the render bounds (bounds.ts).
 */
function shadowsOf(node: FakeSceneNode): Shadow[] {
  if (!hasOwnGeometry(node)) return [];
  const shadows: Shadow[] = [];
  for (const e of state(node).effects) {
    if (e.type !== "DROP_SHADOW" || !e.visible) continue;
    const a = e.color.a;
    shadows.push({ dx: e.offset.x, dy: e.offset.y, spread: e.spread ?? 0, radius: e.radius, color: [e.color.r * a, e.color.g * a, e.color.b * a, a] });
  }
  return shadows;
}

function prepare(node: FakeSceneNode, images: ImageStore): Drawable {
  const s = state(node);
  const { width: w, height: h } = sizeOf(node);
  const samplers = (paints: readonly Paint[]) => paints.map((p) => samplerOf(p, w, h, images)).filter((f): f is Sampler => f !== null);
  const own = hasOwnGeometry(node);
  return {
    inv: invert(absoluteOf(node)),
    w,
    h,
    shape: own ? (node.type === "ELLIPSE" ? "ellipse" : "rect") : null,
    fills: own ? samplers(s.fills) : [],
    strokes: own && s.strokeWeight > 0 ? samplers(s.strokes) : [],
    ...strokeBand(s.strokeAlign, s.strokeWeight),
    shadows: shadowsOf(node),
    opacity: s.opacity,
    clip: canClip(node) && s.clipsContent,
    // plugin-api.d.ts, SceneNodeMixin.visible: "An object is visible if `.visible == true` for itself and
    // **all** its parents."
    children: ((s.children ?? []) as FakeSceneNode[]).filter((c) => state(c).visible).map((c) => prepare(c, images)),
  };
}

/** `top` over `bottom`, premultiplied. */
function over(bottom: Premul, top: Premul): void {
  const k = 1 - top[3];
  bottom[0] = top[0] + bottom[0] * k;
  bottom[1] = top[1] + bottom[1] * k;
  bottom[2] = top[2] + bottom[2] * k;
  bottom[3] = top[3] + bottom[3] * k;
}

function colorAt(d: Drawable, px: number, py: number): Premul {
  const out: Premul = [0, 0, 0, 0];
  const { x, y } = apply(d.inv, px, py);
  if (d.shape) {
    for (const sh of d.shadows) {
      const qx = x - sh.dx;
      const qy = y - sh.dy;
      const k = inside(d.shape, d.w, d.h, qx, qy, sh.spread)
        ? 1
        : sh.radius > 0
          ? Math.max(0, 1 - distanceOutside(d.shape, d.w, d.h, qx, qy, sh.spread) / sh.radius)
          : 0;
      if (k > 0) over(out, [sh.color[0] * k, sh.color[1] * k, sh.color[2] * k, sh.color[3] * k]);
    }
    if (inside(d.shape, d.w, d.h, x, y, 0))
      for (const fill of d.fills) {
        const c = fill(x, y);
        if (c) over(out, c);
      }
  }
  if (d.children.length > 0 && (!d.clip || inside("rect", d.w, d.h, x, y, 0))) for (const child of d.children) over(out, colorAt(child, px, py));
  if (d.shape && d.strokes.length > 0 && inside(d.shape, d.w, d.h, x, y, d.outer) && !inside(d.shape, d.w, d.h, x, y, -d.inner))
    for (const stroke of d.strokes) {
      const c = stroke(x, y);
      if (c) over(out, c);
    }
  if (d.opacity !== 1) for (let i = 0; i < 4; i++) out[i] = out[i]! * d.opacity;
  return out;
}

/**
 * Renders `node` (drawn even if it is itself hidden; its hidden descendants are not) into `width` x
 * `height` pixels covering `box` (absolute coordinates). Output pixel (i, j) shows the point at its centre.
 */
export function renderNode(node: FakeSceneNode, box: Rect, width: number, height: number, images: ImageStore): RgbaImage {
  const root = prepare(node, images);
  const data = new Uint8Array(width * height * 4);
  const sx = box.width / width;
  const sy = box.height / height;
  for (let j = 0; j < height; j++)
    for (let i = 0; i < width; i++) {
      const [r, g, b, a] = colorAt(root, box.x + (i + 0.5) * sx, box.y + (j + 0.5) * sy);
      const at = (j * width + i) * 4;
      const alpha = Math.round(a * 255);
      if (alpha > 0) {
        data[at] = Math.round((r / a) * 255);
        data[at + 1] = Math.round((g / a) * 255);
        data[at + 2] = Math.round((b / a) * 255);
      }
      data[at + 3] = alpha;
    }
  return { width, height, data };
}
