// The `figma` object (plugin-api.d.ts, PluginAPI): the subset this plugin uses plus what tests need to build
// scenes. Everything a test reads back (posted messages, notifications, undo steps...) is kept in the
// document state behind a private symbol and read through FakeFigma (fake.ts), never through `figma`.
import { pageOf } from "./ancestry.ts";
import { checkEventType, type Listener } from "./events.ts";
import { frozenCopy } from "./freeze.ts";
import { absoluteOf, containerTransform, setRelative } from "./geometry.ts";
import type { FakeImage } from "./images.ts";
import { checkOpen, INTERNAL, PRIVATE, state, type Doc } from "./internal.ts";
import { invert, multiply } from "./matrix.ts";
import { FakeComponent, FakeFrame } from "./nodes/frames.ts";
import { FakeGroup } from "./nodes/group.ts";
import type { FakeDocumentNode, FakePage } from "./nodes/page.ts";
import { FakeSection } from "./nodes/section.ts";
import { DEFAULT_SHAPE_FILL, FakeEllipse, FakeRectangle } from "./nodes/shapes.ts";
import type { FakeBaseNode, FakeParentNode, FakeSceneNode, Named } from "./nodes/types.ts";
import { FakeNotificationHandler, notify } from "./notify.ts";
import { FakeClientStorage } from "./storage.ts";
import { checkMove, insertChild, place } from "./tree.ts";
import { FakeUI, showUI } from "./ui.ts";
import { FakeViewport } from "./viewport.ts";

/**
 * developers.figma.com/docs/plugins/api/api-errors: under "documentAccess": "dynamic-page", synchronous
 * operations that are not compatible "will trigger an error of type `Cannot call with documentAccess:
 * dynamic-page. Use figma.getNodeByIdAsync() instead`". The exact texts below are the ones plugins report
 * ("in getNodeById: ..." and, for the currentPage setter, "... Use figma.setCurrentPageAsync instead.").
 */
const DYNAMIC_PAGE = "Cannot call with documentAccess: dynamic-page.";

const isNode = (value: unknown): value is FakeBaseNode => value !== null && typeof value === "object" && INTERNAL in value;
const isSceneNode = (value: unknown): value is FakeSceneNode => isNode(value) && value.type !== "PAGE" && value.type !== "DOCUMENT";

type ApiEvent = "selectionchange" | "currentpagechange" | "close" | "run";

