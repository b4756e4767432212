// The sandbox's answer to each UI message, against the port.
import type { Handlers } from "./dispatch.ts";
import { exportForJob } from "./export-image.ts";
import type { FigmaPort } from "./figma-port.ts";
import { placeImages } from "./placement.ts";
import { relaunchProvenance } from "./relaunch.ts";
import { selectionFeed, summarizeSelection } from "./selection.ts";
import { loadSettings, saveSettings } from "./settings.ts";

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `refreshSelection` re-sends the selection summary (main.ts passes the same feed it runs on
 * selectionchange): after a placement, since replacing a fill changes the image's size without Figma
 * seeing a new selection.
 */
export function createHandlers(port: FigmaPort, refreshSelection: () => Promise<void> = selectionFeed(port)): Handlers {
  return {
    // The panel says when it listens; answering then avoids racing its first render.
    ready: async () => {
      const relaunch = relaunchProvenance(port);
      port.postMessage({
        type: "init",
        settings: await loadSettings(port),
        selection: await summarizeSelection(port),
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
    "place-images": async (message) => {
      try {
        const nodeIds = await placeImages(port, message);
        port.postMessage({ type: "placed", requestId: message.requestId, nodeIds });
      } catch (error) {
        port.postMessage({ type: "place-failed", requestId: message.requestId, message: messageOf(error) });
        return;
      }
      await refreshSelection().catch(() => undefined);
    },
    "export-image": async (message) => {
      try {
        port.postMessage({ type: "exported", requestId: message.requestId, ...(await exportForJob(port, message)) });
      } catch (error) {
        port.postMessage({ type: "export-failed", requestId: message.requestId, message: messageOf(error) });
      }
    },
    notify: (message) => port.notify(message.message, { error: message.error }),
  };
}
