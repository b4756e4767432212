// Proxy URL and token. Saved by the plugin in figma.clientStorage; the panel reloads when it confirms.
// The URL is checked in full here, and against the origins this build's manifest allows, with a warning
// while typing: Figma blocks any other origin before the request leaves.
import { useEffect, useState } from "preact/hooks";
import { settingsSchema, type Settings } from "../../core/messages.ts";
import { blockedReason, proxyOrigin } from "../connection/proxy-url.ts";
import { ErrorMessage } from "../widgets/error-message.tsx";
import { Field } from "../widgets/field.tsx";

export interface SettingsViewProps {
  settings: Settings;
  /** Why the panel is showing settings, e.g. the proxy refused the token, or the plugin could not save. */
  problem?: string | null;
  onSave(settings: Settings): void;
  onCancel?: () => void;
}

export function SettingsView({ settings, problem, onSave, onCancel }: SettingsViewProps) {
  const [proxyUrl, setProxyUrl] = useState(settings.proxyUrl);
  const [token, setToken] = useState(settings.token);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  // A new problem (the plugin could not save) ends the wait and lets the designer try again.
  useEffect(() => setSaving(false), [problem]);

  const save = (event: Event) => {
    event.preventDefault();
    const parsed = settingsSchema.safeParse({ proxyUrl: proxyUrl.trim(), token: token.trim() });
    if (!parsed.success || proxyOrigin(parsed.data.proxyUrl) === null) {
      const field = parsed.error?.issues[0]?.path[0] === "token" ? "The token" : "The proxy URL";
      setInvalid(`${field} is not valid: use an http(s) URL such as http://localhost:8787`);
      return;
    }
    if (parsed.data.token === "") {
      setInvalid("Paste the token your team manager (or `npm start`) gave you");
      return;
    }
    setInvalid(null);
    setSaving(true);
    onSave(parsed.data);
  };

  const message = invalid ?? problem ?? null;
  const origin = proxyOrigin(proxyUrl);
  const blocked = origin ? blockedReason(origin) : null;
  return (
    <form class="view settings" onSubmit={save} noValidate>
      <h2 class="title">Settings</h2>
      <p class="muted">Image Studio talks to your team's proxy, which holds the provider keys and the credits.</p>
      <Field id="settings-proxy-url" label="Proxy URL">
        <input
          type="url"
          value={proxyUrl}
          onInput={(e) => setProxyUrl(e.currentTarget.value)}
          placeholder="http://localhost:8787"
          spellcheck={false}
        />
      </Field>
      {blocked && (
        <p class="warning" role="alert" data-testid="settings-blocked">
          {blocked}
        </p>
      )}
      <Field id="settings-token" label="Token">
        <input
          type="password"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          placeholder="Paste your token"
          autocomplete="off"
          spellcheck={false}
        />
      </Field>
      {message && <ErrorMessage message={message} />}
      <div class="actions">
        {onCancel && (
          <button type="button" class="button secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" class="button" data-testid="settings-save" disabled={saving}>
          {saving ? "Saving…" : "Save"}
        </button>
      </div>
    </form>
  );
}
