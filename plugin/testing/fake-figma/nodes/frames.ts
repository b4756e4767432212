// FRAME, COMPONENT and INSTANCE (plugin-api.d.ts, FrameNode, ComponentNode, InstanceNode): containers with
// their own coordinate space, paints, clipping, and (instances) a main component whose layers they mirror.
import { findAll, findChild, findChildren, findOne, childrenOf } from "../container.ts";
import { expectType } from "../checks.ts";
import { BLANK, checkAlive, newId, state, touch, type Doc } from "../internal.ts";
import { insertChild, place } from "../tree.ts";
import { FakeGeometryBase } from "./layer.ts";
import { duplicate } from "./scene.ts";
import type { ChildrenNamed, FakeFrameLike, FakeSceneNode, FrameKeys, Named, SceneNamed } from "./types.ts";

abstract class FakeFrameBase extends FakeGeometryBase {
  constructor(doc: Doc, id: string, name: string) {
    super(doc, id, name, true);
    const s = state(this);
    // plugin-api.d.ts, PluginAPI.createFrame: "By default, the new node has a white background, width and
    // height both at 100". New frames clip their content, as in the editor (not stated in the typings).
    s.fills = Object.freeze([Object.freeze({ type: "SOLID", color: Object.freeze({ r: 1, g: 1, b: 1 }) }) as SolidPaint]);
    s.clipsContent = true;
  }

  /** plugin-api.d.ts, BaseFrameMixin.clipsContent: "Whether the frame clips its contents." */
  get clipsContent(): boolean {
    return state(this).clipsContent;
  }
  set clipsContent(value: boolean) {
    const s = state(this);
    checkAlive(s, "set_clipsContent");
    expectType("set_clipsContent", "clipsContent", value, "boolean");
    s.clipsContent = value;
    touch(s);
  }

  /**
   * plugin-api.d.ts, AutoLayoutMixin.layoutMode. Stored only: the fake does not lay children out, but x/y
   * and relativeTransform writes to children of an auto-layout frame behave as Figma documents (geometry.ts).
   */
  get layoutMode(): FrameNode["layoutMode"] {
    return state(this).layoutMode;
  }
  set layoutMode(value: FrameNode["layoutMode"]) {
    const s = state(this);
    checkAlive(s, "set_layoutMode");
    if (!["NONE", "HORIZONTAL", "VERTICAL", "GRID"].includes(value)) throw new Error(`in set_layoutMode: Invalid value "${String(value)}"`);
    s.layoutMode = value;
    touch(s);
  }

  get children(): readonly FakeSceneNode[] {
    return childrenOf(this as unknown as FakeFrameLike);
  }
  appendChild(child: FakeSceneNode): void {
    insertChild(this as unknown as FakeFrameLike, child, undefined, "appendChild");
  }
  insertChild(index: number, child: FakeSceneNode): void {
    insertChild(this as unknown as FakeFrameLike, child, index, "insertChild");
  }
  findAll(test?: (node: FakeSceneNode) => boolean): FakeSceneNode[] {
    return findAll(this as unknown as FakeFrameLike, test);
  }
  findOne(test: (node: FakeSceneNode) => boolean): FakeSceneNode | null {
    return findOne(this as unknown as FakeFrameLike, test);
  }
  findChildren(test?: (node: FakeSceneNode) => boolean): FakeSceneNode[] {
    return findChildren(this as unknown as FakeFrameLike, test);
  }
  findChild(test: (node: FakeSceneNode) => boolean): FakeSceneNode | null {
    return findChild(this as unknown as FakeFrameLike, test);
  }
}

export class FakeFrame extends FakeFrameBase implements Pick<FrameNode, FrameKeys | "type">, Named<FrameNode, SceneNamed | ChildrenNamed> {
  readonly type = "FRAME";

  constructor(doc: Doc, id = newId(doc)) {
    super(doc, id, "Frame");
  }

  [BLANK](id?: string): FakeFrame {
    return new FakeFrame(state(this).doc, id);
  }
}

/**
 * plugin-api.d.ts, PluginAPI.createComponent: "the new node has width and height both at 100"; its default
 * paints are not documented (the fake gives it a frame's white fill).
 */
export class FakeComponent extends FakeFrameBase implements Pick<ComponentNode, FrameKeys | "type">, Named<ComponentNode, SceneNamed | ChildrenNamed | "createInstance"> {
  readonly type = "COMPONENT";

  constructor(doc: Doc, id = newId(doc)) {
    super(doc, id, "Component");
  }

  [BLANK](id?: string): FakeComponent {
    return new FakeComponent(state(this).doc, id);
  }

  /**
   * plugin-api.d.ts, ComponentNode.createInstance: "By default, the instance will be parented under
   * `figma.currentPage`." Its layers are copies of the component's, with instance-style ids ("I<instance
   * id>;<layer id>"). Later edits to the component do not propagate in the fake.
   */
  createInstance(): FakeInstance {
    const s = state(this);
    checkAlive(s, "createInstance");
    const instance = new FakeInstance(s.doc);
    const is = state(instance);
    is.name = s.name;
    is.width = s.width;
    is.height = s.height;
    is.fills = s.fills;
    is.strokes = s.strokes;
    is.strokeWeight = s.strokeWeight;
    is.strokeAlign = s.strokeAlign;
    is.effects = s.effects;
    is.opacity = s.opacity;
    is.clipsContent = s.clipsContent;
    is.layoutMode = s.layoutMode;
    is.mainComponent = this;
    for (const child of (s.children ?? []) as FakeSceneNode[]) place(duplicate(child, (layer) => `I${instance.id};${layer.id}`), instance);
    place(instance, s.doc.currentPage);
    s.doc.undo.noteCreated(instance.id);
    return instance;
  }
}

export class FakeInstance extends FakeFrameBase implements Pick<InstanceNode, FrameKeys | "type">, Named<InstanceNode, SceneNamed | ChildrenNamed | "mainComponent" | "getMainComponentAsync"> {
  readonly type = "INSTANCE";

  constructor(doc: Doc, id = newId(doc)) {
    super(doc, id, "Instance");
  }

  [BLANK](id?: string): FakeInstance {
    return new FakeInstance(state(this).doc, id);
  }

  /**
   * plugin-api.d.ts, InstanceNode.mainComponent: "If the plugin manifest contains `"documentAccess":
   * "dynamic-page"`, this property is **write-only**. Use InstanceNode.getMainComponentAsync to read the
   * value." The error follows the documented dynamic-page pattern (developers.figma.com/docs/plugins/api/
   * api-errors); its exact wording for this property is not documented. Setting it (a swap) is not modelled.
   */
  get mainComponent(): FakeComponent | null {
    const s = state(this);
    if (s.doc.access === "dynamic-page")
      throw new Error("in get_mainComponent: Cannot call with documentAccess: dynamic-page. Use node.getMainComponentAsync instead.");
    return s.mainComponent;
  }

  async getMainComponentAsync(): Promise<FakeComponent | null> {
    const main = state(this).mainComponent;
    return main && !state(main).removed ? main : null;
  }
}
