// node.exportAsync. plugin-api.d.ts, ExportMixin.exportAsync: "When this parameter is absent, this function
// defaults to exporting as a PNG at 1x resolution." The picture is the node's axis-aligned box on the page,
// drawn as the canvas shows it (render.ts); by default the box is the node's render bounds, so shadows and
// outside strokes widen it (plugin-api.d.ts, ExportSettingsImage.useAbsoluteBounds: "Use the full dimensions
// of the node regardless of whether or not it is cropped or the space around it is empty"), and with
// useAbsoluteBounds it is exactly absoluteBoundingBox.
import { subtree } from "./ancestry.ts";
import { renderBounds } from "./bounds.ts";
import { absoluteBox } from "./geometry.ts";
import { checkAlive, state } from "./internal.ts";
import type { FakeSceneNode } from "./nodes/types.ts";
import { encodePng } from "./png.ts";
import { renderNode } from "./render.ts";

/** Not a Figma limit: a guard against a test accidentally rendering an enormous picture. */
const MAX_PIXELS = 40_000_000;

/**
 * plugin-api.d.ts, ExportSettingsImage.constraint: "SCALE: The size of the exported image is proportional
 * to the size of the exported layer", "WIDTH: ... scaled to have a fixed width of `value`", "HEIGHT": a
 * fixed height. Sizes are rounded to whole pixels (at least 1).
 */
function outputSize(box: Rect, constraint: ExportSettingsConstraints | undefined): { width: number; height: number } {
  const value = constraint?.value ?? 1;
  // Figma's handling of a zero or negative value is not documented; the fake refuses it.
  if (!(value > 0)) throw new Error(`in exportAsync: the constraint value must be a positive number, got ${value}`);
  const scale = !constraint || constraint.type === "SCALE" ? value : constraint.type === "WIDTH" ? value / box.width : value / box.height;
  return { width: Math.max(1, Math.round(box.width * scale)), height: Math.max(1, Math.round(box.height * scale)) };
}

/**
 * Exporting a node that is itself hidden draws it as if it were visible (its hidden descendants stay
 * undrawn): the fake's choice, since Figma's docs do not say; plugins hide a layer's children, not the layer
 * they export.
 */
export async function exportNode(node: FakeSceneNode, settings?: ExportSettingsImage): Promise<Uint8Array> {
  const s = state(node);
  checkAlive(s, "exportAsync");
  const format = settings?.format ?? "PNG";
  // JPG, SVG, PDF and the video formats are real Figma formats the fake does not encode.
  if (format !== "PNG") throw new Error(`fake-figma: exportAsync with format "${String(format)}" is not modelled (PNG only)`);
  if (settings?.contentsOnly === false) throw new Error("fake-figma: exportAsync with contentsOnly: false is not modelled");
  const box = settings?.useAbsoluteBounds ? absoluteBox(node) : renderBounds(node, true);
  if (!box || box.width <= 0 || box.height <= 0) throw new Error(`fake-figma: node ${s.id} has nothing to export`);
  const { width, height } = outputSize(box, settings?.constraint);
  if (width * height > MAX_PIXELS) throw new Error(`fake-figma: refusing to render ${width}x${height} pixels`);
  const image = renderNode(node, box, width, height, s.doc.images);
  s.doc.records.exports.push({
    nodeId: s.id,
    settings: settings ? JSON.parse(JSON.stringify(settings)) : undefined,
    width,
    height,
    hiddenIds: subtree(node)
      .filter((n) => n !== node && !state(n).visible)
      .map((n) => n.id),
  });
  return encodePng(image);
}
