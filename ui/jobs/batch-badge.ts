// The cost badge of a batch: the count and the exact total before the click ("5 images, 10 credits"), the
// total being core's estimate() of the whole batch (each image's own size surcharge included, tier, balance
// and member cap checked against the whole). A batch bigger than the tier's maxBatch is refused here, before
// the click, as the proxy would refuse it (400) before holding anything.
import type { Catalog } from "../../core/catalog/schema.ts";
import type { Estimate } from "../../core/estimate.ts";
import { badgeFor, type Badge } from "./badge.ts";

export const imagesText = (n: number, noun = "image") => `${n} ${n === 1 ? noun : `${noun}s`}`;

/** `count`: how many images the batch acts on (or, for Create, makes). */
export function batchBadgeFor(estimate: Estimate, formProblem: string | null, catalog: Catalog, count: number): Badge {
  const badge = badgeFor(estimate, formProblem, catalog);
  const limit = formProblem ? undefined : estimate.reasons.find((r) => r.code === "invalid_request" && typeof r.details?.maxBatch === "number");
  if (limit)
    return {
      ...badge,
      state: "tier",
      text: `At most ${String(limit.details!.maxBatch)} images`,
      hint: `${limit.message}. Select fewer, or ask a manager about a higher tier.`,
      enabled: false,
    };
  const counted = badge.state === "price" || badge.state === "free" || badge.state === "empty" || badge.state === "insufficient";
  return counted ? { ...badge, text: `${imagesText(count)}, ${badge.text}` } : badge;
}
