// Stores the proxy URL and token; the panel waits for the answer either way.
import { saveSettings } from "../settings.ts";
import { messageOf, type Handler } from "./context.ts";

export const saveSettingsHandler: Handler<"save-settings"> = async ({ port }, message) => {
  try {
    port.postMessage({ type: "settings-saved", settings: await saveSettings(port, message.settings) });
  } catch (error) {
    port.postMessage({ type: "settings-failed", message: messageOf(error) });
  }
};
