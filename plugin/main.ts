// Sandbox entry: show the panel, answer its messages, and keep it told about the selection.
import { createDispatcher } from "./dispatch.ts";
import { createHandlers } from "./handlers.ts";
import { realFigmaPort } from "./real-figma.ts";
import { summarizeSelection } from "./selection.ts";

figma.showUI(__html__, { width: 360, height: 600, themeColors: true, title: "Image Studio" });

const port = realFigmaPort(figma);
const dispatch = createDispatcher(port, createHandlers(port));

figma.ui.onmessage = (message: unknown) => {
  dispatch(message).catch((error: unknown) => {
    port.notify(`Image Studio: ${error instanceof Error ? error.message : String(error)}`.slice(0, 100), { error: true });
  });
};

figma.on("selectionchange", () => {
  port.postMessage({ type: "selection", selection: summarizeSelection(port) });
});
