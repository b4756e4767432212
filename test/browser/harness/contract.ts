// What the harness page and the Node side of the browser tests agree on: the query that sets the page up
// and what window.__harness answers, all plain data that page.evaluate can carry. Types only, so both the
// page (DOM) and the tests (Node) compile it.

/** The query parameters of the harness page. */
export interface HarnessQuery {
  /** The proxy the stored settings name (with `token`). */
  proxy?: string;
  /** With `proxy`: the settings in clientStorage, as a designer who saved them has. None: no settings yet. */
  token?: string;
  theme: "light" | "dark";
  /** The nodes on the first page. */
  selection: CanvasFixture[];
  /** The names of those selected at the start (default: all of them). */
  selected?: string[];
  /** The document's pages (default ["Page 1"]); the first is the one open. */
  pages?: string[];
  /** clientStorage at start, key by key (a plugin run again after an earlier one stored these). */
  storage?: Record<string, unknown>;
}

/** A node the fake canvas starts with: with `image`, a rectangle with an image fill of that pixel size. */
export interface CanvasFixture {
  name: string;
  /** "RECTANGLE", "ELLIPSE" or "FRAME"; default RECTANGLE with an image, else FRAME. */
  type?: string;
  x: number;
  y: number;
  width: number;
  height: number;
  image?: { width: number; height: number };
  color?: { r: number; g: number; b: number };
}

/** A node of the fake canvas as the tests look at it, with its image fill's bytes decoded. */
export interface CanvasNode {
  id: string;
  type: string;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  visible: boolean;
  removed: boolean;
  /** The type of its parent ("PAGE", "FRAME"), "" when it has none. */
  parentType: string;
  /** The name of the page it is on, "" once removed. */
  page: string;
  fills: { type: string; imageHash?: string; scaleMode?: string; opacity?: number }[];
  pluginData: Record<string, string>;
  relaunch: Record<string, string> | null;
  /** The first 8 bytes of the IMAGE fill's image, if it has one. */
  signature: number[] | null;
  /** The decoded size of the IMAGE fill's image, if it has one. */
  decoded: { width: number; height: number } | null;
  children: CanvasNode[];
}

/** The last mask the plugin exported: its size and its grey level (0..255) at each of the points asked for. */
export type MaskReading<K extends string> = { width: number; height: number } & Record<K, number>;

export interface CanvasState<K extends string = never> {
  /** The rectangles the plugin made (createRectangle, or a clone of one), removed ones too, oldest first. */
  nodes: CanvasNode[];
  /** The nodes the test put on the canvas (the query's `selection`). */
  given: CanvasNode[];
  /** The frames the plugin made, removed ones too, oldest first. */
  frames: CanvasNode[];
  /** Committed undo steps that changed something. */
  undoSteps: number;
  /** The selection of the page the designer is on. */
  selectedIds: string[];
  scrolledTo: string[][];
  /** The name of the page the designer is on. */
  currentPage: string;
  mask: MaskReading<K> | null;
}

/** A message the panel sent the plugin: its type and how many byte arrays (images) it carried. */
export interface ReceivedMessage {
  type: string;
  images: number;
}

/** What went wrong on the plugin's side: the sandbox's uncaught errors and every figma.notify. */
export interface HarnessErrors {
  sandbox: string[];
  notifications: { message: string; error: boolean }[];
}

/** window.__harness. */
export interface HarnessApi {
  /** Selects given nodes by name on the open page, firing selectionchange as a click would. */
  select(names: string[]): Promise<void>;
  /** Selects any nodes of the open page by id, firing selectionchange. */
  selectIds(ids: string[]): Promise<void>;
  /** Opens another page; with `afterPosted`, right after the plugin next posts a message of that type. */
  switchPage(name: string, afterPosted?: string): Promise<void>;
  /** The canvas now; `maskPoints` names the pixels of the last mask the plugin exported to read. */
  inspect(maskPoints: Record<string, readonly [number, number]>): Promise<CanvasState<string>>;
  /** The messages the panel sent the plugin, oldest first. */
  received(): ReceivedMessage[];
  /** The types of the messages the plugin posted to the panel, oldest first. */
  posted(): string[];
  /** clientStorage, key by key. */
  storage(): Promise<Record<string, unknown>>;
  errors(): HarnessErrors;
}
