// An in-memory FigmaPort for tests. Its nodes implement the port's Picks of @figma/plugin-typings, so if
// Figma's API changes shape the fake stops compiling rather than drifting from it. Exports are real PNGs:
// a frame is rasterized from its children (rectangles, ellipses and, by their box, other shapes) the way
// Figma would draw them, so a test can decode a mask and look at its pixels.
import type { PluginToUI } from "../../core/messages.ts";
import type { FigmaPort, PortFrame, PortNode, PortParent, PortPlaced, PortRectangle, PortShape, PortStoredImage } from "../figma-port.ts";
import { apply, invert, translate } from "../geometry.ts";
import { isPng, pngSize } from "../png.ts";
import { encodePng, solidPng } from "./png-encode.ts";

// Figma's `mixed` is a unique symbol that only the real API can mint; tests need a stand-in of its type.
export const FAKE_MIXED: PluginAPI["mixed"] = Symbol("mixed") as unknown as PluginAPI["mixed"];

let nextId = 1;
const newId = () => `${nextId++}:1`;

class PluginDataStore {
  readonly pluginData = new Map<string, string>();
  relaunchData: { [command: string]: string } = {};
  getPluginData(key: string): string {
    return this.pluginData.get(key) ?? "";
  }
  setPluginData(key: string, value: string): void {
    this.pluginData.set(key, value);
  }
  setRelaunchData(data: { [command: string]: string }): void {
    this.relaunchData = { ...data };
  }
}

export class FakeParent implements PortParent {
  readonly id = newId();
  readonly children: (FakeRectangle | FakeFrame)[] = [];
  constructor(
    readonly type: BaseNode["type"] = "FRAME",
    readonly layoutMode?: FrameNode["layoutMode"],
  ) {}
}

export interface FakeNodeInit {
  name?: string;
  type?: SceneNode["type"];
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  parent?: PortParent | null;
  fills?: MinimalFillsMixin["fills"];
  strokes?: readonly Paint[];
  absoluteBoundingBox?: Rect | null;
  /** Defaults to a translation to the bounding box's corner (an unrotated node). */
  absoluteTransform?: Transform;
}

/** Every node the fake knows by id, as figma.getNodeByIdAsync would find it. */
const registry = new Map<string, FakeNode>();

export class FakeNode extends PluginDataStore implements PortNode {
  readonly id = newId();
  readonly name: string;
  readonly type: SceneNode["type"];
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly parent: PortParent | null;
  fills?: MinimalFillsMixin["fills"];
  readonly strokes: readonly Paint[];
  visible = true;
  removed = false;
  readonly absoluteBoundingBox: Rect | null;
  readonly absoluteTransform: Transform;
  constructor(init: FakeNodeInit = {}) {
    super();
    this.name = init.name ?? "Frame";
    this.type = init.type ?? "FRAME";
    this.x = init.x ?? 0;
    this.y = init.y ?? 0;
    this.width = init.width ?? 100;
    this.height = init.height ?? 100;
    this.parent = init.parent ?? null;
    if (init.fills !== undefined) this.fills = init.fills;
    this.strokes = init.strokes ?? [];
    this.absoluteBoundingBox =
      init.absoluteBoundingBox !== undefined ? init.absoluteBoundingBox : { x: this.x, y: this.y, width: this.width, height: this.height };
    const corner = this.absoluteBoundingBox ?? { x: this.x, y: this.y };
    this.absoluteTransform = init.absoluteTransform ?? translate(corner.x, corner.y);
    registry.set(this.id, this);
  }
}

export class FakeRectangle extends PluginDataStore implements PortRectangle {
  readonly id = newId();
  name = "Rectangle";
  x = 0;
  y = 0;
  width = 100;
  height = 100;
  fills: RectangleNode["fills"] = [];
  parent: FakeParent | FakeFrame | null = null;
  removed = false;
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
  }
  remove(): void {
    this.removed = true;
  }
}

/** A clone of a shape (node.clone()): same type, size and paints, at the original's place. */
export class FakeShape implements PortShape {
  readonly id = newId();
  parent: FakeFrame | null = null;
  removed = false;
  visible = true;
  opacity = 0.5;
  effects: readonly Effect[] = [{ type: "DROP_SHADOW", color: { r: 0, g: 0, b: 0, a: 1 }, offset: { x: 4, y: 4 }, radius: 4, visible: true, blendMode: "NORMAL" }];
  fills: RectangleNode["fills"];
  strokes: readonly Paint[];
  relativeTransform: Transform;
  readonly type: SceneNode["type"];
  readonly width: number;
  readonly height: number;
  constructor(of: FakeNode) {
    this.type = of.type;
    this.width = of.width;
    this.height = of.height;
    this.fills = of.fills ?? [];
    this.strokes = of.strokes;
    this.relativeTransform = of.absoluteTransform;
  }
  remove(): void {
    this.removed = true;
  }
}

