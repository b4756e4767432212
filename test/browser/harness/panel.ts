// Figma's part between the plugin and its panel: the html the plugin passed to figma.showUI shown in a
// sandboxed iframe (origin "null"), what the plugin posts delivered to it as { pluginMessage, pluginId },
// and what it posts as { pluginMessage } delivered to the plugin. Both directions are recorded.
import type { FakeFigma } from "../../../plugin/testing/fake-figma/index.ts";
import type { ReceivedMessage } from "./contract.ts";

export interface PanelChannel {
  /** The messages the panel sent, with how many images each carried. */
  readonly received: ReceivedMessage[];
  /** Called with each message the plugin posts, after it is recorded. */
  onPosted(listener: (message: unknown) => void): void;
  /** Shows the UI the plugin asked for (figma.showUI); resolves once its page has loaded. */
  show(theme: "light" | "dark"): Promise<void>;
}

/** A message's `type` ("" for a message without one). */
export const messageType = (message: unknown): string =>
  typeof message === "object" && message !== null && "type" in message && typeof message.type === "string" ? message.type : "";

/** Byte arrays anywhere in a message: each is one image crossing. */
function countImages(value: unknown, seen = new Set<unknown>()): number {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return 1;
  if (typeof value !== "object" || value === null || seen.has(value)) return 0;
  seen.add(value);
  let count = 0;
  for (const item of Object.values(value)) count += countImages(item, seen);
  return count;
}

export function connectPanel(fake: FakeFigma, frame: HTMLIFrameElement): PanelChannel {
  const received: ReceivedMessage[] = [];
  const listeners: ((message: unknown) => void)[] = [];
  // Until the panel's page has loaded, a message posted to the frame would reach the blank page before it.
  let queue: unknown[] | null = [];
  const send = (message: unknown) => frame.contentWindow?.postMessage({ pluginMessage: message, pluginId: fake.figma.pluginId }, "*");

  fake.onPosted((message) => {
    if (queue) queue.push(message);
    else send(message);
    for (const listener of listeners) listener(message);
  });

  window.addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow) return;
    const data: unknown = event.data;
    if (typeof data !== "object" || data === null || !("pluginMessage" in data)) return;
    received.push({ type: messageType(data.pluginMessage), images: countImages(data.pluginMessage) });
    try {
      fake.deliver(data.pluginMessage);
    } catch {
      // A throw from the plugin's handler is in the sandbox's errors already; Figma drops it too.
    }
  });

  return {
    received,
    onPosted: (listener) => void listeners.push(listener),
    async show(theme) {
      const shown = fake.shownUI.at(-1);
      if (!shown) throw new Error("the plugin did not call figma.showUI");
      const { html, options } = shown;
      // themeColors: Figma puts its theme class on the UI's <html> (developers.figma.com, "CSS Variables and Theming").
      frame.srcdoc = options?.themeColors ? html.replace(/<html([^>]*)>/i, `<html$1 class="figma-${theme}">`) : html;
      frame.style.width = `${options?.width ?? 300}px`;
      frame.style.height = `${options?.height ?? 200}px`;
      await new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
      const waiting = queue ?? [];
      queue = null;
      for (const message of waiting) send(message);
    },
  };
}
