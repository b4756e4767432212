// The price inside an action button. data-credits is the estimate's total; data-state says which case it is.
import type { Badge } from "./badge.ts";

/** `id`: the test id, "cost-badge" for a studio's one action button. */
export function CostBadge({ badge, id = "cost-badge" }: { badge: Badge; id?: string }) {
  return (
    <span class={`cost-badge cost-badge-${badge.state}`} data-testid={id} data-credits={String(badge.credits)} data-state={badge.state}>
      {badge.text}
    </span>
  );
}
