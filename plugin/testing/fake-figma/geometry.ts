// Where nodes are. plugin-api.d.ts, DimensionAndPositionMixin.relativeTransform ("Container parent"): "The
// relative transform of a node is shown relative to its container parent, which includes canvas nodes,
// frame nodes, component nodes, and instance nodes. Just like in the properties panel, it is **not**
// relative to its direct parent if the parent is a group or a boolean operation." Sections establish their
// own space too (their children move with them). Groups have no space of their own: "groups and boolean
// operations automatically resize to fit their children", so a group's transform and size are derived from
// its children's boxes.
import { hasAncestorOfType } from "./ancestry.ts";
import { checkAlive, state, touch } from "./internal.ts";
import { IDENTITY, boxOf, copyTransform, hasUnitAxes, invert, multiply, translation, union } from "./matrix.ts";
import type { FakeParentNode, FakeSceneNode } from "./nodes/types.ts";

const passesThrough = (node: FakeParentNode | FakeSceneNode) => node.type === "GROUP";

/** The box of a node's own rectangle in its container space. */
function boxInContainer(node: FakeSceneNode): Rect {
  const { width, height } = sizeOf(node);
  return boxOf(relativeOf(node), { x: 0, y: 0, width, height });
}

/** A group's box in its container space: the union of its children's boxes. */
function groupBox(group: FakeSceneNode): Rect {
  const children = state(group).children ?? [];
  let box: Rect | null = null;
  for (const child of children) box = union(box, boxInContainer(child));
  return box ?? { x: 0, y: 0, width: 0, height: 0 };
}

export function relativeOf(node: FakeSceneNode): Transform {
  if (node.type === "GROUP") {
    const box = groupBox(node);
    return translation(box.x, box.y);
  }
  return copyTransform(state(node).rt);
}

export function sizeOf(node: FakeSceneNode): { width: number; height: number } {
  if (node.type === "GROUP") {
    const box = groupBox(node);
    return { width: box.width, height: box.height };
  }
  const s = state(node);
  return { width: s.width, height: s.height };
}

/** The absolute transform of the space a node's relativeTransform is written in. */
export function containerTransform(node: FakeSceneNode): Transform {
  let parent = state(node).parent;
  while (parent && passesThrough(parent)) parent = state(parent).parent;
  if (!parent || parent.type === "PAGE" || parent.type === "DOCUMENT") return IDENTITY;
  return absoluteOf(parent);
}

/** plugin-api.d.ts, DimensionAndPositionMixin.absoluteTransform: "relative to its **containing page**". */
export function absoluteOf(node: FakeSceneNode): Transform {
  return multiply(containerTransform(node), relativeOf(node));
}

/** plugin-api.d.ts, DimensionAndPositionMixin.absoluteBoundingBox: the node's box on the page, without effects. */
export function absoluteBox(node: FakeSceneNode): Rect {
  const { width, height } = sizeOf(node);
  return boxOf(absoluteOf(node), { x: 0, y: 0, width, height });
}

/** Whether the node's parent lays it out (auto layout), which overrides its position. */
function inAutoLayout(node: FakeSceneNode): boolean {
  const parent = state(node).parent;
  return !!parent && state(parent).children !== null && state(parent).layoutMode !== "NONE" && parent.type !== "PAGE";
}

/** Moves every node whose transform lives in the group's container space by `delta`. */
function moveGroupContents(group: FakeSceneNode, delta: Transform): void {
  for (const child of state(group).children ?? []) {
    if (child.type === "GROUP") moveGroupContents(child, delta);
    else {
      const s = state(child);
      s.rt = multiply(delta, s.rt);
      touch(s);
    }
  }
}

export function setRelative(node: FakeSceneNode, m: Transform, op: string): void {
  const s = state(node);
  checkAlive(s, op);
  if (!Array.isArray(m) || m.length !== 2 || !m.every((row) => Array.isArray(row) && row.length === 3 && row.every((v) => Number.isFinite(v))))
    throw new Error(`in ${op}: Expected "relativeTransform" to have type Transform ([[a, c, x], [b, d, y]])`);
  // plugin-api.d.ts, DimensionAndPositionMixin.relativeTransform: "The `relativeTransform` is **not** used
  // for scaling a node. The transform always has unit axes." What Figma does with scaled axes is not
  // documented; the fake refuses them so a plugin cannot rely on scaling through it.
  if (!hasUnitAxes(m)) throw new Error(`in ${op}: relativeTransform must have unit axes (use resize to change a node's size)`);
  // developers.figma.com/docs/plugins/api/api-errors, "Overriding Properties on Instance Nodes": "you can't
  // change the order of children in an instance, or their position", which fails with "This property
  // cannot be overriden on an instance" (Figma's spelling).
  if (hasAncestorOfType(node, "INSTANCE")) throw new Error(`in ${op}: This property cannot be overriden on an instance`);
  let next = copyTransform(m);
  // Same source, "Auto-layout frames": "Setting `relativeTransform` on those layers will ignore the
  // translation components, but do keep the rotation components."
  if (inAutoLayout(node)) {
    const current = relativeOf(node);
    next = [
      [next[0][0], next[0][1], current[0][2]],
      [next[1][0], next[1][1], current[1][2]],
    ];
  }
  if (node.type === "GROUP") {
    // Same source: "While you _can_ set the relative transform of a group to move it, it's a property
    // derived from the position and size of its children." Moving a group moves its children; the fake
    // keeps a group's box axis-aligned in its container space (a rotated group's children turn instead).
    moveGroupContents(node, multiply(next, invert(relativeOf(node))));
  } else {
    s.rt = next;
  }
  touch(s);
}

/** plugin-api.d.ts, DimensionAndPositionMixin.x/y: "Identical to `relativeTransform[0][2]`"; a no-op in auto layout. */
export function setPosition(node: FakeSceneNode, axis: "x" | "y", value: number): void {
  const op = `set_${axis}`;
  checkAlive(state(node), op);
  if (!Number.isFinite(value)) throw new Error(`in ${op}: Expected "${axis}" to have type number but got ${typeof value} instead`);
  // Same source: "Setting this property for these auto-layout children will no-op."
  if (inAutoLayout(node)) return;
  const m = relativeOf(node);
  m[axis === "x" ? 0 : 1][2] = value;
  setRelative(node, m, op);
}
