// Panel entry: zod's settings before any schema is built, fallbacks for Figma's theme variables, then the
// panel's styles.
import "./zod-config.ts";
import "./theme-fallback.css";
import "./styles.css";
import { render } from "preact";
import { App } from "./app.tsx";
import { createPluginBridge } from "./connection/plugin-bridge.ts";

const root = document.getElementById("app");
if (root) render(<App bridge={createPluginBridge()} />, root);
