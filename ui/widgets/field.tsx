// A labelled control with an optional hint or error under it: the one markup for every form field. The
// control gets the field's id (for the label and as its test id) and, with a note, aria-describedby.
import { cloneElement, type ComponentChildren, type VNode } from "preact";

export interface FieldProps {
  id: string;
  label: ComponentChildren;
  hint?: string | null | undefined;
  error?: string | null | undefined;
  /** One control: input, select or textarea. */
  children: VNode<Record<string, unknown>>;
}

export function Field({ id, label, hint, error, children }: FieldProps) {
  const note = error || hint;
  const noteId = `${id}-note`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {cloneElement(children, { id, "data-testid": id, ...(note ? { "aria-describedby": noteId } : {}), ...(error ? { "aria-invalid": true } : {}) })}
      {note && (
        <p id={noteId} class={error ? "field-error" : "field-note"}>
          {note}
        </p>
      )}
    </div>
  );
}

/** A checkbox with its label beside it, and why it is disabled (or what it does) under it. */
export function CheckField({ id, label, hint, checked, disabled, onChange }: { id: string; label: string; hint?: string | null; checked: boolean; disabled?: boolean; onChange(checked: boolean): void }) {
  return (
    <div class="field check">
      <label>
        <input type="checkbox" id={id} data-testid={id} checked={checked} disabled={disabled} onChange={(e) => onChange(e.currentTarget.checked)} aria-describedby={hint ? `${id}-note` : undefined} />
        {label}
      </label>
      {hint && (
        <p id={`${id}-note`} class="field-note">
          {hint}
        </p>
      )}
    </div>
  );
}
