// What a batch is made of and what each of its items holds. Pure, shared by the panel (which builds batches
// and prices them with estimate()) and the proxy (which holds each item's share of that one estimate).
import type { Batch, CreateSpec } from "./api/specs.ts";
import type { Estimate } from "./estimate.ts";

/** The largest seed a spec takes; seeds wrap past it. */
const SEED_MAX = 4_294_967_294;

/**
 * Item `index`'s share of a batch's estimate: the lines of its step, its route, billed size and free images.
 * The shares partition the batch's lines, so they add up to its total exactly; each is what the item's hold
 * takes and, delivered in full, what its capture charges.
 */
export function itemEstimate(batch: Estimate, index: number): Estimate {
  const lines = batch.lines.filter((l) => l.step === index).map((l) => ({ ...l, step: 0 }));
  const step = batch.steps[index];
  if (!step) throw new RangeError(`the batch's estimate has no item ${index}`);
  return { total: lines.reduce((n, l) => n + l.credits, 0), lines, allowed: batch.allowed, reasons: [], steps: [step] };
}

/** Every item's share, in order. */
export function itemEstimates(batch: Estimate): Estimate[] {
  return batch.steps.map((_, i) => itemEstimate(batch, i));
}

/**
 * `images` images of one create as a batch: items of at most `perItem` variations (the tier's largest). A
 * fixed seed carries on from item to item (item k starts where item k-1's variations ended), so the batch
 * makes the images one job of that many variations would have, never the same image twice.
 */
export function createBatch(spec: CreateSpec, images: number, perItem: number): Batch {
  const size = Math.max(1, Math.floor(perItem));
  const items: CreateSpec[] = [];
  for (let first = 0; first < images; first += size) {
    const variations = Math.min(size, images - first);
    items.push({ ...spec, variations, ...(spec.seed !== undefined ? { seed: (spec.seed + first) % (SEED_MAX + 1) } : {}) });
  }
  return { items };
}
