// The sandbox's answer to each UI message: one handler per file, bound here to one context.
import type { Handlers } from "../dispatch.ts";
import type { FigmaPort } from "../figma-port.ts";
import { PendingPlacements } from "../pending-placements.ts";
import { selectionFeed } from "../selection.ts";
import { documentProject } from "./document-project.ts";
import { exportImage } from "./export-image.ts";
import { notify } from "./notify.ts";
import { placeCommit } from "./place-commit.ts";
import { placeImage } from "./place-image.ts";
import { ready } from "./ready.ts";
import { saveSettingsHandler } from "./save-settings.ts";

/** `refreshSelection`: main.ts passes the same feed it runs on selectionchange. */
export function createHandlers(port: FigmaPort, refreshSelection: () => Promise<void> = selectionFeed(port)): Handlers {
  const context = { port, pending: new PendingPlacements(), refreshSelection };
  return {
    ready: (m) => ready(context, m),
    "save-settings": (m) => saveSettingsHandler(context, m),
    "place-image": (m) => placeImage(context, m),
    "place-commit": (m) => placeCommit(context, m),
    "export-image": (m) => exportImage(context, m),
    notify: (m) => notify(context, m),
    "document-project": (m) => documentProject(context, m),
  };
}
