// What a finished job captures (docs/ledger.md invariants 5 and 6): the estimate total when everything was
// delivered; for a partly failed batch, what estimate() prices for the images delivered, with the free
// allowance the job took spent first (as the estimate spent it). Each asset's cost is its share of that.
import type { JobSpec } from "../../core/api/specs.ts";
import type { Catalog } from "../../core/catalog/schema.ts";
import { estimate, findModel, type Estimate } from "../../core/estimate.ts";

export interface DeliveredCharge {
  /** Credits to capture (never more than the hold). */
  charge: number;
  /** Free-allowance images the delivered ones used, by `provider/model` (the rest go back to the period). */
  freeUsed: Record<string, number>;
}

/** Free-allowance images an estimate takes, by `provider/model`. */
export function freeImages(e: Estimate): Record<string, number> {
  const out: Record<string, number> = {};
  for (const step of e.steps) for (const [k, n] of Object.entries(step.freeUsed)) out[k] = (out[k] ?? 0) + n;
  return out;
}

/** The charge for `delivered` of the images a job was priced for. */
export function deliveredCharge(catalog: Catalog, spec: JobSpec, priced: Estimate, delivered: number): DeliveredCharge {
  const requested = priced.steps.reduce((n, s) => n + s.images, 0);
  if (delivered >= requested) return { charge: priced.total, freeUsed: freeImages(priced) };
  if (delivered <= 0) return { charge: 0, freeUsed: {} };
  // Only a create with variations delivers part of its images; anything else is all or nothing.
  if (spec.operation !== "create") return { charge: Math.min(priced.total, Math.floor((priced.total * delivered) / requested)), freeUsed: {} };
  // Price the delivered variations as the hold's estimate did: the job's free images are its first ones.
  const freeTaken = freeImages(priced);
  const freeUsed: Record<string, number> = {};
  for (const [key, taken] of Object.entries(freeTaken)) {
    const [provider, model] = key.split("/", 2) as [string, string];
    const allowance = findModel(catalog, provider, model)?.freePerPeriod ?? taken;
    freeUsed[key] = Math.max(0, allowance - taken);
  }
  const repriced = estimate({ ...spec, variations: delivered }, catalog, { freeUsed });
  return { charge: Math.min(priced.total, repriced.total), freeUsed: freeImages(repriced) };
}

/** Splits `charge` over `count` assets; the shares are whole credits and add up to exactly `charge`. */
export function splitCharge(charge: number, count: number): number[] {
  if (count <= 0) return [];
  const base = Math.floor(charge / count);
  const extra = charge - base * count;
  return Array.from({ length: count }, (_, i) => base + (i < extra ? 1 : 0));
}