export class FakeFrame extends PluginDataStore implements PortFrame {
  readonly id = newId();
  name = "Frame";
  x = 0;
  y = 0;
  width = 100;
  height = 100;
  visible = true;
  relativeTransform: Transform = translate(0, 0);
  fills: FrameNode["fills"] = [{ type: "SOLID", color: { r: 1, g: 1, b: 1 } }];
  clipsContent = true;
  removed = false;
  parent: FakeParent | FakeFrame | null = null;
  readonly children: (FakeShape | FakeRectangle | FakeFrame)[] = [];
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
  }
  remove(): void {
    this.removed = true;
    for (const child of this.children) child.remove();
  }
}

/** Takes a node out of its parent's children, as appending it elsewhere does in Figma. */
function detach(node: FakeRectangle | FakeFrame): void {
  const siblings: unknown[] | undefined = node.parent?.children;
  if (siblings) siblings.splice(siblings.indexOf(node), 1);
  node.parent = null;
}

const copy = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** Figma's createImage accepts PNG, JPEG and GIF only. */
function imageKind(bytes: Uint8Array): "png" | "jpeg" | "gif" | null {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return "png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return "jpeg";
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return "gif";
  return null;
}

function solidColor(fills: readonly Paint[] | PluginAPI["mixed"]): [number, number, number] | null {
  if (!Array.isArray(fills)) return null;
  const solid = (fills as readonly Paint[]).find((p): p is SolidPaint => p.type === "SOLID" && p.visible !== false);
  return solid ? [solid.color.r * 255, solid.color.g * 255, solid.color.b * 255].map(Math.round) as [number, number, number] : null;
}

/** Whether a point in a shape's own coordinates is inside it: ellipses by their equation, the rest by their box. */
function inside(shape: FakeShape, x: number, y: number): boolean {
  if (shape.type === "ELLIPSE") {
    const dx = (x - shape.width / 2) / (shape.width / 2);
    const dy = (y - shape.height / 2) / (shape.height / 2);
    return dx * dx + dy * dy <= 1;
  }
  return x >= 0 && x < shape.width && y >= 0 && y < shape.height;
}

function rasterize(frame: FakeFrame, width: number, height: number): Uint8Array<ArrayBuffer> {
  const rgb = new Uint8Array(width * height * 3);
  const background = solidColor(frame.fills) ?? [255, 255, 255];
  const shapes = frame.children
    .filter((s): s is FakeShape => s instanceof FakeShape && s.visible && !s.removed)
    .map((s) => ({ s, local: invert(s.relativeTransform), color: solidColor(s.fills) ?? (s.strokes.length ? solidColor(s.strokes) : null) }));
  const sx = frame.width / width;
  const sy = frame.height / height;
  for (let py = 0; py < height; py++)
    for (let px = 0; px < width; px++) {
      let color = background;
      for (const { s, local, color: c } of shapes) {
        const p = apply(local, (px + 0.5) * sx, (py + 0.5) * sy);
        if (c && inside(s, p.x, p.y)) color = c;
      }
      rgb.set(color, (py * width + px) * 3);
    }
  return encodePng(width, height, rgb);
}

function exportScale(box: { width: number; height: number }, constraint?: ExportSettingsConstraints): number {
  if (!constraint) return 1;
  if (constraint.type === "WIDTH") return constraint.value / box.width;
  if (constraint.type === "HEIGHT") return constraint.value / box.height;
  return constraint.value;
}

export interface ExportCall {
  nodeId: string;
  constraint: ExportSettingsConstraints | undefined;
  /** Ids of the fake's nodes that were hidden while this export ran. */
  hidden: string[];
}

export class FakeFigma implements FigmaPort {
  readonly mixed: PluginAPI["mixed"] = FAKE_MIXED;
  readonly page = new FakeParent("PAGE");
  readonly storage = new Map<string, unknown>();
  readonly posted: PluginToUI[] = [];
  readonly notifications: { message: string; error: boolean }[] = [];
  readonly images = new Map<string, Uint8Array>();
  readonly imageSizes = new Map<string, { width: number; height: number }>();
  readonly created: FakeRectangle[] = [];
  readonly frames: FakeFrame[] = [];
  readonly exports: ExportCall[] = [];
  scrolledTo: readonly PortPlaced[] = [];
  undoCommits = 0;
  private selected: readonly PortPlaced[] = [];

  constructor(
    readonly command = "",
    private readonly center: Vector = { x: 0, y: 0 },
  ) {}

