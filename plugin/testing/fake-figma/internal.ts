// State the fake keeps behind its API objects. It hangs off one symbol-keyed property that plugin code
// cannot name, so the `figma` object and its nodes expose only what Figma's own objects do.
import type { EventHub } from "./events.ts";
import type { ImageStore } from "./images.ts";
import type { FakeBaseNode, FakeParentNode, FakeSceneNode } from "./nodes/types.ts";
import type { FakePage, FakeDocumentNode } from "./nodes/page.ts";
import type { FakeComponent } from "./nodes/frames.ts";
import type { UndoLog } from "./undo.ts";

export const INTERNAL: unique symbol = Symbol("fake-figma internals");
/** Where the API's other objects (figma, ui, viewport, clientStorage...) keep their state. */
export const PRIVATE: unique symbol = Symbol("fake-figma private");
/** A node's way to make an empty node of its own class (for clone and createInstance). */
export const BLANK: unique symbol = Symbol("fake-figma blank");

/** manifest.json "documentAccess"; "dynamic-page" is what new plugins must declare (and this one does). */
export type DocumentAccess = "dynamic-page" | "all-pages";

export interface NotificationRecord {
  message: string;
  /** What Figma shows: plugin-api.d.ts, PluginAPI.notify: "limited to 100 characters. Longer messages will be truncated." */
  shown: string;
  error: boolean;
  timeout: number | undefined;
  button: string | undefined;
  cancelled: boolean;
}

export interface ExportRecord {
  nodeId: string;
  settings: ExportSettingsImage | undefined;
  width: number;
  height: number;
  /** Nodes in the exported subtree that were invisible (and so not drawn) when it ran. */
  hiddenIds: string[];
}

export interface ShownUI {
  html: string;
  options: ShowUIOptions | undefined;
}

export interface Records {
  /** Copies of what the plugin sent with figma.ui.postMessage, in order. */
  posted: unknown[];
  notifications: NotificationRecord[];
  /** Node ids of each figma.viewport.scrollAndZoomIntoView call. */
  scrolledTo: string[][];
  shownUI: ShownUI[];
  exports: ExportRecord[];
  /** The message passed to figma.closePlugin, once it was called ("" without one). */
  closedWith: string | null;
}

export interface Doc {
  readonly access: DocumentAccess;
  /** The API's figma.mixed. */
  readonly mixed: symbol;
  readonly pluginId: string;
  nextId: number;
  readonly nodes: Map<string, FakeBaseNode>;
  readonly images: ImageStore;
  readonly undo: UndoLog;
  readonly events: EventHub;
  readonly records: Records;
  root: FakeDocumentNode;
  currentPage: FakePage;
  closed: boolean;
}

export type StrokeAlign = "CENTER" | "INSIDE" | "OUTSIDE";

/** Everything any node keeps; each class reads the parts its Figma type has. */
export interface NodeState {
  readonly doc: Doc;
  readonly id: string;
  name: string;
  parent: FakeParentNode | null;
  removed: boolean;
  readonly pluginData: Map<string, string>;
  relaunch: { [command: string]: string };
  /** null on leaves. */
  children: FakeSceneNode[] | null;
  /** Relative to the node's container space (for children of groups: the group's container's). */
  rt: Transform;
  width: number;
  height: number;
  visible: boolean;
  opacity: number;
  effects: readonly Effect[];
  fills: readonly Paint[];
  strokes: readonly Paint[];
  strokeWeight: number;
  strokeAlign: StrokeAlign;
  clipsContent: boolean;
  layoutMode: FrameNode["layoutMode"];
  /** Pages: ids of the selected nodes, and whether the page's contents are loaded (dynamic-page). */
  selection: string[];
  loaded: boolean;
  /** Instances: their main component. */
  mainComponent: FakeComponent | null;
}

export function newId(doc: Doc): string {
  // Figma ids look like "1:2"; pages are "0:n" (see developers.figma.com/docs/plugins/api/node-properties, id).
  return `1:${doc.nextId++}`;
}

export function state(node: { readonly [INTERNAL]: NodeState }): NodeState {
  return node[INTERNAL];
}

/** Notes a change for the undo log. */
export function touch(s: NodeState): void {
  s.doc.undo.noteChanged(s.id);
}

/**
 * plugin-api.d.ts, PluginAPI.closePlugin: "Calling `figma.closePlugin()` disables callbacks and Figma APIs."
 * The exact error Figma throws afterwards is not documented; this message is the fake's.
 */
export function checkOpen(doc: Doc, op: string): void {
  if (doc.closed) throw new Error(`in ${op}: the plugin has been closed (figma.closePlugin disables the API)`);
}

/**
 * A removed node can no longer be edited. Figma's exact wording is not documented (the fake's message);
 * plugin-api.d.ts, BaseNodeMixin.removed tells plugins to check `removed` before using a kept node.
 */
export function checkAlive(s: NodeState, op: string): void {
  checkOpen(s.doc, op);
  if (s.removed) throw new Error(`in ${op}: The node with id "${s.id}" does not exist (it was removed)`);
}
