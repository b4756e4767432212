// A member in the manager's list: spend and cap (with a meter), and the cap edited in place; focus returns to
// the Edit button and a screen reader hears the new cap.
import { useEffect, useRef, useState } from "preact/hooks";
import type { TeamMember } from "../../core/api/reports.ts";
import type { ApiClient } from "../connection/api-client.ts";
import { toApiError } from "../connection/api-error.ts";
import { describeError } from "../connection/error-text.ts";
import { Field } from "../widgets/field.tsx";
import { creditsShort } from "../widgets/format.ts";
import { Meter } from "../widgets/meter.tsx";
import { capUse, parseCapInput } from "./team-data.ts";

export function MemberRow({ api, member, onSaved }: { api: ApiClient; member: TeamMember; onSaved(member: TeamMember): void }) {
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
      <Meter percent={use.used} />
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
