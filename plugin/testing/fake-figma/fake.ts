// FakeFigma: a fresh fake document with its `figma` object, plus what tests need and plugin code must not
// reach (records of what the plugin did, delivering UI messages, user actions). Only `fake.figma` goes to
// the code under test.
import { closeDoc, FakePluginApi, switchPage } from "./api.ts";
import { EventHub } from "./events.ts";
import { ImageStore } from "./images.ts";
import { PRIVATE, state, type Doc, type DocumentAccess, type ExportRecord, type NotificationRecord, type Records, type ShownUI } from "./internal.ts";
import { FakeDocumentNode, FakePage } from "./nodes/page.ts";
import type { FakeBaseNode, FakeSceneNode } from "./nodes/types.ts";
import type { FakeRectangle } from "./nodes/shapes.ts";
import { structuredCopy } from "./structured-copy.ts";
import { deliverToPlugin, listenToPosts, uiState, type PostListener } from "./ui.ts";
import { UndoLog } from "./undo.ts";

export interface FakeFigmaOptions {
  /** figma.command: the relaunch command the plugin runs with ("" for a normal run). */
  command?: string;
  /** figma.viewport.center at start. */
  viewportCenter?: Vector;
  /** One page per name (default ["Page 1"]); the first is the current page. */
  pageNames?: string[];
  /** The manifest's documentAccess (default "dynamic-page", as this plugin's manifest.json says). */
  documentAccess?: DocumentAccess;
  /** The manifest id, which counts toward plugin data entry sizes. */
  pluginId?: string;
  documentName?: string;
}

export class FakeFigma {
  /** The `figma` global to hand to the code under test. */
  readonly figma: FakePluginApi;
  private readonly doc: Doc;

  constructor(options: FakeFigmaOptions = {}) {
    const records: Records = { posted: [], notifications: [], scrolledTo: [], shownUI: [], exports: [], closedWith: null };
    const partial: Omit<Doc, "root" | "currentPage"> = {
      access: options.documentAccess ?? "dynamic-page",
      mixed: Symbol("figma.mixed"),
      pluginId: options.pluginId ?? "image-studio-for-figma-dev",
      nextId: 2,
      nodes: new Map(),
      images: new ImageStore(),
      undo: new UndoLog(),
      events: new EventHub(),
      records,
      closed: false,
    };
    // root and currentPage are filled in just below, before anything reads them.
    const doc = partial as Doc;
    doc.root = new FakeDocumentNode(doc, options.documentName ?? "Untitled");
    const names = options.pageNames?.length ? options.pageNames : ["Page 1"];
    names.forEach((name, i) => {
      // Under dynamic-page only the page the user has open starts loaded.
      const page = new FakePage(doc, `0:${i + 1}`, name, i === 0 || doc.access !== "dynamic-page");
      state(doc.root).children?.push(page as unknown as FakeSceneNode);
      state(page).parent = doc.root;
    });
    doc.currentPage = doc.root.children[0]!;
    this.doc = doc;
    this.figma = new FakePluginApi(doc, options.command ?? "", options.viewportCenter ?? { x: 0, y: 0 });
  }

  get pages(): readonly FakePage[] {
    return this.doc.root.children;
  }
  get currentPage(): FakePage {
    return this.doc.currentPage;
  }
  /** Copies of what the plugin sent with figma.ui.postMessage, oldest first. */
  get posted(): readonly unknown[] {
    return this.doc.records.posted;
  }
  /**
   * Calls `listener` with each message the plugin posts from now on, as it is posted (a page that shows the
   * UI forwards them to its iframe): the copy `posted` records, so read it without changing it. A listener
   * that throws does not make postMessage throw. Returns the function that stops it.
   */
  onPosted(listener: PostListener): () => void {
    return listenToPosts(this.figma.ui, listener);
  }
  get notifications(): readonly NotificationRecord[] {
    return this.doc.records.notifications;
  }
  /** Undo steps: `undo.steps` (committed), `undo.pending()` (since the last commit), `undo.commits`. */
  get undo(): UndoLog {
    return this.doc.undo;
  }
  /** Node ids passed to each figma.viewport.scrollAndZoomIntoView call. */
  get scrolledTo(): readonly string[][] {
    return this.doc.records.scrolledTo;
  }
  get shownUI(): readonly ShownUI[] {
    return this.doc.records.shownUI;
  }
  get ui(): ReturnType<typeof uiState> {
    return uiState(this.figma.ui);
  }
  get exports(): readonly ExportRecord[] {
    return this.doc.records.exports;
  }
  /** The message figma.closePlugin was called with ("" without one), or null while the plugin runs. */
  get closedWith(): string | null {
    return this.doc.records.closedWith;
  }

