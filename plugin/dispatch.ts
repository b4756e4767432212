// One dispatcher for every message from the UI: parse with the core schema, then call the one handler of
// that type. The iframe is a separate trust domain, so a malformed message is never half-handled; if it
// was a request the panel waits on, the panel gets that request's failure at once instead of a timeout.
import { pluginToUISchema, uiToPluginSchema, type PluginToUI, type UIToPlugin } from "../core/messages.ts";
import type { FigmaPort } from "./figma-port.ts";

export type Handlers = {
  [K in UIToPlugin["type"]]: (message: Extract<UIToPlugin, { type: K }>) => void | Promise<void>;
};

export const MALFORMED = "Image Studio ignored a malformed message from its panel";

/** The failure answer to a malformed request, when the raw message says which request it was. */
function failureFor(raw: unknown): PluginToUI | null {
  if (typeof raw !== "object" || raw === null) return null;
  const { type, requestId } = raw as { type?: unknown; requestId?: unknown };
  if (type === "save-settings") return { type: "settings-failed", message: MALFORMED };
  if (typeof requestId !== "string") return null;
  if (type === "place-image" || type === "place-commit") return { type: "place-failed", requestId, message: MALFORMED };
  if (type === "export-image") return { type: "export-failed", requestId, message: MALFORMED };
  return null;
}

export function createDispatcher(port: FigmaPort, handlers: Handlers): (raw: unknown) => Promise<void> {
  return async (raw) => {
    const parsed = uiToPluginSchema.safeParse(raw);
    if (!parsed.success) {
      const failure = failureFor(raw);
      // An answer the panel's schema refuses (an empty or overlong request id) would reach no one.
      if (failure && pluginToUISchema.safeParse(failure).success) port.postMessage(failure);
      else port.notify(MALFORMED, { error: true });
      return;
    }
    const message = parsed.data;
    // TS cannot correlate the union member with its handler; the mapped type above guarantees it.
    const handler = handlers[message.type] as (m: UIToPlugin) => void | Promise<void>;
    await handler(message);
  };
}
