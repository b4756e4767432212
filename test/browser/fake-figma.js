// A fake of the `figma` global for the browser harness: just enough canvas for the real dist/plugin.js to
// run in the page: selection, a page with children, image fills, rectangles, frames, clones, exports drawn
// with the browser's own canvas, client storage, the UI channel.
// The unit tests' typed fake lives in plugin/testing/; this one plays the same part for the real bundle.

/** A PNG of `width` x `height`: a flat backdrop with a coloured disc, so edits have a subject to work on. */
export async function photoPng(width, height) {
  const c = new OffscreenCanvas(width, height);
  const g = c.getContext("2d");
  g.fillStyle = "#dfe9f2";
  g.fillRect(0, 0, width, height);
  g.fillStyle = "#d2452d";
  g.beginPath();
  g.ellipse(width / 2, height / 2, width / 4, height / 4, 0, 0, Math.PI * 2);
  g.fill();
  return new Uint8Array(await (await c.convertToBlob({ type: "image/png" })).arrayBuffer());
}

const css = (paint) => `rgb(${Math.round(paint.color.r * 255)},${Math.round(paint.color.g * 255)},${Math.round(paint.color.b * 255)})`;
const solid = (paints) => (Array.isArray(paints) ? paints.find((p) => p.type === "SOLID" && p.visible !== false) : undefined);

/**
 * `selection`: [{ name, x, y, width, height, type?, image?: { width, height }, color? }]. With `image` the
 * node is a rectangle with an image fill of that pixel size; with `color` a shape filled with it.
 * `selected`: the names selected at start (default: all of them).
 */
