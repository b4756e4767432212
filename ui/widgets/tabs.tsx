// The studio tabs (WAI-ARIA tabs pattern): one tab stop, arrow keys / Home / End move between tabs. A
// studio is mounted on its first visit and stays mounted (hidden) after, so its form and a running job
// survive switching away.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

export interface Tab<T extends string> {
  id: T;
  label: string;
  panel: () => ComponentChildren;
}

export function Tabs<T extends string>({ tabs, initial, label }: { tabs: Tab<T>[]; initial: T; label: string }) {
  const [active, setActive] = useState(initial);
  const [seen, setSeen] = useState([initial]);
  const select = (id: T) => {
    setActive(id);
    setSeen((s) => (s.includes(id) ? s : [...s, id]));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const n = tabs.length;
    const i = tabs.findIndex((t) => t.id === active);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1 + n, Home: 0, End: n - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const j = to % n;
    select(tabs[j]!.id);
    (event.currentTarget as HTMLElement).querySelectorAll<HTMLElement>("[role=tab]")[j]?.focus();
  };
  return (
    <>
      <div class="tabs" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
        {tabs.map((t) => (
          <button
            type="button"
            role="tab"
            key={t.id}
            id={`tab-${t.id}`}
            class="tab"
            data-testid={`tab-${t.id}`}
            aria-selected={t.id === active}
            aria-controls={`panel-${t.id}`}
            tabIndex={t.id === active ? 0 : -1}
            onClick={() => select(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {tabs
        .filter((t) => seen.includes(t.id))
        .map((t) => (
          <div role="tabpanel" key={t.id} id={`panel-${t.id}`} class="tabpanel" aria-labelledby={`tab-${t.id}`} hidden={t.id !== active}>
            {t.panel()}
          </div>
        ))}
    </>
  );
}
