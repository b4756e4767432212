// The subset of the Figma plugin API the sandbox logic uses. Logic modules take a FigmaPort instead of the
// `figma` global, so they run under vitest against an in-memory fake. Every type here is a Pick of
// @figma/plugin-typings, so a change in Figma's API breaks the fake's compile instead of drifting silently.
import type { PluginToUI } from "../core/messages.ts";

/**
 * A container a node can live in (a page, frame, group, section, component...) and its own parents up to
 * the page: where results may go depends on every container around them (placement-target.ts).
 */
export type PortParent = Pick<BaseNode, "id" | "type" | "name"> & {
  readonly parent: PortParent | null;
  /** Auto-layout frames reposition children themselves, so the plugin does not place into them. */
  readonly layoutMode?: FrameNode["layoutMode"];
  /** A frame that clips hides whatever lies outside it. */
  readonly clipsContent?: boolean;
  /** Absent on the page, whose coordinates are the canvas's. */
  readonly absoluteTransform?: Transform;
  readonly absoluteBoundingBox?: Rect | null;
};

/** What the plugin reads from (and, for edit results, writes to) a node on the canvas. */
export type PortNode = Pick<
  SceneNode,
  "id" | "name" | "type" | "x" | "y" | "width" | "height" | "visible" | "absoluteBoundingBox" | "absoluteTransform" | "getPluginData" | "setPluginData" | "setRelaunchData"
> & {
  readonly parent: PortParent | null;
  /** Absent on nodes that cannot be filled (slices, groups...). Assigned whole, as Figma requires. */
  fills?: MinimalFillsMixin["fills"];
};

/** The rectangle the plugin creates to hold one image. */
export type PortRectangle = Pick<
  RectangleNode,
  "id" | "name" | "x" | "y" | "width" | "height" | "fills" | "resize" | "setPluginData" | "getPluginData" | "setRelaunchData" | "remove"
>;

/** A copy of the mask shape, repainted white inside the temporary mask frame. */
export type PortShape = Pick<RectangleNode, "id" | "relativeTransform" | "fills" | "strokes" | "effects" | "opacity" | "visible" | "remove">;

/**
 * A frame the plugin creates: the temporary frame a mask is rendered in (black, clipped to the image's
 * area), a social result's format frame, and the hidden "Safe zone" layer inside it.
 */
export type PortFrame = Pick<
  FrameNode,
  "id" | "name" | "x" | "y" | "width" | "height" | "visible" | "relativeTransform" | "fills" | "clipsContent" | "resize" | "remove" | "getPluginData" | "setPluginData" | "setRelaunchData"
>;

/** What a placement leaves on the canvas and selects: rectangles, format frames, or an existing node. */
export type PortPlaced = PortRectangle | PortFrame | PortNode;

export type PortImage = Pick<Image, "hash">;
/** An image Figma already holds (an image fill's), read back for a job. */
export type PortStoredImage = Pick<Image, "hash" | "getBytesAsync" | "getSizeAsync">;

export interface FigmaPort {
  /** The relaunch command the plugin was started with ("" for a normal run). */
  readonly command: string;
  readonly mixed: PluginAPI["mixed"];
  selection(): readonly PortNode[];
  /**
   * Selects the nodes on `page` (the current page by default). A page's selection may hold only nodes of
   * that page: Figma throws otherwise ("in set_selection").
   */
  setSelection(nodes: readonly PortPlaced[], page?: PortParent): void;
  currentPage(): PortParent;
  viewportCenter(): Vector;
  /** A scene node by id, or null once it has been deleted (or the id names a page or the document). */
  getNodeByIdAsync(id: string): Promise<PortNode | null>;
  getImageByHash(hash: string): PortStoredImage | null;
  /** Throws for bytes Figma cannot decode (anything but PNG, JPEG, GIF) or images over 4096 px. */
  createImage(bytes: Uint8Array): PortImage;
  createRectangle(): PortRectangle;
  /** A new frame on the current page. */
  createFrame(): PortFrame;
  /** A copy of the node in the node's parent (Figma's node.clone()). */
  cloneShape(node: PortNode): PortShape;
  appendChild(parent: PortParent, node: PortRectangle | PortFrame): void;
  appendToFrame(frame: PortFrame, node: PortShape | PortRectangle | PortFrame): void;
  /**
   * node.exportAsync as PNG, optionally constrained to a width, height or scale: the node as the canvas
   * shows it, upright in its absoluteBoundingBox (useAbsoluteBounds, so shadows do not widen it).
   */
  exportPng(node: PortNode | PortFrame, constraint?: ExportSettingsConstraints): Promise<Uint8Array>;
  scrollAndZoomIntoView(nodes: readonly PortPlaced[]): void;
  clientStorage: Pick<ClientStorageAPI, "getAsync" | "setAsync">;
  /** The document's own plugin data (figma.root): what belongs to this file, such as its last project. */
  documentData: { get(key: string): string; set(key: string, value: string): void };
  postMessage(message: PluginToUI): void;
  notify(message: string, options?: Pick<NotificationOptions, "error" | "timeout">): void;
  commitUndo(): void;
}
