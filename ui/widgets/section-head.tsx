// A section's title, with room for its actions (a Refresh or Export button) on the same line.
import type { ComponentChildren } from "preact";

export function SectionHead({ id, title, children }: { id: string; title: string; children?: ComponentChildren }) {
  return (
    <div class="section-head">
      <h2 id={id} class="section-title">
        {title}
      </h2>
      {children}
    </div>
  );
}
