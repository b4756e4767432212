// Spend as horizontal bars, each with its figure as text (credits and share; jobs and images on hover), so
// the chart reads without seeing the bars.
import { barText, type Bar } from "./bars.ts";
import { countText } from "./format.ts";
import { SectionHead } from "./section-head.tsx";

export function BarChart({ id, title, bars }: { id: string; title: string; bars: Bar[] }) {
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
