// The subset of the Figma plugin API the sandbox logic uses. Logic modules take a FigmaPort instead of the
// `figma` global, so they run under vitest against an in-memory fake. Every type here is a Pick of
// @figma/plugin-typings, so a change in Figma's API breaks the fake's compile instead of drifting silently.
import type { PluginToUI } from "../core/messages.ts";

/** A container a node can live in (a page, frame, group, section...). */
export type PortParent = Pick<BaseNode, "id" | "type"> & {
  /** Auto-layout frames reposition children themselves, so the plugin does not place into them. */
  readonly layoutMode?: FrameNode["layoutMode"];
};

/** What the plugin reads from a selected node. */
export type PortNode = Pick<SceneNode, "id" | "name" | "type" | "x" | "y" | "width" | "height" | "absoluteBoundingBox" | "getPluginData"> & {
  readonly parent: PortParent | null;
  /** Absent on nodes that cannot be filled (slices, groups...). */
  readonly fills?: MinimalFillsMixin["fills"];
};

/** The rectangle the plugin creates to hold one image. */
export type PortRectangle = Pick<
  RectangleNode,
  "id" | "name" | "x" | "y" | "width" | "height" | "fills" | "resize" | "setPluginData" | "getPluginData" | "setRelaunchData" | "remove"
>;

export type PortImage = Pick<Image, "hash">;

export interface FigmaPort {
  /** The relaunch command the plugin was started with ("" for a normal run). */
  readonly command: string;
  readonly mixed: PluginAPI["mixed"];
  selection(): readonly PortNode[];
  setSelection(nodes: readonly PortRectangle[]): void;
  currentPage(): PortParent;
  viewportCenter(): Vector;
  /** Throws for bytes Figma cannot decode (anything but PNG, JPEG, GIF) or images over 4096 px. */
  createImage(bytes: Uint8Array): PortImage;
  createRectangle(): PortRectangle;
  appendChild(parent: PortParent, node: PortRectangle): void;
  scrollAndZoomIntoView(nodes: readonly PortRectangle[]): void;
  clientStorage: Pick<ClientStorageAPI, "getAsync" | "setAsync">;
  postMessage(message: PluginToUI): void;
  notify(message: string, options?: Pick<NotificationOptions, "error" | "timeout">): void;
  commitUndo(): void;
}
