// The FigmaPort backed by the real `figma` global. Kept free of logic: it cannot be tested without Figma.
import type { PluginToUI } from "../core/messages.ts";
import type { FigmaPort, PortParent, PortRectangle } from "./figma-port.ts";

// The logic only hands back nodes this adapter gave it (figma.currentPage, parents of selected nodes and
// rectangles from createRectangle), so narrowing them back to Figma's own node types is sound.
const asScene = (nodes: readonly PortRectangle[]) => nodes as readonly SceneNode[];
const asContainer = (parent: PortParent) => parent as BaseNode & ChildrenMixin;

export function realFigmaPort(api: PluginAPI): FigmaPort {
  return {
    command: api.command,
    mixed: api.mixed,
    selection: () => api.currentPage.selection,
    setSelection: (nodes) => {
      api.currentPage.selection = asScene(nodes);
    },
    currentPage: () => api.currentPage,
    viewportCenter: () => api.viewport.center,
    createImage: (bytes) => api.createImage(bytes),
    createRectangle: () => api.createRectangle(),
    appendChild: (parent, node) => asContainer(parent).appendChild(node as SceneNode),
    scrollAndZoomIntoView: (nodes) => api.viewport.scrollAndZoomIntoView(asScene(nodes)),
    clientStorage: api.clientStorage,
    postMessage: (message: PluginToUI) => api.ui.postMessage(message),
    notify: (message, options) => {
      api.notify(message, options);
    },
    commitUndo: () => api.commitUndo(),
  };
}
