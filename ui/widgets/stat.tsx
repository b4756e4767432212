// One figure of a <dl class="stats">: its label, its value (test id `id`), and a note under it.
import { Fragment } from "preact";

export function Stat({ id, label, value, note, title }: { id: string; label: string; value: string; note?: string; title?: string }) {
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
