// The bytes a job sends: one of the selected images (its fill's original bytes, else the node rendered as
// PNG), a mask of the same pixel size (white where the shape drawn over that image covers it, black elsewhere) and
// relight references by node id.
//
// The mask is rendered by Figma itself: a temporary black frame holding a white copy of the shape, placed so
// that the frame's own coordinates are the image's. For a fill, that is the area the image covers inside
// its node (for a cropped or fitted fill, not the layer's box) turned, flipped and scaled as the node is; for
// a rendered node, its axis-aligned bounds, since exportAsync draws a turned node upright in a bigger box.
// The frame itself stays upright (a turned frame would export turned, in a bigger box of its own), and is
// exported at the image's pixel width: so any shape Figma can draw masks exactly the pixels the designer
// sees it cover, and nothing of it stays on the canvas.
import type { ExportedImage, PluginToUI, UIToPlugin } from "../core/messages.ts";
import { REFERENCE_PARTS } from "../core/messages.ts";
import type { FigmaPort, PortNode } from "./figma-port.ts";
import { imageBoxInNode, invert, multiply, translate } from "./geometry.ts";
import { isJpeg, isPng, owned, pngSize } from "./png.ts";
import { findImages, MAX_SIDE, renderBox, renderSize, SELECT_IMAGE_AND_SHAPE, topImagePaint } from "./selection.ts";

export type ExportImageRequest = Extract<UIToPlugin, { type: "export-image" }>;
export type Exported = Omit<Extract<PluginToUI, { type: "exported" }>, "type" | "requestId">;

const BLACK: SolidPaint = { type: "SOLID", color: { r: 0, g: 0, b: 0 } };
const WHITE: SolidPaint = { type: "SOLID", color: { r: 1, g: 1, b: 1 } };

interface Source extends ExportedImage {
  /** Maps the image's area (0..width, 0..height in canvas units) onto the canvas. */
  area: { transform: Transform; width: number; height: number };
}

/** A node's image: the fill's original bytes when they are PNG or JPEG (what the proxy reads), else rendered. */
export async function imageOf(port: FigmaPort, node: PortNode): Promise<Source> {
  const paint = topImagePaint(node, port.mixed);
  const stored = paint?.imageHash ? port.getImageByHash(paint.imageHash) : null;
  if (paint && stored) {
    const [bytes, size] = await Promise.all([stored.getBytesAsync(), stored.getSizeAsync()]);
    if ((isPng(bytes) || isJpeg(bytes)) && size.width <= MAX_SIDE && size.height <= MAX_SIDE) {
      const box = imageBoxInNode(paint, node, size);
      const area = { transform: multiply(node.absoluteTransform, translate(box.x, box.y)), width: box.width, height: box.height };
      return { bytes: owned(bytes), width: size.width, height: size.height, area };
    }
  }
  // The mask shape is never part of this picture: Figma's selection cannot hold a node with one of its
  // children, so the shape is drawn over the node, not in it, and exportAsync draws the node's own layers.
  const box = renderBox(node);
  const bytes = await port.exportPng(node, { type: "WIDTH", value: renderSize(box).width });
  return { bytes: owned(bytes), ...pngSize(bytes), area: { transform: translate(box.x, box.y), width: box.width, height: box.height } };
}

/** White where `shape` covers the image, black elsewhere, at the image's pixel size. */
export async function buildMask(port: FigmaPort, shape: PortNode, image: Source): Promise<ExportedImage> {
  const frame = port.createFrame();
  try {
    frame.name = "Image Studio mask";
    frame.fills = [BLACK];
    frame.clipsContent = true;
    frame.resize(image.area.width, image.area.height);
    // Upright, at the image's corner on the canvas (anywhere would do: only its coordinates matter).
    frame.relativeTransform = translate(image.area.transform[0][2], image.area.transform[1][2]);
    const copy = port.cloneShape(shape);
    port.appendToFrame(frame, copy);
    // The shape as the image's area sees it: the frame's coordinates are the area's.
    copy.relativeTransform = multiply(invert(image.area.transform), shape.absoluteTransform);
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
  const images = findImages(port);
  if (!images) throw new Error("Select an image first");
  if ("problem" in images) throw new Error(images.problem);
  // One of the selection's images (a batch exports each in turn): its own shape is its mask.
  const found = images.find((f) => f.node.id === request.imageId);
  if (!found) throw new Error("The selection changed after the price was shown: check it and try again");
  if (request.mask && !found.shape) throw new Error(images.length === 1 ? SELECT_IMAGE_AND_SHAPE : `Draw a shape over “${found.node.name}” for its mask`);
  const source = await imageOf(port, found.node);
  const { area: _area, ...image } = source;
  const result: Exported = { image };
  if (request.mask && found.shape) result.mask = await buildMask(port, found.shape, source);
  for (const part of REFERENCE_PARTS) {
    const id = request.references[part];
    if (!id) continue;
    const node = await port.getNodeByIdAsync(id);
    if (!node) throw new Error(`The ${part === "lightReference" ? "light" : "background"} reference layer was deleted`);
    const { area: _ref, ...reference } = await imageOf(port, node);
    result[part] = reference;
  }
  return result;
}