  select(nodes: readonly PortNode[]): void {
    this.selected = nodes;
  }
  /** What the selection holds now (after a placement: the new rectangles). */
  get selectionNow(): readonly PortPlaced[] {
    return this.selected;
  }
  /** Stores an image as an image fill's would be; `size` for JPEG and GIF, whose size the fake cannot read. */
  addImage(bytes: Uint8Array, size?: { width: number; height: number }): string {
    const hash = `hash-${this.images.size + 1}`;
    this.images.set(hash, bytes);
    const known = size ?? (isPng(bytes) ? pngSize(bytes) : null);
    if (known) this.imageSizes.set(hash, known);
    return hash;
  }

  selection(): readonly PortNode[] {
    return this.selected.filter((n): n is PortNode => n instanceof FakeNode);
  }
  setSelection(nodes: readonly PortPlaced[]): void {
    this.selected = [...nodes];
  }
  currentPage(): PortParent {
    return this.page;
  }
  viewportCenter(): Vector {
    return this.center;
  }
  async getNodeByIdAsync(id: string): Promise<PortNode | null> {
    const node = registry.get(id);
    return node && !node.removed ? node : null;
  }
  getImageByHash(hash: string): PortStoredImage | null {
    const bytes = this.images.get(hash);
    if (!bytes) return null;
    const size = this.imageSizes.get(hash);
    return {
      hash,
      getBytesAsync: async () => bytes,
      getSizeAsync: async () => {
        if (!size) throw new Error("Image size unknown");
        return size;
      },
    };
  }
  createImage(bytes: Uint8Array): Pick<Image, "hash"> {
    if (!imageKind(bytes)) throw new Error("Image type is unsupported");
    return { hash: this.addImage(bytes) };
  }
  createRectangle(): PortRectangle {
    const node = new FakeRectangle();
    this.created.push(node);
    return node;
  }
  createFrame(): PortFrame {
    const frame = new FakeFrame();
    this.frames.push(frame);
    return frame;
  }
  cloneShape(node: PortNode): PortShape {
    if (!(node instanceof FakeNode)) throw new Error("not a fake node");
    return new FakeShape(node);
  }
  appendChild(parent: PortParent, node: PortRectangle | PortFrame): void {
    if (!(parent instanceof FakeParent) || !(node instanceof FakeRectangle || node instanceof FakeFrame)) throw new Error("not a fake node");
    detach(node);
    parent.children.push(node);
    node.parent = parent;
  }
  appendToFrame(frame: PortFrame, node: PortShape | PortRectangle | PortFrame): void {
    if (!(frame instanceof FakeFrame) || !(node instanceof FakeShape || node instanceof FakeRectangle || node instanceof FakeFrame)) throw new Error("not a fake node");
    if (!(node instanceof FakeShape)) detach(node);
    frame.children.push(node);
    node.parent = frame;
  }
  async exportPng(node: PortNode | PortFrame, constraint?: ExportSettingsConstraints): Promise<Uint8Array> {
    const hidden = [...registry.values()].filter((n) => !n.visible).map((n) => n.id);
    this.exports.push({ nodeId: node.id, constraint, hidden });
    const box = node instanceof FakeFrame || node instanceof FakeNode ? node : null;
    if (!box) throw new Error("not a fake node");
    const scale = exportScale(box, constraint);
    const width = Math.round(box.width * scale);
    const height = Math.round(box.height * scale);
    return node instanceof FakeFrame ? rasterize(node, width, height) : solidPng(width, height);
  }
  scrollAndZoomIntoView(nodes: readonly PortPlaced[]): void {
    this.scrolledTo = nodes;
  }
  readonly clientStorage: Pick<ClientStorageAPI, "getAsync" | "setAsync"> = {
    // Stored by value, as Figma does: a later change to the caller's object must not leak in.
    getAsync: async (key) => copy(this.storage.get(key)),
    setAsync: async (key, value) => {
      this.storage.set(key, copy(value));
    },
  };
  postMessage(message: PluginToUI): void {
    this.posted.push(message);
  }
  notify(message: string, options?: Pick<NotificationOptions, "error" | "timeout">): void {
    this.notifications.push({ message, error: options?.error ?? false });
  }
  commitUndo(): void {
    this.undoCommits++;
  }
}

/** The smallest valid PNG signature-prefixed bytes the fake's createImage accepts. */
export function fakePng(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
}

/** A node with an image fill of a real PNG of `pixels` size, stored in `figma`. */
export function imageNode(figma: FakeFigma, pixels: { width: number; height: number }, init: FakeNodeInit & { scaleMode?: ImagePaint["scaleMode"]; imageTransform?: Transform } = {}): FakeNode {
  const imageHash = figma.addImage(solidPng(pixels.width, pixels.height));
  const paint: ImagePaint = { type: "IMAGE", imageHash, scaleMode: init.scaleMode ?? "FILL", ...(init.imageTransform ? { imageTransform: init.imageTransform } : {}) };
  return new FakeNode({ name: "Photo", type: "RECTANGLE", parent: figma.page, width: pixels.width, height: pixels.height, fills: [paint], ...init });
}