  /** A copy of a client storage value, as the plugin would read it. */
  stored(key: string): unknown {
    const values = this.figma.clientStorage[PRIVATE].values;
    return values.has(key) ? structuredCopy(values.get(key), "clientStorage") : undefined;
  }

  /** Any node by id, removed or not, on any page (no dynamic-page rules: this is the test's view). */
  node(id: string): FakeBaseNode | undefined {
    return this.doc.nodes.get(id);
  }

  /** The first node with this name, on any page. */
  named(name: string): FakeBaseNode | undefined {
    for (const node of this.doc.nodes.values()) if (!state(node).removed && node.name === name) return node;
    return undefined;
  }

  /**
   * Sends a message from the UI to the plugin, as `parent.postMessage({ pluginMessage: message }, "*")`
   * does: figma.ui.onmessage and every figma.ui.on("message") listener get a copy. Returns what onmessage
   * returned (a handler that returns its promise can be awaited).
   */
  deliver(message: unknown, origin = "null"): unknown {
    return deliverToPlugin(this.figma.ui, message, origin);
  }

  /** The user opens another page (allowed whatever documentAccess says). */
  switchPage(page: FakePage): void {
    switchPage(this.doc, page, "switchPage");
  }

  /** Figma starts the plugin: the "run" event (plugin-api.d.ts, RunEvent: { parameters?, command }). */
  run(parameters?: ParameterValues): void {
    this.doc.events.emit("run", { command: this.figma.command, parameters });
  }

  /** The user closes the plugin: "close" fires and the API shuts (plugin-api.d.ts, PluginAPI.on, "close"). */
  closeByUser(): void {
    closeDoc(this.doc, "");
  }

  /** Waits until queued events ("selectionchange", "currentpagechange") have reached their listeners. */
  settle(): Promise<void> {
    return this.doc.events.settled();
  }

  /** Forgets the records and the undo log (e.g. after building a scene). */
  clearRecords(): void {
    const r = this.doc.records;
    r.posted.length = 0;
    r.notifications.length = 0;
    r.scrolledTo.length = 0;
    r.shownUI.length = 0;
    r.exports.length = 0;
    this.doc.undo.clear();
  }

  /**
   * A rectangle on the current page showing `bytes` (PNG, JPEG or GIF) at its pixel size, as a designer
   * dropping an image in gets; `scaleMode` defaults to FILL.
   */
  async placeImage(bytes: Uint8Array, init: { x?: number; y?: number; name?: string; scaleMode?: ImagePaint["scaleMode"] } = {}): Promise<FakeRectangle> {
    const image = this.figma.createImage(bytes);
    const { width, height } = await image.getSizeAsync();
    const rect = this.figma.createRectangle();
    rect.resize(width, height);
    rect.x = init.x ?? 0;
    rect.y = init.y ?? 0;
    rect.name = init.name ?? "Image";
    rect.fills = [{ type: "IMAGE", imageHash: image.hash, scaleMode: init.scaleMode ?? "FILL" }];
    return rect;
  }
}

export function createFakeFigma(options?: FakeFigmaOptions): FakeFigma {
  return new FakeFigma(options);
}
