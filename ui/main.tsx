// Panel entry: fallbacks for Figma's theme variables first, then the panel's styles.
import "./theme-fallback.css";
import "./styles.css";
import { render } from "preact";
import { App } from "./app.tsx";
import { createPluginBridge } from "./plugin-bridge.ts";

const root = document.getElementById("app");
if (root) render(<App bridge={createPluginBridge()} />, root);
