// Type-level glue: the unions of the fake's node classes, and the lists of Figma property names each class
// implements. Every class `implements Pick<FigmaType, Keys>`, so a name or type Figma drops or changes in
// @figma/plugin-typings breaks the fake's compile instead of letting it drift.
import type { FakeComponent, FakeFrame, FakeInstance } from "./frames.ts";
import type { FakeGroup } from "./group.ts";
import type { FakeDocumentNode, FakePage } from "./page.ts";
import type { FakeSection } from "./section.ts";
import type { FakeEllipse, FakeRectangle } from "./shapes.ts";

export type FakeFrameLike = FakeFrame | FakeComponent | FakeInstance;
export type FakeSceneNode = FakeRectangle | FakeEllipse | FakeFrameLike | FakeGroup | FakeSection;
export type FakeParentNode = FakeDocumentNode | FakePage | FakeFrameLike | FakeGroup | FakeSection;
export type FakeBaseNode = FakeDocumentNode | FakePage | FakeSceneNode;

/**
 * Members whose Figma types name Figma's own node unions (parent, children, clone...). The fake returns its
 * own classes there, so only the member's name is checked against the typings.
 */
export type Named<T, K extends keyof T> = { readonly [P in K]: unknown };

/** BaseNodeMixin and PluginDataMixin members every node has. */
export type BaseKeys =
  | "id"
  | "name"
  | "removed"
  | "remove"
  | "toString"
  | "getPluginData"
  | "setPluginData"
  | "getPluginDataKeys"
  | "getRelaunchData"
  | "setRelaunchData";
export type BaseNamed = "parent";

/** SceneNodeMixin and DimensionAndPositionMixin (every scene node, sections included). */
export type SceneKeys = BaseKeys | "visible" | "x" | "y" | "width" | "height" | "relativeTransform" | "absoluteTransform" | "absoluteBoundingBox" | "resize";
export type SceneNamed = BaseNamed | "clone" | "exportAsync";

/** LayoutMixin and BlendMixin: what rotates, fades and casts shadows (not sections). */
export type LayerKeys = SceneKeys | "rotation" | "absoluteRenderBounds" | "opacity" | "effects";

/** MinimalFillsMixin and MinimalStrokesMixin: what has its own paints. */
export type PaintKeys = "fills" | "strokes" | "strokeWeight" | "strokeAlign";
export type GeometryKeys = LayerKeys | PaintKeys;

export type FrameKeys = GeometryKeys | "clipsContent" | "layoutMode";

/** ChildrenMixin. */
export type ChildrenNamed = "children" | "appendChild" | "insertChild" | "findAll" | "findOne" | "findChildren" | "findChild";
