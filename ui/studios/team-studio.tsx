// The Team studio. A manager sees the team's balance and period, this period's spend by member, operation
// and provider as bar charts (each bar's figure as text), the members with their caps (editable), and a CSV
// export. A member sees only their own spend this period (the proxy scopes /v1/usage to them) and their cap.
// Both see cost-saving suggestions from /v1/insights (the team's, or a member's own), refreshed with the rest.
import { Fragment, type ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { InsightsResponse } from "../../core/api/insights.ts";
import type { TeamMember, TeamResponse, UsageResponse } from "../../core/api/reports.ts";
import type { Me, ProviderStatus } from "../../core/api/responses.ts";
import type { ApiClient } from "../api-client.ts";
import { toApiError, type ApiError } from "../api-error.ts";
import { ErrorMessage } from "../error-message.tsx";
import { describeError } from "../error-text.ts";
import { Field } from "../field.tsx";
import {
  barText,
  capUse,
  CHART_GROUPS,
  countText,
  CSV_GROUPS,
  csvFallbackName,
  creditsShort,
  csvSummary,
  dateText,
  groupUsage,
  insightFigure,
  parseCapInput,
  sortMembers,
  timeLeftText,
  type Bar,
  type CapUse,
} from "../team-data.ts";

export interface TeamStudioProps {
  api: ApiClient;
  me: Me;
  providers: ProviderStatus[];
  /** Re-reads /v1/me (the header's balance) after the figures are refreshed. */
  refreshBalance(): Promise<void>;
}

type Load<T> = { status: "loading" } | { status: "ready"; data: T; at: number } | { status: "error"; error: ApiError };

/**
 * Loads on mount, on `reload()`, and whenever `key` changes (the caller's balance after a job), keeping the
 * figures on screen while a reload runs; an answer for an older request never replaces a newer one.
 */
function useLoad<T>(load: () => Promise<T>, key: string): { state: Load<T>; reloading: boolean; reload(): void } {
  const [state, setState] = useState<Load<T>>({ status: "loading" });
  const [reloading, setReloading] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    setReloading(true);
    load().then(
      (data) => current && (setState({ status: "ready", data, at: Date.now() }), setReloading(false)),
      (error: unknown) => current && (setState({ status: "error", error: toApiError(error) }), setReloading(false)),
    );
    return () => {
      current = false;
    };
    // `load` is a fresh closure each render; what it reads changes only with `key` (or on `reload()`).
  }, [key, attempt]);
  return { state, reloading, reload: () => setAttempt((n) => n + 1) };
}

export function TeamStudio(props: TeamStudioProps) {
  return props.me.role === "manager" ? <ManagerView {...props} /> : <MemberView {...props} />;
}

// ---------------------------------------------------------------------------------------------------------

function figuresKey(me: Me): string {
  return [me.balance.available, me.balance.held, me.balance.spent, me.member.spent].join("|");
}

function LoadFailed({ error, onRetry }: { error: ApiError; onRetry(): void }) {
  return (
    <div class="view" data-testid="team-studio" data-state="error">
      <ErrorMessage message={describeError(error)} />
      <div class="actions">
        <button type="button" class="button" onClick={onRetry}>
          Retry
        </button>
      </div>
    </div>
  );
}

function Loading() {
  return (
    <p class="view muted" data-testid="team-studio" data-state="loading">
      Loading this period's figures…
    </p>
  );
}

function SectionHead({ id, title, children }: { id: string; title: string; children?: ComponentChildren }) {
  return (
    <div class="section-head">
      <h2 id={id} class="section-title">
        {title}
      </h2>
      {children}
    </div>
  );
}

function Stat({ id, label, value, note, title }: { id: string; label: string; value: string; note?: string; title?: string }) {
  return (
    <div class="stat">
      <dt>{label}</dt>
      <dd data-testid={id} title={title}>
        {value}
      </dd>
      {note && (
        <dd class="stat-note">
          {/* Lines break only between the parts, after their separator. */}
          {note.split(" · ").map((part, i, parts) => (
            <Fragment key={i}>
              {i > 0 && " "}
              <span>{i < parts.length - 1 ? `${part} ·` : part}</span>
            </Fragment>
          ))}
        </dd>
      )}
    </div>
  );
}

