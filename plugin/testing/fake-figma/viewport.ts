// figma.viewport (plugin-api.d.ts, ViewportAPI): where the user is looking. scrollAndZoomIntoView is
// recorded (node ids) and, as in Figma ("Automatically sets the viewport coordinates such that the nodes
// are visible on screen"), centres the view on the nodes.
import { absoluteBox } from "./geometry.ts";
import { checkOpen, INTERNAL, PRIVATE, type Doc } from "./internal.ts";
import { union } from "./matrix.ts";
import type { FakeBaseNode, FakeSceneNode, Named } from "./nodes/types.ts";

export class FakeViewport implements Pick<ViewportAPI, "center" | "zoom">, Named<ViewportAPI, "scrollAndZoomIntoView"> {
  readonly [PRIVATE]: { doc: Doc; center: Vector; zoom: number };

  constructor(doc: Doc, center: Vector) {
    this[PRIVATE] = { doc, center: { x: center.x, y: center.y }, zoom: 1 };
  }

  /** plugin-api.d.ts, ViewportAPI.center: "Center of the the current page that is currently visible on screen." */
  get center(): Vector {
    return { ...this[PRIVATE].center };
  }
  set center(value: Vector) {
    checkOpen(this[PRIVATE].doc, "set_center");
    if (!Number.isFinite(value?.x) || !Number.isFinite(value?.y)) throw new Error(`in set_center: Expected "center" to have type Vector`);
    this[PRIVATE].center = { x: value.x, y: value.y };
  }

  /** plugin-api.d.ts, ViewportAPI.zoom: "A value of 1.0 means 100% zoom". */
  get zoom(): number {
    return this[PRIVATE].zoom;
  }
  set zoom(value: number) {
    checkOpen(this[PRIVATE].doc, "set_zoom");
    if (!(value > 0)) throw new Error(`in set_zoom: Expected "zoom" to be a positive number`);
    this[PRIVATE].zoom = value;
  }

  scrollAndZoomIntoView(nodes: readonly FakeBaseNode[]): void {
    const s = this[PRIVATE];
    checkOpen(s.doc, "scrollAndZoomIntoView");
    if (!Array.isArray(nodes)) throw new Error(`in scrollAndZoomIntoView: Expected "nodes" to have type array`);
    const ids: string[] = [];
    let box: Rect | null = null;
    for (const node of nodes) {
      if (node === null || typeof node !== "object" || !(INTERNAL in node)) throw new Error("in scrollAndZoomIntoView: Expected every item to be a node");
      ids.push(node.id);
      if (node.type !== "PAGE" && node.type !== "DOCUMENT") box = union(box, absoluteBox(node as FakeSceneNode));
    }
    s.doc.records.scrolledTo.push(ids);
    if (box) s.center = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  }
}
