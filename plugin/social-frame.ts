// A social result on the canvas: a frame named for its platform format ("Instagram · Story 1080×1920")
// holding the image and, when the format has one, a hidden "Safe zone" layer marking the insets the
// platform's own UI may cover. The zone is a guide, never part of the image or its export.
import type { PlacedFormat, SafeZone } from "../core/messages.ts";
import type { FigmaPort, PortFrame, PortRectangle } from "./figma-port.ts";

/** Plugin data key of a social result's frame: the catalog's format id. */
export const FORMAT_KEY = "format";
export const SAFE_ZONE_NAME = "Safe zone";
/** The unsafe insets: red at a third, visible on light and dark images alike once the layer is shown. */
const UNSAFE_PAINT: SolidPaint = { type: "SOLID", color: { r: 1, g: 0.2, b: 0.2 }, opacity: 0.35 };

interface Size {
  width: number;
  height: number;
}

/** Every node a placement creates, so a failure can remove them all: nothing is left half-placed. */
export type Created = (PortRectangle | PortFrame)[];

/** A rectangle of the image's size filled with it. */
export function imageRectangle(port: FigmaPort, created: Created, size: Size, hash: string): PortRectangle {
  const node = port.createRectangle();
  created.push(node);
  node.resize(size.width, size.height);
  node.fills = [{ type: "IMAGE", imageHash: hash, scaleMode: "FILL" }];
  return node;
}

/** A frame that draws nothing itself, sized to the image. */
function emptyFrame(port: FigmaPort, created: Created, name: string, size: Size): PortFrame {
  const frame = port.createFrame();
  created.push(frame);
  frame.name = name;
  frame.resize(size.width, size.height);
  frame.fills = [];
  frame.clipsContent = true;
  return frame;
}

/** The format's frame with the image (returned too, to be tagged) and its safe zone inside, at 0,0. */
export function formatFrame(port: FigmaPort, created: Created, size: Size, format: PlacedFormat, hash: string): { frame: PortFrame; picture: PortRectangle } {
  const frame = emptyFrame(port, created, format.name, size);
  const picture = imageRectangle(port, created, size, hash);
  picture.name = "Image";
  port.appendToFrame(frame, picture);
  picture.x = 0;
  picture.y = 0;
  if (format.safeZone) safeZoneLayer(port, created, frame, size, format.safeZone);
  frame.setPluginData(FORMAT_KEY, format.id);
  return { frame, picture };
}

/** The insets the platform may cover, as translucent rectangles in a layer that starts hidden. */
function safeZoneLayer(port: FigmaPort, created: Created, frame: PortFrame, size: Size, zone: SafeZone): void {
  const { width, height } = size;
  const top = Math.min(zone.top, height);
  const bottom = Math.min(zone.bottom, height - top);
  const middle = height - top - bottom;
  const left = Math.min(zone.left, width);
  const right = Math.min(zone.right, width - left);
  const layer = emptyFrame(port, created, SAFE_ZONE_NAME, size);
  port.appendToFrame(frame, layer);
  layer.x = 0;
  layer.y = 0;
  const boxes: [string, number, number, number, number][] = [
    ["Top", 0, 0, width, top],
    ["Bottom", 0, height - bottom, width, bottom],
    ["Left", 0, top, left, middle],
    ["Right", width - right, top, right, middle],
  ];
  for (const [side, x, y, w, h] of boxes) {
    if (w <= 0 || h <= 0) continue;
    const box = port.createRectangle();
    created.push(box);
    box.name = `Unsafe ${side.toLowerCase()}`;
    box.resize(w, h);
    box.fills = [UNSAFE_PAINT];
    port.appendToFrame(layer, box);
    box.x = x;
    box.y = y;
  }
  layer.visible = false;
}
