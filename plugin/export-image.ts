// The bytes a job sends: the selected image (its fill's original bytes, else the node rendered as PNG), a
// mask of the same pixel size (white where the selected shape covers the image, black elsewhere) and
// relight references by node id.
//
// The mask is rendered by Figma itself: a temporary black frame laid exactly over the area the image
// covers (which, for a cropped or fitted fill, is not the layer's box), holding a white copy of the shape
// at the shape's place, exported at the image's pixel width. So any shape Figma can draw (rotated, a pen
// path, a boolean) masks exactly what the designer sees, and nothing of it stays on the canvas.
import type { ExportedImage, PluginToUI, UIToPlugin } from "../core/messages.ts";
import { REFERENCE_PARTS } from "../core/messages.ts";
import type { FigmaPort, PortNode } from "./figma-port.ts";
import { imageBoxInNode, invert, multiply, translate, type Box } from "./geometry.ts";
import { isJpeg, isPng, owned, pngSize } from "./png.ts";
import { findImage, MAX_SIDE, renderSize, SELECT_IMAGE_AND_SHAPE, topImagePaint } from "./selection.ts";

export type ExportImageRequest = Extract<UIToPlugin, { type: "export-image" }>;
export type Exported = Omit<Extract<PluginToUI, { type: "exported" }>, "type" | "requestId">;

const BLACK: SolidPaint = { type: "SOLID", color: { r: 0, g: 0, b: 0 } };
const WHITE: SolidPaint = { type: "SOLID", color: { r: 1, g: 1, b: 1 } };

interface Source extends ExportedImage {
  /** The area of the node the image covers, in the node's coordinates. */
  box: Box;
}

/** A node's image: the fill's original bytes when they are PNG or JPEG (what the proxy reads), else rendered. */
export async function imageOf(port: FigmaPort, node: PortNode, hide?: PortNode): Promise<Source> {
  const paint = topImagePaint(node, port.mixed);
  const stored = paint?.imageHash ? port.getImageByHash(paint.imageHash) : null;
  if (paint && stored) {
    const [bytes, size] = await Promise.all([stored.getBytesAsync(), stored.getSizeAsync()]);
    if ((isPng(bytes) || isJpeg(bytes)) && size.width <= MAX_SIDE && size.height <= MAX_SIDE)
      return { bytes: owned(bytes), width: size.width, height: size.height, box: imageBoxInNode(paint, node, size) };
  }
  // A shape drawn inside a frame is one of its children: keep it out of the frame's picture.
  const visible = hide?.visible;
  if (hide) hide.visible = false;
  let bytes: Uint8Array;
  try {
    bytes = await port.exportPng(node, { type: "WIDTH", value: renderSize(node).width });
  } finally {
    if (hide && visible !== undefined) hide.visible = visible;
  }
  return { bytes: owned(bytes), ...pngSize(bytes), box: { x: 0, y: 0, width: node.width, height: node.height } };
}

/** White where `shape` covers the image of `node`, black elsewhere, at the image's pixel size. */
export async function buildMask(port: FigmaPort, node: PortNode, shape: PortNode, image: Source): Promise<ExportedImage> {
  const frame = port.createFrame();
  try {
    frame.name = "Image Studio mask";
    frame.fills = [BLACK];
    frame.clipsContent = true;
    frame.resize(image.box.width, image.box.height);
    // The frame sits on the page, so its relative transform is absolute: the image's box, turned as the node is.
    const at = multiply(node.absoluteTransform, translate(image.box.x, image.box.y));
    frame.relativeTransform = at;
    const copy = port.cloneShape(shape);
    port.appendToFrame(frame, copy);
    copy.relativeTransform = multiply(invert(at), shape.absoluteTransform);
    copy.fills = [WHITE];
    copy.strokes = copy.strokes.length ? [WHITE] : [];
    copy.effects = [];
    copy.opacity = 1;
    copy.visible = true;
    const bytes = await port.exportPng(frame, { type: "WIDTH", value: image.width });
    const size = pngSize(bytes);
    if (size.width !== image.width || size.height !== image.height)
      throw new Error(`The mask came out ${size.width}×${size.height}, not the image's ${image.width}×${image.height}`);
    return { bytes: owned(bytes), ...size };
  } finally {
    frame.remove();
  }
}

export async function exportForJob(port: FigmaPort, request: ExportImageRequest): Promise<Exported> {
  const found = findImage(port);
  if (!found) throw new Error("Select an image first");
  if ("problem" in found) throw new Error(found.problem);
  if (found.node.id !== request.imageId) throw new Error("The selection changed after the price was shown: check it and try again");
  if (request.mask && !found.shape) throw new Error(SELECT_IMAGE_AND_SHAPE);
  const source = await imageOf(port, found.node, found.shape);
  const { box: _box, ...image } = source;
  const result: Exported = { image };
  if (request.mask && found.shape) result.mask = await buildMask(port, found.node, found.shape, source);
  for (const part of REFERENCE_PARTS) {
    const id = request.references[part];
    if (!id) continue;
    const node = await port.getNodeByIdAsync(id);
    if (!node) throw new Error(`The ${part === "lightReference" ? "light" : "background"} reference layer was deleted`);
    const { box: _ref, ...reference } = await imageOf(port, node);
    result[part] = reference;
  }
  return result;
}
