// Moving and removing nodes, under Figma's reparenting rules.
// developers.figma.com/docs/plugins/api/properties/nodes-appendchild (and nodes-insertchild) list the
// errors "Reparenting nodes is subject to"; the ones that apply to the node types the fake has are enforced
// here with Figma's text, prefixed "in appendChild:"/"in insertChild:" as Figma's errors are
// (developers.figma.com/docs/plugins/api/api-errors).
import { hasAncestorOfType, isInside, subtree } from "./ancestry.ts";
import { checkAlive, INTERNAL, state, touch } from "./internal.ts";
import type { FakePage } from "./nodes/page.ts";
import type { FakeBaseNode, FakeParentNode, FakeSceneNode } from "./nodes/types.ts";
import { watchSelection } from "./selection.ts";

/**
 * developers.figma.com/docs/plugins/api/api-errors, "Calling a method on an unloaded page": under
 * "documentAccess": "dynamic-page" a page's children need `await page.loadAsync()` first (plugin-api.d.ts,
 * ChildrenMixin.children says the same).
 */
export function requireLoaded(node: FakeParentNode | FakeBaseNode): void {
  if (node.type === "PAGE" && !state(node).loaded)
    throw new Error(
      "Cannot access children on a page that has not been explicitly loaded. Remember to call `await page.loadAsync()` or `await figma.loadAllPagesAsync()` first.",
    );
}

const isNode = (value: unknown): value is FakeBaseNode => value !== null && typeof value === "object" && INTERNAL in value;

const containsType = (node: FakeBaseNode, type: FakeBaseNode["type"]) => subtree(node).some((n) => n.type === type);

/** Whether moving `child` under `parent` would put an instance inside its own main component. */
function createsComponentCycle(parent: FakeParentNode, child: FakeBaseNode): boolean {
  const components = [parent, ...ancestors(parent)].filter((n) => n.type === "COMPONENT");
  return subtree(child).some((n) => {
    const main = n.type === "INSTANCE" ? state(n).mainComponent : null;
    return main !== null && components.some((c) => c === main);
  });
}

function ancestors(node: FakeBaseNode | FakeParentNode): FakeParentNode[] {
  const out: FakeParentNode[] = [];
  for (let at = state(node).parent; at; at = state(at).parent) out.push(at);
  return out;
}

export function checkMove(parent: FakeParentNode, child: FakeBaseNode, op: string): void {
  const fail = (why: string) => {
    throw new Error(`in ${op}: Cannot move node. ${why}`);
  };
  if (child.type === "DOCUMENT") fail("Node is the scene root, which cannot be reparented");
  if (parent === child || isInside(parent, child)) fail("Doing so would create a parenting cycle");
  if (parent.type === "DOCUMENT" && child.type !== "PAGE") fail("The root node cannot have children of type other than PAGE");
  if (child.type === "PAGE" && parent.type !== "DOCUMENT") fail("Nodes other than the root node cannot have children of type PAGE");
  if (parent.type === "INSTANCE" || hasAncestorOfType(parent, "INSTANCE")) fail("New parent is an instance or is inside of an instance");
  if (hasAncestorOfType(child, "INSTANCE")) fail("Node is inside of an instance");
  if (createsComponentCycle(parent, child)) fail("Reparenting would create a component cycle");
  if (containsType(child, "COMPONENT") && (parent.type === "COMPONENT" || hasAncestorOfType(parent, "COMPONENT")))
    fail("Reparenting would create a component inside a component");
}

function detach(node: FakeBaseNode): FakeParentNode | null {
  const s = state(node);
  const parent = s.parent;
  if (parent) {
    const siblings = state(parent).children as FakeBaseNode[];
    siblings.splice(siblings.indexOf(node), 1);
  }
  s.parent = null;
  return parent;
}

/**
 * plugin-api.d.ts, BaseNodeMixin.removed: a node is removed when "You removed all children out of a group,
 * and the group auto-deleted itself" (Figma has no empty groups: PluginAPI.group).
 */
function dropIfEmptyGroup(node: FakeParentNode | null): void {
  if (node && node.type === "GROUP" && !state(node).removed && (state(node).children ?? []).length === 0) removeNode(node);
}

/**
 * appendChild (index undefined) and insertChild. plugin-api.d.ts, ChildrenMixin.insertChild: inserting past
 * the end "throws an error". A node already in `parent` is taken out first, then inserted at `index` of the
 * remaining list. The node keeps its relativeTransform (plugin-api.d.ts, PluginAPI.group: "The method
 * `.appendChild` preserves the *relative* position of a node").
 */
export function insertChild(parent: FakeParentNode, child: unknown, index: number | undefined, op: "appendChild" | "insertChild" | "group"): void {
  const ps = state(parent);
  checkAlive(ps, op);
  if (!isNode(child)) throw new Error(`in ${op}: Expected "child" to have type node but got ${child === null ? "null" : typeof child} instead`);
  checkAlive(state(child), op);
  requireLoaded(parent);
  const siblings = ps.children as FakeBaseNode[];
  if (index !== undefined && (!Number.isInteger(index) || index < 0 || index > siblings.length))
    throw new Error(`in ${op}: Cannot insert node at index greater than the number of existing siblings`);
  checkMove(parent, child, op);
  watchSelection(ps.doc, () => {
    const old = detach(child);
    siblings.splice(index === undefined ? siblings.length : Math.min(index, siblings.length), 0, child);
    state(child).parent = parent;
    touch(state(child));
    if (old !== parent) dropIfEmptyGroup(old);
  });
}

/** plugin-api.d.ts, BaseNodeMixin.remove: "Removes this node and **all of its children** from the document." */
export function removeNode(node: FakeSceneNode | FakePage): void {
  const s = state(node);
  checkAlive(s, "remove");
  // Not modelled: Figma's rules for deleting pages (a document keeps at least one) and the root.
  if (node.type === "PAGE" || (node.type as string) === "DOCUMENT") throw new Error(`fake-figma: removing a ${node.type} node is not modelled`);
  watchSelection(s.doc, () => {
    const parent = detach(node);
    for (const n of subtree(node)) state(n).removed = true;
    s.doc.undo.noteRemoved(s.id);
    dropIfEmptyGroup(parent);
  });
}

/** Puts a node made by the fake (a create* call, a clone, an instance) into `parent` without the checks. */
export function place(node: FakeSceneNode, parent: FakeParentNode, index?: number): void {
  const siblings = state(parent).children as FakeBaseNode[];
  siblings.splice(index === undefined ? siblings.length : index, 0, node);
  state(node).parent = parent;
}
