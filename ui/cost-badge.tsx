// The price inside an action button. data-credits is the estimate's total; data-state says which case it is.
import type { Badge } from "./badge.ts";

export function CostBadge({ badge }: { badge: Badge }) {
  return (
    <span class={`cost-badge cost-badge-${badge.state}`} data-testid="cost-badge" data-credits={String(badge.credits)} data-state={badge.state}>
      {badge.text}
    </span>
  );
}
