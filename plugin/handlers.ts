// The sandbox's answer to each UI message, against the port.
import type { Handlers } from "./dispatch.ts";
import type { FigmaPort } from "./figma-port.ts";
import { placeImages } from "./placement.ts";
import { relaunchProvenance } from "./relaunch.ts";
import { summarizeSelection } from "./selection.ts";
import { loadSettings, saveSettings } from "./settings.ts";

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createHandlers(port: FigmaPort): Handlers {
  return {
    // The panel says when it listens; answering then avoids racing its first render.
    ready: async () => {
      const relaunch = relaunchProvenance(port);
      port.postMessage({
        type: "init",
        settings: await loadSettings(port),
        selection: summarizeSelection(port),
        ...(relaunch ? { relaunch } : {}),
      });
    },
    "save-settings": async (message) => {
      try {
        port.postMessage({ type: "settings-saved", settings: await saveSettings(port, message.settings) });
      } catch (error) {
        port.notify(messageOf(error).slice(0, 100), { error: true });
      }
    },
    "place-images": (message) => {
      try {
        const nodeIds = placeImages(port, message);
        port.postMessage({ type: "placed", requestId: message.requestId, nodeIds });
      } catch (error) {
        port.postMessage({ type: "place-failed", requestId: message.requestId, message: messageOf(error) });
      }
    },
    notify: (message) => port.notify(message.message, { error: message.error }),
  };
}
