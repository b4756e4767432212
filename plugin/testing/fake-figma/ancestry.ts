// Walking up the tree: which page a node is on, and whether it sits inside another node or an instance.
import { state } from "./internal.ts";
import type { FakePage } from "./nodes/page.ts";
import type { FakeBaseNode, FakeParentNode } from "./nodes/types.ts";

export function pageOf(node: FakeBaseNode): FakePage | null {
  let at: FakeBaseNode | FakeParentNode | null = node;
  while (at && at.type !== "PAGE") at = state(at).parent;
  return at;
}

/** Whether `ancestor` is a proper ancestor of `node`. */
export function isInside(node: FakeBaseNode, ancestor: FakeBaseNode): boolean {
  for (let at = state(node).parent; at; at = state(at).parent) if (at === ancestor) return true;
  return false;
}

/** Whether a proper ancestor of `node` has the given type. */
export function hasAncestorOfType(node: FakeBaseNode, type: FakeBaseNode["type"]): boolean {
  for (let at = state(node).parent; at; at = state(at).parent) if (at.type === type) return true;
  return false;
}

/** The node and all its descendants, parents first. */
export function subtree(node: FakeBaseNode): FakeBaseNode[] {
  const out: FakeBaseNode[] = [node];
  for (const child of state(node).children ?? []) out.push(...subtree(child));
  return out;
}
