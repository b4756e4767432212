// GROUP (plugin-api.d.ts, GroupNode): no paints and no coordinate space of its own. Its children's
// transforms are written in the group's container's space, and its position and size are derived from them
// (geometry.ts). Groups are made with figma.group (there is no createGroup) and delete themselves when
// emptied (tree.ts).
import { childrenOf, findAll, findChild, findChildren, findOne } from "../container.ts";
import { BLANK, newId, state, type Doc } from "../internal.ts";
import { insertChild } from "../tree.ts";
import { FakeLayerBase } from "./layer.ts";
import type { ChildrenNamed, FakeSceneNode, LayerKeys, Named, SceneNamed } from "./types.ts";

export class FakeGroup extends FakeLayerBase implements Pick<GroupNode, LayerKeys | "type">, Named<GroupNode, SceneNamed | ChildrenNamed> {
  readonly type = "GROUP";

  constructor(doc: Doc, id = newId(doc)) {
    super(doc, id, "Group", true);
  }

  [BLANK](id?: string): FakeGroup {
    return new FakeGroup(state(this).doc, id);
  }

  get children(): readonly FakeSceneNode[] {
    return childrenOf(this);
  }
  appendChild(child: FakeSceneNode): void {
    insertChild(this, child, undefined, "appendChild");
  }
  insertChild(index: number, child: FakeSceneNode): void {
    insertChild(this, child, index, "insertChild");
  }
  findAll(test?: (node: FakeSceneNode) => boolean): FakeSceneNode[] {
    return findAll(this, test);
  }
  findOne(test: (node: FakeSceneNode) => boolean): FakeSceneNode | null {
    return findOne(this, test);
  }
  findChildren(test?: (node: FakeSceneNode) => boolean): FakeSceneNode[] {
    return findChildren(this, test);
  }
  findChild(test: (node: FakeSceneNode) => boolean): FakeSceneNode | null {
    return findChild(this, test);
  }
}