export async function createFakeFigma({ frame, storage, selection, selected }) {
  let nextId = 1;
  const id = () => `${nextId++}:1`;
  const images = new Map();
  const canvas = { nodes: [], given: [], undoSteps: 0, notifications: [], scrolledTo: [], images, exported: [], frames: [] };
  const byId = new Map();
  const listeners = {};
  let onmessage = null;

  function addImage(bytes) {
    const hash = `img-${images.size + 1}`;
    images.set(hash, bytes);
    return hash;
  }

  function detach(node) {
    if (node.parent) node.parent.children.splice(node.parent.children.indexOf(node), 1);
    node.parent = null;
  }

  const page = { id: id(), type: "PAGE", name: "Page 1", children: [] };
  page.appendChild = (node) => {
    detach(node);
    node.parent = page;
    page.children.push(node);
  };

  /** Draws a node's picture: a frame with its children (rectangles and ellipses by their transform), or a flat box. */
  async function exportAsync(node, settings = {}) {
    const k = settings.constraint;
    const scale = !k ? 1 : k.type === "WIDTH" ? k.value / node.width : k.type === "HEIGHT" ? k.value / node.height : k.value;
    const c = new OffscreenCanvas(Math.round(node.width * scale), Math.round(node.height * scale));
    const g = c.getContext("2d");
    g.scale(scale, scale);
    const back = solid(node.fills);
    g.fillStyle = back ? css(back) : "#cccccc";
    g.fillRect(0, 0, node.width, node.height);
    for (const child of node.children ?? []) {
      if (child.visible === false) continue;
      const paint = solid(child.fills) ?? solid(child.strokes);
      if (!paint) continue;
      const [[a, cc, e], [b, d, f]] = child.relativeTransform;
      g.save();
      g.transform(a, b, cc, d, e, f);
      g.fillStyle = css(paint);
      g.beginPath();
      if (child.type === "ELLIPSE") g.ellipse(child.width / 2, child.height / 2, child.width / 2, child.height / 2, 0, 0, Math.PI * 2);
      else g.rect(0, 0, child.width, child.height);
      g.fill();
      g.restore();
    }
    return new Uint8Array(await (await c.convertToBlob({ type: "image/png" })).arrayBuffer());
  }

  function sceneNode(fields) {
    const data = {};
    const node = {
      id: id(), x: 0, y: 0, width: 100, height: 100, fills: [], strokes: [], effects: [], opacity: 1, visible: true, parent: null, relaunch: null, removed: false,
      ...fields,
      resize(w, h) { node.width = w; node.height = h; },
      setPluginData(k, v) { data[k] = String(v); },
      getPluginData(k) { return data[k] ?? ""; },
      setRelaunchData(d) { node.relaunch = { ...d }; },
      remove() { detach(node); node.removed = true; for (const c of node.children ?? []) c.removed = true; },
      exportAsync: (settings) => exportAsync(node, settings),
      clone() {
        const copy = sceneNode({ type: node.type, name: node.name, width: node.width, height: node.height, fills: node.fills, strokes: node.strokes, relativeTransform: node.absoluteTransform });
        page.appendChild(copy);
        return copy;
      },
      pluginData: data,
    };
    // x and y are the translation of the relative transform, as in Figma; the linear part is kept beside them.
    let linear = [[1, 0], [0, 1]];
    const initial = node.relativeTransform;
    delete node.relativeTransform;
    Object.defineProperty(node, "relativeTransform", {
      get: () => [[linear[0][0], linear[0][1], node.x], [linear[1][0], linear[1][1], node.y]],
      set: (m) => {
        linear = [[m[0][0], m[0][1]], [m[1][0], m[1][1]]];
        node.x = m[0][2];
        node.y = m[1][2];
      },
    });
    if (initial) node.relativeTransform = initial;
    Object.defineProperty(node, "absoluteTransform", {
      get: () => {
        const [[a, c, e], [b, d, f]] = node.relativeTransform;
        const p = node.parent && node.parent.type !== "PAGE" ? node.parent.absoluteTransform : [[1, 0, 0], [0, 1, 0]];
        return [
          [p[0][0] * a + p[0][1] * b, p[0][0] * c + p[0][1] * d, p[0][0] * e + p[0][1] * f + p[0][2]],
          [p[1][0] * a + p[1][1] * b, p[1][0] * c + p[1][1] * d, p[1][0] * e + p[1][1] * f + p[1][2]],
        ];
      },
    });
    Object.defineProperty(node, "absoluteBoundingBox", { get: () => ({ x: node.absoluteTransform[0][2], y: node.absoluteTransform[1][2], width: node.width, height: node.height }) });
    byId.set(node.id, node);
    return node;
  }

  let currentSelection = [];
  for (const s of selection) {
    const fills = s.image
      ? [{ type: "IMAGE", imageHash: addImage(await photoPng(s.image.width, s.image.height)), scaleMode: "FILL" }]
      : s.color
        ? [{ type: "SOLID", color: s.color }]
        : [];
    const node = sceneNode({ type: s.type ?? (s.image ? "RECTANGLE" : "FRAME"), name: s.name, x: s.x, y: s.y, width: s.width, height: s.height, fills, children: [] });
    page.appendChild(node);
    canvas.given.push(node);
    if (!selected || selected.includes(s.name)) currentSelection.push(node);
  }
  Object.defineProperty(page, "selection", {
    get: () => currentSelection,
    set: (nodes) => {
      currentSelection = [...nodes];
      listeners.selectionchange?.forEach((cb) => cb());
    },
  });

  function createRectangle() {
    const node = sceneNode({ type: "RECTANGLE", name: "Rectangle" });
    canvas.nodes.push(node);
    return node;
  }

  function createFrame() {
    const node = sceneNode({ type: "FRAME", name: "Frame", fills: [{ type: "SOLID", color: { r: 1, g: 1, b: 1 } }], clipsContent: true, children: [] });
    node.appendChild = (child) => {
      detach(child);
      child.parent = node;
      node.children.push(child);
    };
    page.appendChild(node);
    canvas.frames.push(node);
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
      postMessage: (msg) => {
        if (msg.type === "exported") canvas.exported.push(msg);
        frame.contentWindow.postMessage({ pluginMessage: msg, pluginId: "harness" }, "*");
      },
      set onmessage(fn) { onmessage = fn; },
      get onmessage() { return onmessage; },
    },
    on: (event, cb) => (listeners[event] ??= []).push(cb),
    getNodeByIdAsync: async (nodeId) => {
      const node = byId.get(nodeId);
      return node && !node.removed ? node : null;
    },
    getImageByHash: (hash) => {
      const bytes = images.get(hash);
      if (!bytes) return null;
      return {
        hash,
        getBytesAsync: async () => bytes,
        getSizeAsync: async () => {
          const bitmap = await createImageBitmap(new Blob([bytes]));
          return { width: bitmap.width, height: bitmap.height };
        },
      };
    },
    createImage: (bytes) => {
      // Real Figma throws for anything but PNG/JPEG/GIF; check the signature the same way.
      if (!(bytes instanceof Uint8Array) || !PNG.every((b, i) => bytes[i] === b) && !(bytes[0] === 0xff && bytes[1] === 0xd8))
        throw new Error("Image type is unsupported");
      return { hash: addImage(bytes) };
    },
    createRectangle,
    createFrame,
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
  /** Selects the given nodes by name, as a click on the canvas would (firing selectionchange). */
  const select = (names) => {
    page.selection = names.map((n) => canvas.given.find((g) => g.name === n));
  };
  return { figma, canvas, page, select };
}
