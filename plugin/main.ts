// Sandbox entry: show the panel, answer its messages, and keep it told about the selection.
import { createDispatcher } from "./dispatch.ts";
import { createHandlers } from "./handlers/index.ts";
import { realFigmaPort } from "./real-figma.ts";
import { selectionFeed } from "./selection.ts";

figma.showUI(__html__, { width: 360, height: 600, themeColors: true, title: "Image Studio" });

const port = realFigmaPort(figma);
const onSelection = selectionFeed(port);
const dispatch = createDispatcher(port, createHandlers(port, onSelection));

figma.ui.onmessage = (message: unknown) => {
  dispatch(message).catch((error: unknown) => {
    port.notify(`Image Studio: ${error instanceof Error ? error.message : String(error)}`.slice(0, 100), { error: true });
  });
};

figma.on("selectionchange", () => {
  onSelection().catch(() => {
    // Summarizing reads image sizes; if Figma fails that, the panel keeps the last selection it heard of.
  });
});
