// The FigmaPort backed by the real `figma` global. Kept free of logic: it cannot be tested without Figma.
import type { PluginToUI } from "../core/messages.ts";
import type { FigmaPort, PortFrame, PortParent, PortPlaced, PortShape } from "./figma-port.ts";

// The logic only hands back nodes this adapter gave it (figma.currentPage, selected nodes and their parents,
// nodes found by id, and rectangles, frames and clones it created), so narrowing them back to Figma's own
// node types is sound.
const asScene = (nodes: readonly PortPlaced[]) => nodes as readonly SceneNode[];
const asContainer = (parent: PortParent | PortFrame) => parent as BaseNode & ChildrenMixin;

export function realFigmaPort(api: PluginAPI): FigmaPort {
  return {
    command: api.command,
    mixed: api.mixed,
    selection: () => api.currentPage.selection,
    setSelection: (nodes, page) => {
      (page ? (page as PageNode) : api.currentPage).selection = asScene(nodes);
    },
    currentPage: () => api.currentPage,
    viewportCenter: () => api.viewport.center,
    getNodeByIdAsync: async (id) => {
      const node = await api.getNodeByIdAsync(id);
      return node && node.type !== "PAGE" && node.type !== "DOCUMENT" && !node.removed ? node : null;
    },
    getImageByHash: (hash) => api.getImageByHash(hash),
    createImage: (bytes) => api.createImage(bytes),
    createRectangle: () => api.createRectangle(),
    createFrame: () => api.createFrame(),
    cloneShape: (node) => (node as SceneNode).clone() as SceneNode as PortShape,
    appendChild: (parent, node) => asContainer(parent).appendChild(node as SceneNode),
    appendToFrame: (frame, node) => asContainer(frame).appendChild(node as SceneNode),
    // useAbsoluteBounds: exactly the node's bounds, not widened by its shadows (ExportSettingsImage).
    exportPng: (node, constraint) => (node as SceneNode).exportAsync({ format: "PNG", useAbsoluteBounds: true, ...(constraint ? { constraint } : {}) }),
    scrollAndZoomIntoView: (nodes) => api.viewport.scrollAndZoomIntoView(asScene(nodes)),
    clientStorage: api.clientStorage,
    documentData: { get: (key) => api.root.getPluginData(key), set: (key, value) => api.root.setPluginData(key, value) },
    postMessage: (message: PluginToUI) => api.ui.postMessage(message),
    notify: (message, options) => {
      api.notify(message, options);
    },
    commitUndo: () => api.commitUndo(),
  };
}
