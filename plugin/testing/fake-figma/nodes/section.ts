// SECTION (plugin-api.d.ts, SectionNode): a container with its own coordinate space and paints, but no
// rotation, opacity, effects or clipping (it has none of LayoutMixin or BlendMixin).
import { childrenOf, findAll, findChild, findChildren, findOne } from "../container.ts";
import { BLANK, newId, state, type Doc, type StrokeAlign } from "../internal.ts";
import { insertChild } from "../tree.ts";
import { readPaints, writePaints, writeStrokeAlign, writeStrokeWeight } from "./layer.ts";
import { FakeSceneBase } from "./scene.ts";
import type { ChildrenNamed, FakeSceneNode, Named, PaintKeys, SceneKeys, SceneNamed } from "./types.ts";

export class FakeSection extends FakeSceneBase implements Pick<SectionNode, SceneKeys | PaintKeys | "type">, Named<SectionNode, SceneNamed | ChildrenNamed> {
  readonly type = "SECTION";

  /** Sizes and paints of a new section are not documented; the fake uses 100x100 and a white fill. */
  constructor(doc: Doc, id = newId(doc)) {
    super(doc, id, "Section", true);
    state(this).fills = Object.freeze([Object.freeze({ type: "SOLID", color: Object.freeze({ r: 1, g: 1, b: 1 }) }) as SolidPaint]);
  }

  [BLANK](id?: string): FakeSection {
    return new FakeSection(state(this).doc, id);
  }

  get fills(): readonly Paint[] {
    return readPaints(this, "fills");
  }
  set fills(value: readonly Paint[] | PluginAPI["mixed"]) {
    writePaints(this, "fills", value);
  }
  get strokes(): readonly Paint[] {
    return readPaints(this, "strokes");
  }
  set strokes(value: readonly Paint[]) {
    writePaints(this, "strokes", value);
  }
  get strokeWeight(): number {
    return state(this).strokeWeight;
  }
  set strokeWeight(value: number) {
    writeStrokeWeight(this, value);
  }
  get strokeAlign(): StrokeAlign {
    return state(this).strokeAlign;
  }
  set strokeAlign(value: StrokeAlign) {
    writeStrokeAlign(this, value);
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
