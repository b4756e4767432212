// One dispatcher for every message from the UI: parse with the core schema, then call the one handler of
// that type. The iframe is a separate trust domain, so a malformed message is dropped, never half-handled.
import { uiToPluginSchema, type UIToPlugin } from "../core/messages.ts";
import type { FigmaPort } from "./figma-port.ts";

export type Handlers = {
  [K in UIToPlugin["type"]]: (message: Extract<UIToPlugin, { type: K }>) => void | Promise<void>;
};

export function createDispatcher(port: FigmaPort, handlers: Handlers): (raw: unknown) => Promise<void> {
  return async (raw) => {
    const parsed = uiToPluginSchema.safeParse(raw);
    if (!parsed.success) {
      port.notify("Image Studio ignored a malformed message from its panel", { error: true });
      return;
    }
    const message = parsed.data;
    // TS cannot correlate the union member with its handler; the mapped type above guarantees it.
    const handler = handlers[message.type] as (m: UIToPlugin) => void | Promise<void>;
    await handler(message);
  };
}
