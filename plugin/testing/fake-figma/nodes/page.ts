// PAGE and DOCUMENT (plugin-api.d.ts, PageNode and DocumentNode). Pages are the coordinate space of their
// top-level nodes, keep their own selection, and under "documentAccess": "dynamic-page" must be loaded
// before their children can be read or changed.
import { childrenOf, findAll, findChild, findChildren, findOne } from "../container.ts";
import { frozenList } from "../freeze.ts";
import { state, type Doc } from "../internal.ts";
import { readSelection, writeSelection } from "../selection.ts";
import { insertChild } from "../tree.ts";
import { FakeNodeBase } from "./base.ts";
import type { BaseKeys, BaseNamed, ChildrenNamed, FakeSceneNode, Named } from "./types.ts";

export class FakePage extends FakeNodeBase implements Pick<PageNode, BaseKeys | "type" | "loadAsync">, Named<PageNode, BaseNamed | ChildrenNamed | "selection"> {
  readonly type = "PAGE";

  constructor(doc: Doc, id: string, name: string, loaded: boolean) {
    super(doc, id, name, true);
    state(this).loaded = loaded;
  }

  get selection(): readonly FakeSceneNode[] {
    return readSelection(this);
  }
  set selection(nodes: readonly FakeSceneNode[]) {
    writeSelection(this, nodes);
  }

  /** plugin-api.d.ts, PageNode.loadAsync: "Loads the contents of the page node." */
  async loadAsync(): Promise<void> {
    state(this).loaded = true;
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

/** plugin-api.d.ts, DocumentNode: "For `DocumentNode`s, children are always PageNodes." */
export class FakeDocumentNode extends FakeNodeBase implements Pick<DocumentNode, "id" | "name" | "type" | "toString">, Named<DocumentNode, "parent" | "children"> {
  readonly type = "DOCUMENT";

  constructor(doc: Doc, name: string) {
    super(doc, "0:0", name, true);
  }

  get children(): readonly FakePage[] {
    return frozenList((state(this).children ?? []) as unknown as FakePage[]);
  }
}
