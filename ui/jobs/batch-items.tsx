// A running or finished batch, item by item: each image's state as its events arrive, a failed item with
// its reason and "not charged", and a Cancel button for the items not started yet (their holds released).
import "./batch-items.css";
import type { ItemRow } from "./run-batch.ts";

export function BatchItems({ items, cancel }: { items: readonly ItemRow[]; cancel: (() => void) | null }) {
  return (
    <div class="batch-items">
      <ol class="batch-list" data-testid="batch-items" aria-label="Batch items">
        {items.map((row) => (
          <li key={row.index} class={`batch-item batch-item-${row.status}`} data-testid="batch-item" data-index={row.index} data-status={row.status}>
            <span class="batch-item-name">{row.name}</span>
            <span class="batch-item-text">{row.text}</span>
          </li>
        ))}
      </ol>
      {cancel && (
        <button type="button" class="button secondary small" data-testid="batch-cancel" onClick={cancel}>
          Cancel the rest
        </button>
      )}
    </div>
  );
}
