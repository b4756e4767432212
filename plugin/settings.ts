// Proxy URL and token, per user, in figma.clientStorage ("for stability, not security": the token is a
// team-issued bearer token the proxy can revoke). Stored values are parsed like any other input.
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from "../core/messages.ts";
import type { FigmaPort } from "./figma-port.ts";

export const SETTINGS_KEY = "settings";

/** Stored settings, or the defaults when nothing (or something unusable) is stored. */
export async function loadSettings(port: FigmaPort): Promise<Settings> {
  const parsed = settingsSchema.safeParse(await port.clientStorage.getAsync(SETTINGS_KEY));
  return parsed.success ? parsed.data : { ...DEFAULT_SETTINGS };
}

/** Validates and stores; returns what was stored. Throws with the offending field on invalid input. */
export async function saveSettings(port: FigmaPort, input: unknown): Promise<Settings> {
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "settings";
    throw new Error(`Invalid ${field}: ${parsed.error.issues[0]?.message ?? "not valid"}`);
  }
  const settings = { proxyUrl: parsed.data.proxyUrl.replace(/\/+$/, ""), token: parsed.data.token.trim() };
  await port.clientStorage.setAsync(SETTINGS_KEY, settings);
  return settings;
}
