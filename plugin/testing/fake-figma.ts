// An in-memory FigmaPort for tests. Its nodes implement the port's Picks of @figma/plugin-typings, so if
// Figma's API changes shape the fake stops compiling rather than drifting from it.
import type { PluginToUI } from "../../core/messages.ts";
import type { FigmaPort, PortNode, PortParent, PortRectangle } from "../figma-port.ts";

// Figma's `mixed` is a unique symbol that only the real API can mint; tests need a stand-in of its type.
export const FAKE_MIXED: PluginAPI["mixed"] = Symbol("mixed") as unknown as PluginAPI["mixed"];

let nextId = 1;
const newId = () => `${nextId++}:1`;

class PluginDataStore {
  readonly pluginData = new Map<string, string>();
  getPluginData(key: string): string {
    return this.pluginData.get(key) ?? "";
  }
  setPluginData(key: string, value: string): void {
    this.pluginData.set(key, value);
  }
}

export class FakeParent implements PortParent {
  readonly id = newId();
  readonly children: PortRectangle[] = [];
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
  absoluteBoundingBox?: Rect | null;
}

export class FakeNode extends PluginDataStore implements PortNode {
  readonly id = newId();
  readonly name: string;
  readonly type: SceneNode["type"];
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly parent: PortParent | null;
  readonly fills?: MinimalFillsMixin["fills"];
  readonly absoluteBoundingBox: Rect | null;
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
    this.absoluteBoundingBox =
      init.absoluteBoundingBox !== undefined ? init.absoluteBoundingBox : { x: this.x, y: this.y, width: this.width, height: this.height };
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
  parent: FakeParent | null = null;
  removed = false;
  relaunchData: { [command: string]: string } = {};
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
  }
  setRelaunchData(data: { [command: string]: string }): void {
    this.relaunchData = { ...data };
  }
  remove(): void {
    this.removed = true;
  }
}

const copy = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** Figma's createImage accepts PNG, JPEG and GIF only. */
function imageKind(bytes: Uint8Array): "png" | "jpeg" | "gif" | null {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return "png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return "jpeg";
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return "gif";
  return null;
}

export class FakeFigma implements FigmaPort {
  readonly mixed: PluginAPI["mixed"] = FAKE_MIXED;
  readonly page = new FakeParent("PAGE");
  readonly storage = new Map<string, unknown>();
  readonly posted: PluginToUI[] = [];
  readonly notifications: { message: string; error: boolean }[] = [];
  readonly images = new Map<string, Uint8Array>();
  readonly created: FakeRectangle[] = [];
  scrolledTo: readonly PortRectangle[] = [];
  undoCommits = 0;
  private selected: readonly PortNode[] | readonly PortRectangle[] = [];

  constructor(
    readonly command = "",
    private readonly center: Vector = { x: 0, y: 0 },
  ) {}

  select(nodes: readonly PortNode[]): void {
    this.selected = nodes;
  }
  /** What the selection holds now (after a placement: the new rectangles). */
  get selectionNow(): readonly (PortNode | PortRectangle)[] {
    return this.selected;
  }

  selection(): readonly PortNode[] {
    return this.selected.filter((n): n is PortNode => n instanceof FakeNode);
  }
  setSelection(nodes: readonly PortRectangle[]): void {
    this.selected = [...nodes];
  }
  currentPage(): PortParent {
    return this.page;
  }
  viewportCenter(): Vector {
    return this.center;
  }
  createImage(bytes: Uint8Array): Pick<Image, "hash"> {
    if (!imageKind(bytes)) throw new Error("Image type is unsupported");
    const hash = `hash-${this.images.size + 1}`;
    this.images.set(hash, bytes);
    return { hash };
  }
  createRectangle(): PortRectangle {
    const node = new FakeRectangle();
    this.created.push(node);
    return node;
  }
  appendChild(parent: PortParent, node: PortRectangle): void {
    if (!(parent instanceof FakeParent) || !(node instanceof FakeRectangle)) throw new Error("not a fake node");
    parent.children.push(node);
    node.parent = parent;
  }
  scrollAndZoomIntoView(nodes: readonly PortRectangle[]): void {
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
