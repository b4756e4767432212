// The panel says when it listens; answering then avoids racing its first render.
import { relaunchProvenance } from "../relaunch.ts";
import { summarizeSelection } from "../selection.ts";
import { loadSettings } from "../settings.ts";
import type { Handler } from "./context.ts";

export const ready: Handler<"ready"> = async ({ port }) => {
  const relaunch = relaunchProvenance(port);
  port.postMessage({
    type: "init",
    settings: await loadSettings(port),
    selection: await summarizeSelection(port),
    ...(relaunch ? { relaunch } : {}),
  });
};
