// A fake of the `figma` global for the browser harness: just enough canvas for the real dist/plugin.js to
// run in the page: selection, a page with children, images, rectangles, client storage, the UI channel.
// The unit tests' typed fake lives in plugin/testing/; this one plays the same part for the real bundle.
export function createFakeFigma({ frame, storage, selection }) {
  let nextId = 1;
  const id = () => `${nextId++}:1`;
  const images = new Map();
  const canvas = { nodes: [], undoSteps: 0, notifications: [], scrolledTo: [], images };
  const listeners = {};
  let onmessage = null;

  const page = { id: id(), type: "PAGE", name: "Page 1", children: [] };
  page.appendChild = (node) => {
    if (node.parent) node.parent.children.splice(node.parent.children.indexOf(node), 1);
    node.parent = page;
    page.children.push(node);
  };
  let currentSelection = [];
  for (const s of selection) {
    const node = { id: id(), type: "FRAME", name: s.name, x: s.x, y: s.y, width: s.width, height: s.height, parent: page, fills: [], children: [] };
    node.absoluteBoundingBox = { x: s.x, y: s.y, width: s.width, height: s.height };
    node.getPluginData = () => "";
    page.children.push(node);
    currentSelection.push(node);
  }
  Object.defineProperty(page, "selection", {
    get: () => currentSelection,
    set: (nodes) => {
      currentSelection = [...nodes];
      listeners.selectionchange?.forEach((cb) => cb());
    },
  });

  function createRectangle() {
    const data = {};
    const node = {
      id: id(), type: "RECTANGLE", name: "Rectangle", x: 0, y: 0, width: 100, height: 100, fills: [], parent: null, relaunch: null,
      resize(w, h) { node.width = w; node.height = h; },
      setPluginData(k, v) { data[k] = String(v); },
      getPluginData(k) { return data[k] ?? ""; },
      setRelaunchData(d) { node.relaunch = { ...d }; },
      remove() { if (node.parent) node.parent.children.splice(node.parent.children.indexOf(node), 1); },
      pluginData: data,
    };
    Object.defineProperty(node, "absoluteBoundingBox", { get: () => ({ x: node.x, y: node.y, width: node.width, height: node.height }) });
    canvas.nodes.push(node);
    return node;
  }

  const PNG = [137, 80, 78, 71, 13, 10, 26, 10];
  const figma = {
    command: "",
    mixed: Symbol("mixed"),
    currentPage: page,
    viewport: { center: { x: 2000, y: 1500 }, scrollAndZoomIntoView: (nodes) => canvas.scrolledTo.push(nodes.map((n) => n.id)) },
    showUI: (html, options) => {
      canvas.showUI = options;
      frame.srcdoc = html;
    },
    ui: {
      // Figma wraps what the sandbox posts in { pluginMessage } for the iframe.
      postMessage: (msg) => frame.contentWindow.postMessage({ pluginMessage: msg, pluginId: "harness" }, "*"),
      set onmessage(fn) { onmessage = fn; },
      get onmessage() { return onmessage; },
    },
    on: (event, cb) => (listeners[event] ??= []).push(cb),
    createImage: (bytes) => {
      // Real Figma throws for anything but PNG/JPEG/GIF; check the signature the same way.
      if (!(bytes instanceof Uint8Array) || !PNG.every((b, i) => bytes[i] === b) && !(bytes[0] === 0xff && bytes[1] === 0xd8))
        throw new Error("Image type is unsupported");
      const hash = `img-${images.size + 1}`;
      images.set(hash, bytes);
      return { hash };
    },
    createRectangle,
    clientStorage: {
      getAsync: async (key) => structuredClone(storage[key]),
      setAsync: async (key, value) => { storage[key] = structuredClone(value); },
    },
    notify: (message, options) => canvas.notifications.push({ message, error: Boolean(options?.error) }),
    commitUndo: () => canvas.undoSteps++,
  };

  // Messages from the panel reach the sandbox's figma.ui.onmessage with the envelope removed.
  window.addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow) return;
    const msg = event.data && event.data.pluginMessage;
    if (msg !== undefined && onmessage) onmessage(msg);
  });
  return { figma, canvas, page };
}
