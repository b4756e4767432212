// figma.ui (plugin-api.d.ts, UIAPI): the channel to the plugin's iframe. What the plugin posts is recorded
// as Figma delivers it, a structured copy; messages from the UI reach onmessage and the "message" listeners
// through the FakeFigma helper deliver().
import { checkOpen, PRIVATE, type Doc } from "./internal.ts";
import { structuredCopy } from "./structured-copy.ts";

/** Told of each message the plugin posts (FakeFigma.onPosted): a test helper, not part of figma.ui. */
export type PostListener = (message: unknown) => void;

interface UIState {
  doc: Doc;
  postListeners: PostListener[];
  onmessage: MessageEventHandler | undefined;
  listeners: { callback: MessageEventHandler; once: boolean }[];
  visible: boolean;
  width: number;
  height: number;
  closed: boolean;
}

/** plugin-api.d.ts, OnMessageProperties.origin: "the origin of the document that sent the message". */
export type MessageOrigin = string;

export class FakeUI implements Pick<UIAPI, "postMessage" | "onmessage" | "on" | "once" | "off" | "show" | "hide" | "resize" | "close"> {
  readonly [PRIVATE]: UIState;

  constructor(doc: Doc) {
    this[PRIVATE] = { doc, postListeners: [], onmessage: undefined, listeners: [], visible: false, width: 0, height: 0, closed: false };
  }

  /**
   * plugin-api.d.ts, UIAPI.postMessage: the message "can be almost any data type or plain object, as long as
   * it's a serializable object"; the UI gets a structured clone. UIAPI.close: "you can no longer send
   * messages"; what Figma does with one sent anyway is not documented (the fake refuses it).
   */
  postMessage(pluginMessage: unknown, _options?: UIPostMessageOptions): void {
    const s = this[PRIVATE];
    checkOpen(s.doc, "ui.postMessage");
    if (s.closed) throw new Error("fake-figma: figma.ui.postMessage after figma.ui.close()");
    const copy = structuredCopy(pluginMessage, "figma.ui.postMessage");
    s.doc.records.posted.push(copy);
    for (const listener of s.postListeners.slice()) {
      try {
        listener(copy);
      } catch (error) {
        // A listener's failure is the test's, not the plugin's: it must not come out of postMessage.
        void Promise.reject(error);
      }
    }
  }

  get onmessage(): MessageEventHandler | undefined {
    return this[PRIVATE].onmessage;
  }
  set onmessage(handler: MessageEventHandler | undefined) {
    this[PRIVATE].onmessage = handler;
  }

  on(_type: "message", callback: MessageEventHandler): void {
    this[PRIVATE].listeners.push({ callback, once: false });
  }
  /** plugin-api.d.ts, UIAPI.once: "Same as `figma.ui.on("message")`, but only gets called the first time." */
  once(_type: "message", callback: MessageEventHandler): void {
    this[PRIVATE].listeners.push({ callback, once: true });
  }
  off(_type: "message", callback: MessageEventHandler): void {
    const s = this[PRIVATE];
    s.listeners = s.listeners.filter((l) => l.callback !== callback);
  }

  show(): void {
    this[PRIVATE].visible = true;
  }
  hide(): void {
    this[PRIVATE].visible = false;
  }
  /** plugin-api.d.ts, UIAPI.resize: "The minimum size is 70x0." (the fake clamps, as the wording suggests). */
  resize(width: number, height: number): void {
    this[PRIVATE].width = Math.max(70, width);
    this[PRIVATE].height = Math.max(0, height);
  }
  close(): void {
    this[PRIVATE].closed = true;
    this[PRIVATE].visible = false;
  }
}

/** Adds a listener for the plugin's posts; returns the function that removes it. */
export function listenToPosts(ui: FakeUI, listener: PostListener): () => void {
  const s = ui[PRIVATE];
  s.postListeners.push(listener);
  return () => void (s.postListeners = s.postListeners.filter((l) => l !== listener));
}

/** Calls the plugin's handlers with a copy of `message`, as Figma does for `parent.postMessage({ pluginMessage }, "*")`. */
export function deliverToPlugin(ui: FakeUI, message: unknown, origin: MessageOrigin): unknown {
  const s = ui[PRIVATE];
  checkOpen(s.doc, "ui.onmessage");
  if (s.closed) throw new Error("fake-figma: the plugin's UI was closed; it cannot send messages");
  const props: OnMessageProperties = { origin };
  const result = s.onmessage?.(structuredCopy(message, "a UI message"), props);
  for (const l of s.listeners.slice()) {
    if (l.once) s.listeners = s.listeners.filter((x) => x !== l);
    l.callback(structuredCopy(message, "a UI message"), props);
  }
  return result;
}

/**
 * developers.figma.com/docs/plugins/api/properties/figma-showui: visible "Defaults to true"; width "Defaults
 * to 300. Minimum is 70"; height "Defaults to 200. Minimum is 0".
 */
export function showUI(ui: FakeUI, options: ShowUIOptions | undefined): void {
  const s = ui[PRIVATE];
  s.visible = options?.visible ?? true;
  s.width = Math.max(70, options?.width ?? 300);
  s.height = Math.max(0, options?.height ?? 200);
  s.closed = false;
}

export function uiState(ui: FakeUI): { visible: boolean; width: number; height: number; closed: boolean; hasHandler: boolean } {
  const s = ui[PRIVATE];
  return { visible: s.visible, width: s.width, height: s.height, closed: s.closed, hasHandler: !!s.onmessage || s.listeners.length > 0 };
}