export class FakePluginApi
  implements
    Pick<
      PluginAPI,
      "apiVersion" | "command" | "editorType" | "mode" | "pluginId" | "mixed" | "showUI" | "notify" | "commitUndo" | "closePlugin" | "createImage" | "getImageByHash" | "loadAllPagesAsync"
    >,
    Named<
      PluginAPI,
      | "root"
      | "currentPage"
      | "setCurrentPageAsync"
      | "getNodeById"
      | "getNodeByIdAsync"
      | "ui"
      | "viewport"
      | "clientStorage"
      | "createRectangle"
      | "createEllipse"
      | "createFrame"
      | "createComponent"
      | "createSection"
      | "group"
      | "on"
      | "once"
      | "off"
    >
{
  readonly [PRIVATE]: Doc;
  readonly apiVersion = "1.0.0";
  readonly editorType = "figma";
  readonly mode = "default";
  /** plugin-api.d.ts, PluginAPI.command: "The currently executing command from the `manifest.json` file". */
  readonly command: string;
  readonly pluginId: string;
  /** plugin-api.d.ts, PluginAPI.mixed: "a unique, constant value that can be compared against". */
  readonly mixed: PluginAPI["mixed"];
  readonly ui: FakeUI;
  readonly viewport: FakeViewport;
  readonly clientStorage: FakeClientStorage;

  constructor(doc: Doc, command: string, viewportCenter: Vector) {
    this[PRIVATE] = doc;
    this.command = command;
    this.pluginId = doc.pluginId;
    this.mixed = doc.mixed as PluginAPI["mixed"];
    this.ui = new FakeUI(doc);
    this.viewport = new FakeViewport(doc, viewportCenter);
    this.clientStorage = new FakeClientStorage(doc);
  }

  /** plugin-api.d.ts, PluginAPI.root: "The root of the entire Figma document." */
  get root(): FakeDocumentNode {
    checkOpen(this[PRIVATE], "root");
    return this[PRIVATE].root;
  }

  get currentPage(): FakePage {
    checkOpen(this[PRIVATE], "currentPage");
    return this[PRIVATE].currentPage;
  }
  /**
   * plugin-api.d.ts, PluginAPI.currentPage: "If the manifest contains `"documentAccess": "dynamic-page"`,
   * this property is read-only. Use PluginAPI.setCurrentPageAsync to update the value."
   */
  set currentPage(page: FakePage) {
    const doc = this[PRIVATE];
    checkOpen(doc, "set_currentPage");
    if (doc.access === "dynamic-page") throw new Error(`in set_currentPage: ${DYNAMIC_PAGE} Use figma.setCurrentPageAsync instead.`);
    switchPage(doc, page, "set_currentPage");
  }

  /** plugin-api.d.ts, PluginAPI.setCurrentPageAsync: "Switch the active page to the specified PageNode." */
  async setCurrentPageAsync(page: FakePage): Promise<void> {
    switchPage(this[PRIVATE], page, "setCurrentPageAsync");
  }

  /** plugin-api.d.ts, PluginAPI.loadAllPagesAsync: loads every page (dynamic-page). */
  async loadAllPagesAsync(): Promise<void> {
    for (const page of this[PRIVATE].root.children) state(page).loaded = true;
  }

  /**
   * plugin-api.d.ts, PluginAPI.getNodeById: "This function will throw an exception if the plugin manifest
   * contains `"documentAccess": "dynamic-page"`"; "If the id is invalid, or the node cannot be found (e.g.
   * removed), returns null."
   */
  getNodeById(id: string): FakeBaseNode | null {
    const doc = this[PRIVATE];
    checkOpen(doc, "getNodeById");
    if (doc.access === "dynamic-page") throw new Error(`in getNodeById: ${DYNAMIC_PAGE} Use figma.getNodeByIdAsync instead.`);
    return findNode(doc, id);
  }

  /** plugin-api.d.ts, PluginAPI.getNodeByIdAsync: finds a node on any page; "returns a promise containing null" if removed. */
  async getNodeByIdAsync(id: string): Promise<FakeBaseNode | null> {
    checkOpen(this[PRIVATE], "getNodeByIdAsync");
    return findNode(this[PRIVATE], id);
  }

  createImage(data: Uint8Array): FakeImage {
    checkOpen(this[PRIVATE], "createImage");
    return this[PRIVATE].images.add(data);
  }

  getImageByHash(hash: string): FakeImage | null {
    checkOpen(this[PRIVATE], "getImageByHash");
    return this[PRIVATE].images.get(hash);
  }

  /** plugin-api.d.ts, PluginAPI.createRectangle: "has a default fill, width and height both at 100, and is parented under `figma.currentPage`". */
  createRectangle(): FakeRectangle {
    const node = created(this[PRIVATE], "createRectangle", (doc) => new FakeRectangle(doc));
    state(node).fills = frozenCopy([DEFAULT_SHAPE_FILL]);
    return node;
  }

  /** plugin-api.d.ts, PluginAPI.createEllipse: as createRectangle. */
  createEllipse(): FakeEllipse {
    const node = created(this[PRIVATE], "createEllipse", (doc) => new FakeEllipse(doc));
    state(node).fills = frozenCopy([DEFAULT_SHAPE_FILL]);
    return node;
  }

  createFrame(): FakeFrame {
    return created(this[PRIVATE], "createFrame", (doc) => new FakeFrame(doc));
  }

  createComponent(): FakeComponent {
    return created(this[PRIVATE], "createComponent", (doc) => new FakeComponent(doc));
  }

  /** plugin-api.d.ts, PluginAPI.createSection: "Creates a new section". */
  createSection(): FakeSection {
    return created(this[PRIVATE], "createSection", (doc) => new FakeSection(doc));
  }

  /**
   * plugin-api.d.ts, PluginAPI.group: "This list must be non-empty as Figma does not support empty groups";
   * the nodes keep their place on the page ("It allows you to create the new group while keeping all the
   * grouped layers in the same absolute x/y locations"). Errors from
   * developers.figma.com/docs/plugins/api/properties/figma-group: "First argument must be an array of at
   * least one node", "Grouped nodes must be in the same page as the parent", and the reparenting errors.
   */
  group(nodes: readonly FakeSceneNode[], parent: FakeParentNode, index?: number): FakeGroup {
    const doc = this[PRIVATE];
    checkOpen(doc, "group");
    if (!Array.isArray(nodes) || nodes.length === 0 || !nodes.every(isSceneNode)) throw new Error("in group: First argument must be an array of at least one node");
    if (!isNode(parent) || state(parent).children === null) throw new Error(`in group: Expected "parent" to be a node with children`);
    const page = pageOf(parent);
    if (nodes.some((n) => pageOf(n) !== page)) throw new Error("in group: Grouped nodes must be in the same page as the parent");
    const siblings = state(parent).children ?? [];
    if (index !== undefined && (index < 0 || index > siblings.length)) throw new Error("in group: Cannot insert node at index greater than the number of existing siblings");
    // Moving a node into a new group in `parent` meets the same rules as moving it into `parent`.
    for (const node of nodes) checkMove(parent, node, "group");
    const absolute = nodes.map((n) => absoluteOf(n));
    const group = new FakeGroup(doc);
    place(group, parent, index);
    for (const node of nodes) insertChild(group, node, undefined, "group");
    nodes.forEach((node, i) => setRelative(node, multiply(invert(containerTransform(node)), absolute[i]!), "group"));
    doc.undo.noteCreated(group.id);
    return group;
  }

  on(type: ApiEvent, callback: Listener): void {
    this[PRIVATE].events.add(checkEventType(type), callback, false);
  }
  once(type: ApiEvent, callback: Listener): void {
    this[PRIVATE].events.add(checkEventType(type), callback, true);
  }
  off(type: ApiEvent, callback: Listener): void {
    this[PRIVATE].events.remove(checkEventType(type), callback);
  }

  showUI(html: string, options?: ShowUIOptions): void {
    const doc = this[PRIVATE];
    checkOpen(doc, "showUI");
    doc.records.shownUI.push({ html, options: options ? (JSON.parse(JSON.stringify(options)) as ShowUIOptions) : undefined });
    showUI(this.ui, options);
  }

  notify(message: string, options?: NotificationOptions): FakeNotificationHandler {
    return notify(this[PRIVATE], message, options);
  }

  commitUndo(): void {
    checkOpen(this[PRIVATE], "commitUndo");
    this[PRIVATE].undo.commit();
  }

  /**
   * plugin-api.d.ts, PluginAPI.closePlugin: "Calling `figma.closePlugin()` disables callbacks and Figma
   * APIs"; the "close" event "will trigger when the plugin is about to close, either from a call to
   * `figma.closePlugin()` or the user closing the plugin via the UI". Notifications with a button close too.
   */
  closePlugin(message?: string): void {
    closeDoc(this[PRIVATE], message ?? "");
    this.ui.close();
  }
}

/** plugin-api.d.ts, e.g. PluginAPI.createFrame: a new node "is parented under `figma.currentPage`". */
function created<T extends FakeSceneNode>(doc: Doc, op: string, make: (doc: Doc) => T): T {
  checkOpen(doc, op);
  const node = make(doc);
  place(node, doc.currentPage);
  doc.undo.noteCreated(node.id);
  return node;
}

function findNode(doc: Doc, id: string): FakeBaseNode | null {
  const node = doc.nodes.get(id);
  return node && !state(node).removed ? node : null;
}

export function switchPage(doc: Doc, page: unknown, op: string): void {
  if (!isNode(page) || page.type !== "PAGE" || state(page).doc !== doc) throw new Error(`in ${op}: Expected "page" to be a page of this document`);
  state(page).loaded = true;
  if (doc.currentPage === page) return;
  doc.currentPage = page;
  doc.events.schedule("currentpagechange");
}

export function closeDoc(doc: Doc, message: string): void {
  if (doc.closed) return;
  doc.events.emit("close");
  doc.records.closedWith = message;
  for (const n of doc.records.notifications) if (n.button) n.cancelled = true;
  doc.closed = true;
}
