// RECTANGLE and ELLIPSE (plugin-api.d.ts, RectangleNode and EllipseNode). Corner radii, arcs and other
// shape details are not modelled: a rectangle is its box and an ellipse fills its box.
import { BLANK, newId, state, type Doc } from "../internal.ts";
import { FakeGeometryBase } from "./layer.ts";
import type { GeometryKeys, Named, SceneNamed } from "./types.ts";

/**
 * plugin-api.d.ts, PluginAPI.createRectangle: "By default, the new node has a default fill, width and height
 * both at 100". The editor's default shape fill is #D9D9D9 (the exact paint is not documented).
 */
export const DEFAULT_SHAPE_FILL: SolidPaint = { type: "SOLID", color: { r: 217 / 255, g: 217 / 255, b: 217 / 255 } };

export class FakeRectangle extends FakeGeometryBase implements Pick<RectangleNode, GeometryKeys | "type">, Named<RectangleNode, SceneNamed> {
  readonly type = "RECTANGLE";

  constructor(doc: Doc, id = newId(doc)) {
    super(doc, id, "Rectangle", false);
  }

  [BLANK](id?: string): FakeRectangle {
    return new FakeRectangle(state(this).doc, id);
  }
}

export class FakeEllipse extends FakeGeometryBase implements Pick<EllipseNode, GeometryKeys | "type">, Named<EllipseNode, SceneNamed> {
  readonly type = "ELLIPSE";

  constructor(doc: Doc, id = newId(doc)) {
    super(doc, id, "Ellipse", false);
  }

  [BLANK](id?: string): FakeEllipse {
    return new FakeEllipse(state(this).doc, id);
  }
}
