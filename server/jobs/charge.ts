// What a finished job captures (ledger.md invariants 5 and 6): the estimate total when everything was
// delivered; for a partly failed batch only the delivered share. Each asset's cost is its share of that.

/** Credits to capture when `delivered` of `requested` images arrived (never more than the total). */
export function chargeForDelivered(total: number, delivered: number, requested: number): number {
  if (requested <= 0 || delivered >= requested) return total;
  if (delivered <= 0) return 0;
  return Math.floor((total * delivered) / requested);
}

/** Splits `charge` over `count` assets; the shares are whole credits and add up to exactly `charge`. */
export function splitCharge(charge: number, count: number): number[] {
  if (count <= 0) return [];
  const base = Math.floor(charge / count);
  const extra = charge - base * count;
  return Array.from({ length: count }, (_, i) => base + (i < extra ? 1 : 0));
}
