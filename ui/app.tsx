// The panel: waits for the plugin's `init`, then shows Settings (no token yet, or the proxy refused it)
// or the studios (Create, Edit, Upscale, Social, Library, Team) in tabs, with the team's balance.
import { useLayoutEffect, useMemo, useState } from "preact/hooks";
import type { Provenance, Selection, Settings } from "../core/messages.ts";
import { Balance } from "./balance.tsx";
import { createApiClient } from "./connection/api-client.ts";
import { describeError } from "./connection/error-text.ts";
import type { PluginBridge } from "./connection/plugin-bridge.ts";
import { useSession } from "./connection/use-session.ts";
import { CreateStudio } from "./create/create-studio.tsx";
import { EditStudio } from "./edit/edit-studio.tsx";
import { LibraryStudio } from "./library/library-studio.tsx";
import { useInteractiveMark, type InteractiveView } from "./load-mark.ts";
import { SettingsView } from "./settings/settings-view.tsx";
import { SocialStudio } from "./social/social-studio.tsx";
import { TeamStudio } from "./team/team-studio.tsx";
import { AlertsBanner } from "./team/alerts-banner.tsx";
import { ProjectPicker } from "./jobs/project-picker.tsx";
import { UpscaleStudio } from "./upscale/upscale-studio.tsx";
import { ErrorMessage } from "./widgets/error-message.tsx";
import { Tabs, type Tab } from "./widgets/tabs.tsx";

export function App({ bridge }: { bridge: PluginBridge }) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [selection, setSelection] = useState<Selection>({ items: [] });
  const [relaunch, setRelaunch] = useState<Provenance | undefined>(undefined);
  // Re-renders the studios when the project changes: their badges price with its budget (project-choice.ts).
  const [, setProjectTick] = useState(0);
  const [editingSettings, setEditingSettings] = useState(false);
  const [saveProblem, setSaveProblem] = useState<string | null>(null);

  // A layout effect: `ready` leaves with the first render, not a frame later, and `init` comes back sooner.
  useLayoutEffect(() => {
    const unsubscribe = bridge.subscribe((message) => {
      switch (message.type) {
        case "init":
          setSettings(message.settings);
          setSelection(message.selection);
          setRelaunch(message.relaunch);
          break;
        case "selection":
          setSelection(message.selection);
          break;
        case "settings-saved":
          setSettings(message.settings);
          setEditingSettings(false);
          setSaveProblem(null);
          break;
        case "settings-failed":
          setSaveProblem(`Figma did not save the settings: ${message.message}`);
          break;
        default:
          break; // placed / place-failed are awaited by the job that asked for them
      }
    });
    // Handshake: the plugin answers `ready` with `init`, so nothing is posted before we listen.
    bridge.post({ type: "ready" });
    return unsubscribe;
  }, [bridge]);

  const api = useMemo(() => (settings && settings.token ? createApiClient(settings) : null), [settings]);
  const { session, refreshMe, reload } = useSession(api);

  const header = (
    <header class="header">
      <h1 class="title">Image Studio</h1>
      {session.status === "ready" && !editingSettings && <Balance balance={session.me.balance} />}
      {settings && settings.token !== "" && !editingSettings && (
        <button type="button" class="button secondary" onClick={() => setEditingSettings(true)}>
          Settings
        </button>
      )}
    </header>
  );

  let body;
  let interactive: InteractiveView | null = null;
  if (!settings) body = <p class="view muted">Connecting to Figma…</p>;
  else if (editingSettings || !settings.token || (session.status === "error" && session.error.code === "unauthorized")) {
    interactive = "settings";
    body = (
      <SettingsView
        key={`${settings.proxyUrl}|${settings.token}`}
        settings={settings}
        problem={saveProblem ?? (session.status === "error" && !editingSettings ? describeError(session.error) : null)}
        onSave={(next) => bridge.post({ type: "save-settings", settings: next })}
        {...(editingSettings ? { onCancel: () => setEditingSettings(false) } : {})}
      />
    );
  } else if (session.status === "error")
    body = (
      <div class="view">
        <ErrorMessage message={describeError(session.error)} />
        <div class="actions">
          <button type="button" class="button" onClick={reload}>
            Retry
          </button>
        </div>
      </div>
    );
  else if (session.status !== "ready" || !api) body = <p class="view muted">Loading prices and balance…</p>;
  else {
    const shared = { catalog: session.catalog, providers: session.providers, me: session.me, api, bridge, selection, refreshBalance: refreshMe };
    const studios: Tab<"create" | "edit" | "upscale" | "social" | "library" | "team">[] = [
      { id: "create", label: "Create", panel: () => <CreateStudio {...shared} relaunch={relaunch?.operation === "create" ? relaunch : undefined} /> },
      { id: "edit", label: "Edit", panel: () => <EditStudio {...shared} relaunch={relaunch?.operation === "edit" ? relaunch : undefined} /> },
      { id: "upscale", label: "Upscale", panel: () => <UpscaleStudio {...shared} relaunch={relaunch?.operation === "upscale" ? relaunch : undefined} /> },
      { id: "social", label: "Social", panel: () => <SocialStudio {...shared} relaunch={relaunch?.operation === "social" ? relaunch : undefined} /> },
      { id: "library", label: "Library", panel: () => <LibraryStudio {...shared} /> },
      { id: "team", label: "Team", panel: () => <TeamStudio {...shared} /> },
    ];
    // Regenerate on an edit or upscale result reopens that studio.
    const initial = studios.find((t) => t.id === relaunch?.operation)?.id ?? "create";
    const at = `${session.me.balance.available}|${session.me.balance.held}|${session.me.balance.spent}`;
    body = (
      <>
        {session.me.role === "manager" && <AlertsBanner api={api} at={at} />}
        <ProjectPicker api={api} bridge={bridge} memberId={session.me.user.id} at={at} onChange={() => setProjectTick((n) => n + 1)} />
        <Tabs tabs={studios} initial={initial} label="Studios" />
      </>
    );
    interactive = "studios";
  }
  useInteractiveMark(interactive);

  return (
    <div class="app">
      {header}
      {body}
    </div>
  );
}
