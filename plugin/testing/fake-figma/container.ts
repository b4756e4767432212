// ChildrenMixin reads, shared by every node that has children. plugin-api.d.ts, ChildrenMixin.children:
// "calling this property always returns a new array, and both the property and the new array are read-only."
import { frozenList } from "./freeze.ts";
import { state } from "./internal.ts";
import type { FakeBaseNode, FakeParentNode, FakeSceneNode } from "./nodes/types.ts";
import { requireLoaded } from "./tree.ts";

type Test = (node: FakeSceneNode) => boolean;

function liveChildren(parent: FakeParentNode): FakeSceneNode[] {
  requireLoaded(parent);
  return (state(parent).children ?? []) as FakeSceneNode[];
}

export const childrenOf = (parent: FakeParentNode): readonly FakeSceneNode[] => frozenList(liveChildren(parent));

export const findChildren = (parent: FakeParentNode, test?: Test): FakeSceneNode[] => liveChildren(parent).filter((n) => !test || test(n));

export const findChild = (parent: FakeParentNode, test: Test): FakeSceneNode | null => liveChildren(parent).find(test) ?? null;

/** plugin-api.d.ts, ChildrenMixin.findAll: pre-order, "the node this method is called on is **not included**". */
export function findAll(parent: FakeParentNode, test?: Test): FakeSceneNode[] {
  const out: FakeSceneNode[] = [];
  const walk = (node: FakeBaseNode) => {
    for (const child of (state(node).children ?? []) as FakeSceneNode[]) {
      if (!test || test(child)) out.push(child);
      walk(child);
    }
  };
  requireLoaded(parent);
  walk(parent);
  return out;
}

export const findOne = (parent: FakeParentNode, test: Test): FakeSceneNode | null => findAll(parent, test)[0] ?? null;
