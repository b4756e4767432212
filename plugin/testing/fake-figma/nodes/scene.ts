// What every scene node has (plugin-api.d.ts, SceneNodeMixin and DimensionAndPositionMixin): visibility,
// position and size, transforms, export, clone.
import { expectType } from "../checks.ts";
import { exportNode } from "../export.ts";
import { absoluteBox, absoluteOf, relativeOf, setPosition, setRelative, sizeOf } from "../geometry.ts";
import { BLANK, checkAlive, state, touch, type Doc } from "../internal.ts";
import { copyTransform } from "../matrix.ts";
import { place } from "../tree.ts";
import { FakeNodeBase } from "./base.ts";
import type { FakeParentNode, FakeSceneNode } from "./types.ts";

/** A deep copy of a node and its children, detached; `idOf` names the copies (instances derive theirs). */
export function duplicate(node: FakeSceneNode, idOf?: (original: FakeSceneNode) => string): FakeSceneNode {
  const copy = node[BLANK](idOf?.(node));
  const from = state(node);
  const to = state(copy);
  to.name = from.name;
  to.visible = from.visible;
  to.rt = copyTransform(from.rt);
  to.width = from.width;
  to.height = from.height;
  to.opacity = from.opacity;
  to.effects = from.effects;
  to.fills = from.fills;
  to.strokes = from.strokes;
  to.strokeWeight = from.strokeWeight;
  to.strokeAlign = from.strokeAlign;
  to.clipsContent = from.clipsContent;
  to.layoutMode = from.layoutMode;
  to.mainComponent = from.mainComponent;
  for (const [k, v] of from.pluginData) to.pluginData.set(k, v);
  to.relaunch = { ...from.relaunch };
  for (const child of from.children ?? []) place(duplicate(child, idOf), copy as FakeParentNode);
  return copy;
}

/** The concrete node behind a base-class `this` (every subclass is one of the FakeSceneNode classes). */
export const scene = (node: FakeSceneBase) => node as unknown as FakeSceneNode;

export abstract class FakeSceneBase extends FakeNodeBase {
  abstract readonly type: FakeSceneNode["type"];

  constructor(doc: Doc, id: string, name: string, container: boolean) {
    super(doc, id, name, container);
  }

  /** Makes an empty node of this class (for clone and createInstance). */
  abstract [BLANK](id?: string): FakeSceneNode;

  /**
   * plugin-api.d.ts, SceneNodeMixin.visible: "The value that this property returns is independent from the
   * node's parent."
   */
  get visible(): boolean {
    return state(this).visible;
  }
  set visible(value: boolean) {
    const s = state(this);
    checkAlive(s, "set_visible");
    expectType("set_visible", "visible", value, "boolean");
    s.visible = value;
    touch(s);
  }

  get x(): number {
    return relativeOf(scene(this))[0][2];
  }
  set x(value: number) {
    setPosition(scene(this), "x", value);
  }

  get y(): number {
    return relativeOf(scene(this))[1][2];
  }
  set y(value: number) {
    setPosition(scene(this), "y", value);
  }

  /** plugin-api.d.ts, DimensionAndPositionMixin.width: "Use a resizing method to change this value." */
  get width(): number {
    return sizeOf(scene(this)).width;
  }
  get height(): number {
    return sizeOf(scene(this)).height;
  }

  /** A fresh copy each read, so editing the returned arrays changes nothing. */
  get relativeTransform(): Transform {
    return relativeOf(scene(this));
  }
  set relativeTransform(value: Transform) {
    setRelative(scene(this), value, "set_relativeTransform");
  }

  get absoluteTransform(): Transform {
    return absoluteOf(scene(this));
  }

  /**
   * plugin-api.d.ts, DimensionAndPositionMixin.absoluteBoundingBox: "The bounds of the node that does not
   * include rendered properties like drop shadows or strokes", on the page.
   */
  get absoluteBoundingBox(): Rect | null {
    return absoluteBox(scene(this));
  }

  /**
   * plugin-api.d.ts, LayoutMixin.resize: "width - New width of the node. Must be >= 0.01" (and height). The
   * wording of the error is not documented. Constraints and auto layout do not move or resize other nodes in
   * the fake.
   */
  resize(width: number, height: number): void {
    const s = state(this);
    checkAlive(s, "resize");
    if (this.type === "GROUP") throw new Error("fake-figma: resizing a group (which scales its children) is not modelled");
    for (const [name, value] of [["width", width], ["height", height]] as const) {
      expectType("resize", name, value, "number");
      if (value < 0.01) throw new Error(`in resize: Expected "${name}" to have value >= 0.01`);
    }
    s.width = width;
    s.height = height;
    touch(s);
  }

  /** plugin-api.d.ts, ExportMixin.exportAsync; see export.ts. */
  exportAsync(settings?: ExportSettingsImage): Promise<Uint8Array> {
    return exportNode(scene(this), settings);
  }

  /**
   * plugin-api.d.ts, e.g. RectangleNode.clone: "By default, the duplicate will be parented under
   * `figma.currentPage`". The fake follows the typings (the editor's Duplicate puts it beside the original;
   * the API is documented otherwise), so code that relies on the parent must append the copy itself.
   * Plugin data and relaunch data are copied.
   */
  clone(): this {
    const s = state(this);
    checkAlive(s, "clone");
    const copy = duplicate(scene(this));
    place(copy, s.doc.currentPage);
    s.doc.undo.noteCreated(copy.id);
    return copy as unknown as this;
  }
}