function BarChart({ id, title, bars }: { id: string; title: string; bars: Bar[] }) {
  return (
    <section class="team-section" aria-labelledby={`${id}-title`} data-testid={id}>
      <SectionHead id={`${id}-title`} title={title} />
      <ul class="bars">
        {bars.map((b) => (
          <li key={b.key} class="bar-row" data-testid="bar" data-key={b.key} data-credits={b.credits} data-share={b.share}>
            <div class="bar-label">
              <span class="bar-name" title={b.label}>
                {b.label}
              </span>
              <span class="bar-figure" title={`${countText(b.jobs, "job")} · ${countText(b.images, "image")}`}>
                {barText(b)}
              </span>
            </div>
            <div class="track" aria-hidden="true">
              <div class="fill" style={{ width: `${b.width}%` }} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Meter({ use }: { use: CapUse }) {
  if (use.used === null) return null;
  return (
    <div class="track" aria-hidden="true">
      <div class={`fill${use.used >= 100 ? " full" : ""}`} style={{ width: `${Math.max(use.used, use.used > 0 ? 2 : 0)}%` }} />
    </div>
  );
}

function RefreshButton({ busy, onClick }: { busy: boolean; onClick(): void }) {
  return (
    <button type="button" class="button secondary small" data-testid="team-refresh" disabled={busy} onClick={onClick}>
      {busy ? "Refreshing…" : "Refresh"}
    </button>
  );
}

function Summary({ balance, usage, now }: { balance: Me["balance"]; usage: UsageResponse; now: number }) {
  const unlimited = balance.available === null;
  return (
    <dl class="stats">
      <Stat id="team-available" label="Available" value={unlimited ? "Unlimited" : creditsShort(balance.available ?? 0)} note={unlimited ? "metered, no cap" : `${creditsShort(balance.held)} held`} />
      <Stat id="team-spent" label="Spent" value={creditsShort(usage.total.credits)} note={`${countText(usage.total.jobs, "job")} · ${countText(usage.total.images, "image")}`} />
      <Stat id="team-period-end" label="Period ends" value={dateText(balance.periodEndsAt)} note={timeLeftText(balance.periodEndsAt, now)} title={balance.periodEndsAt} />
    </dl>
  );
}

/** Suggestions from this period's jobs, loaded apart from the figures so one failing leaves the other. */
// `at`: when the figures were loaded; they reload after each job and on Refresh, and so do these.
function Insights({ api, at }: { api: ApiClient; at: number }) {
  const { state } = useLoad<InsightsResponse>(() => api.insights(), `${api.proxyUrl}|${at}`);
  const list = state.status === "ready" ? state.data.insights : [];
  return (
    <section class="team-section" aria-labelledby="insights-title" data-testid="insights" data-state={state.status}>
      <SectionHead id="insights-title" title="Ways to save" />
      {state.status === "loading" && <p class="muted">Loading…</p>}
      {/* Refresh (above) asks again. */}
      {state.status === "error" && <ErrorMessage message={describeError(state.error)} />}
      {state.status === "ready" &&
        (list.length === 0 ? (
          <p class="empty" data-testid="insights-empty">
            Nothing to suggest this period
          </p>
        ) : (
          <ul class="members">
            {list.map((i) => (
              <li key={i.kind} class="member" data-testid="insight" data-kind={i.kind} data-saved={i.savedCredits} data-occurrences={i.occurrences}>
                <div class="bar-label">
                  <strong class="bar-name" title={i.title}>
                    {i.title}
                  </strong>
                  <span class="bar-figure">{insightFigure(i)}</span>
                </div>
                <p class="muted">{i.advice}</p>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------
// Manager

interface TeamData {
  team: TeamResponse;
  usage: UsageResponse;
}

function ManagerView({ api, me, providers, refreshBalance }: TeamStudioProps) {
  const { state, reloading, reload } = useLoad<TeamData>(
    async () => {
      const [team, usage] = await Promise.all([api.team(), api.usage({ groupBy: CHART_GROUPS })]);
      return { team, usage };
    },
    `${api.proxyUrl}|${figuresKey(me)}`,
  );
  // A saved cap replaces its member until the next load.
  const [saved, setSaved] = useState<Record<string, TeamMember>>({});
  useEffect(() => {
    setSaved({});
  }, [state]);

  if (state.status === "loading") return <Loading />;
  if (state.status === "error") return <LoadFailed error={state.error} onRetry={reload} />;
  const { team, usage } = state.data;
  const labels = { providers };
  const members = sortMembers(team.members.map((m) => saved[m.id] ?? m));
  const refresh = () => {
    reload();
    void refreshBalance();
  };

  return (
    <div class="view create team" data-testid="team-studio" data-state="ready" data-role="manager">
      <div class="scroll">
        <section class="team-section" aria-labelledby="team-period-title">
          <SectionHead id="team-period-title" title={`${team.team.name} · this period`}>
            <RefreshButton busy={reloading} onClick={refresh} />
          </SectionHead>
          <Summary balance={team.balance} usage={usage} now={state.at} />
        </section>
        {usage.rows.length === 0 ? (
          <p class="empty" data-testid="team-empty">
            No spend yet this period. What your team's jobs cost shows up here.
          </p>
        ) : (
          <>
            <BarChart id="chart-member" title="Spend by member" bars={groupUsage(usage.rows, "member", labels)} />
            <BarChart id="chart-operation" title="By operation" bars={groupUsage(usage.rows, "operation", labels)} />
            <BarChart id="chart-provider" title="By provider" bars={groupUsage(usage.rows, "provider", labels)} />
          </>
        )}
        <Insights api={api} at={state.at} />
        <section class="team-section" aria-labelledby="team-members-title">
          <SectionHead id="team-members-title" title={`Members · ${team.members.length}`} />
          <ul class="members" data-testid="team-members">
            {members.map((m) => (
              <MemberRow key={m.id} api={api} member={m} onSaved={(next) => setSaved((s) => ({ ...s, [next.id]: next }))} />
            ))}
          </ul>
        </section>
        <CsvExport api={api} usage={usage} />
      </div>
    </div>
  );
}

function MemberRow({ api, member, onSaved }: { api: ApiClient; member: TeamMember; onSaved(member: TeamMember): void }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [announce, setAnnounce] = useState("");
  const editButton = useRef<HTMLButtonElement>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (editing) input.current?.focus();
  }, [editing]);
  const use = capUse(member);
  const inputId = `cap-${member.id}`;

  const open = () => {
    setText(member.monthlyCap === null ? "" : String(member.monthlyCap));
    setError(null);
    setAnnounce("");
    setEditing(true);
  };
  const close = () => {
    setEditing(false);
    setError(null);
    // Focus goes back where it came from, so the keyboard user keeps their place in the list.
    setTimeout(() => editButton.current?.focus(), 0);
  };
  const save = async (event: Event) => {
    event.preventDefault();
    const cap = parseCapInput(text);
    if (!cap.ok) return setError(cap.error);
    if (cap.value === member.monthlyCap) return close();
    setBusy(true);
    setError(null);
    try {
      const next = await api.updateMember(member.id, { monthlyCap: cap.value });
      onSaved(next);
      setAnnounce(next.monthlyCap === null ? `${next.name} has no cap now` : `${next.name}'s cap is ${creditsShort(next.monthlyCap)} now`);
      close();
    } catch (e) {
      setError(describeError(toApiError(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li
      class={`member${member.disabled ? " disabled" : ""}`}
      data-testid="member-row"
      data-member-id={member.id}
      data-spent={member.spent}
      data-held={member.held}
      data-cap={member.monthlyCap ?? ""}
      data-cap-remaining={member.capRemaining ?? ""}
    >
      <div class="member-head">
        <span class="member-name" title={member.name}>
          {member.name}
        </span>
        {member.role === "manager" && <span class="tag">manager</span>}
        {member.disabled && <span class="tag">disabled</span>}
        {!editing && (
          <button type="button" ref={editButton} class="button secondary small" data-testid="cap-edit" aria-label={`Edit ${member.name}'s monthly cap`} onClick={open}>
            Edit cap
          </button>
        )}
      </div>
      <Meter use={use} />
      <p class="muted" data-testid="member-cap">
        {use.text}
      </p>
      <p class="sr-only" role="status">
        {announce}
      </p>
      {editing && (
        <form class="cap-form" onSubmit={save} onKeyDown={(e) => e.key === "Escape" && (e.preventDefault(), close())}>
          <Field id={inputId} label={`Monthly cap for ${member.name}`} hint="Credits per period; leave empty for no cap" error={error}>
            <input type="text" inputMode="numeric" autoComplete="off" value={text} placeholder="No cap" ref={input} onInput={(e) => setText(e.currentTarget.value)} />
          </Field>
          <div class="actions">
            <button type="button" class="button secondary" onClick={close} disabled={busy}>
              Cancel
            </button>
            <button type="submit" class="button" data-testid="cap-save" disabled={busy}>
              {busy ? "Saving…" : "Save cap"}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

type CsvState = { status: "idle" } | { status: "busy" } | { status: "ready"; text: string; name: string; url: string | null; rows: number } | { status: "error"; message: string };

/** The Blob URL for a download; null where Blob URLs are not available (the text is shown either way). */
function blobUrl(text: string): string | null {
  try {
    return URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  } catch {
    return null;
  }
}

function CsvExport({ api, usage }: { api: ApiClient; usage: UsageResponse }) {
  const [csv, setCsv] = useState<CsvState>({ status: "idle" });
  const [showText, setShowText] = useState(false);
  const link = useRef<HTMLAnchorElement>(null);
  const url = csv.status === "ready" ? csv.url : null;
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  // A fresh export starts its download at once; Figma may block downloads from a plugin, so the link and
  // the text stay on screen as well.
  useEffect(() => {
    if (url) link.current?.click();
  }, [url]);

  const run = async () => {
    setCsv({ status: "busy" });
    try {
      const { text, filename } = await api.usageCsv({ groupBy: CSV_GROUPS, from: usage.from, to: usage.to });
      setCsv({ status: "ready", text, name: filename ?? csvFallbackName(usage.from, usage.to), url: blobUrl(text), rows: csvSummary(text).rows });
    } catch (e) {
      setCsv({ status: "error", message: describeError(toApiError(e)) });
    }
  };

  return (
    <section class="team-section" aria-labelledby="team-export-title">
      <SectionHead id="team-export-title" title="Export">
        <button type="button" class="button secondary small" data-testid="csv-export" disabled={csv.status === "busy"} onClick={run}>
          {csv.status === "busy" ? "Exporting…" : "Export CSV"}
        </button>
      </SectionHead>
      <p class="muted">This period's spend by day, member, operation, provider and model.</p>
      {csv.status === "error" && <ErrorMessage message={csv.message} />}
      {csv.status === "ready" && (
        <div class="csv" data-testid="csv-ready" data-rows={csv.rows}>
          <p>
            {csv.url ? (
              <a ref={link} class="link" href={csv.url} download={csv.name} data-testid="csv-download">
                Download {csv.name}
              </a>
            ) : (
              csv.name
            )}{" "}
            <span class="muted">· {countText(csv.rows, "row")}</span>
          </p>
          <button type="button" class="link" aria-expanded={showText} aria-controls="csv-text" onClick={() => setShowText((s) => !s)}>
            {showText ? "Hide the text" : "No download? Show it as text to copy"}
          </button>
          {showText && (
            <textarea
              id="csv-text"
              class="csv-text"
              data-testid="csv-text"
              aria-label="CSV export text"
              readOnly
              rows={6}
              value={csv.text}
              onFocus={(e) => e.currentTarget.select()}
            />
          )}
        </div>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------
// Member

function MemberView({ api, me, providers, refreshBalance }: TeamStudioProps) {
  const { state, reloading, reload } = useLoad(() => api.usage({ groupBy: ["operation"] }), `${api.proxyUrl}|${figuresKey(me)}`);
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") return <LoadFailed error={state.error} onRetry={reload} />;
  const usage = state.data;
  const { monthlyCap, spent, capRemaining } = me.member;
  // /v1/me has no member `held`; what the cap leaves besides spend is held by running jobs.
  const held = monthlyCap === null || capRemaining === null ? 0 : Math.max(0, monthlyCap - spent - capRemaining);
  const use = capUse({ spent: usage.total.credits, held, monthlyCap, capRemaining });

  return (
    <div class="view create team" data-testid="team-studio" data-state="ready" data-role="member">
      <div class="scroll">
        <section class="team-section" aria-labelledby="team-period-title">
          <SectionHead id="team-period-title" title="Your spend this period">
            <RefreshButton
              busy={reloading}
              onClick={() => {
                reload();
                void refreshBalance();
              }}
            />
          </SectionHead>
          <dl class="stats">
            <Stat id="my-spent" label="Spent" value={creditsShort(usage.total.credits)} note={`${countText(usage.total.jobs, "job")} · ${countText(usage.total.images, "image")}`} />
            <Stat id="my-cap" label="Monthly cap" value={monthlyCap === null ? "No cap" : creditsShort(monthlyCap)} note={capRemaining === null ? undefined : `${creditsShort(capRemaining)} left`} />
            <Stat id="team-period-end" label="Period ends" value={dateText(me.balance.periodEndsAt)} note={timeLeftText(me.balance.periodEndsAt, state.at)} title={me.balance.periodEndsAt} />
          </dl>
          <div data-testid="my-cap-meter">
            <Meter use={use} />
          </div>
        </section>
        {usage.rows.length === 0 ? (
          <p class="empty" data-testid="team-empty">
            You have not spent anything this period yet.
          </p>
        ) : (
          <BarChart id="chart-operation" title="Your spend by operation" bars={groupUsage(usage.rows, "operation", { providers })} />
        )}
        <Insights api={api} at={state.at} />
        <p class="muted">Managers see the whole team's spend and caps here.</p>
      </div>
    </div>
  );
}
