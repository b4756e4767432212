// The cost badge's state, from core's estimate() and the form: each state reads differently, so the user
// can tell "costs 4" from "free", "reused for 0", "short by 2", "needs Pro", "provider missing" and "nothing to
// send yet".
import type { Catalog } from "../../core/catalog/schema.ts";
import type { Estimate, EstimateReason } from "../../core/estimate.ts";

/** `reuse`: an identical earlier job's results come back for 0 credits (the estimate says `reuse`). */
export type BadgeState = "price" | "free" | "reuse" | "insufficient" | "tier" | "unavailable" | "empty";

export interface Badge {
  state: BadgeState;
  /** The estimate's total, always: what the ledger would hold for this spec. */
  credits: number;
  /** Short text inside the button. */
  text: string;
  /** A sentence under the button saying why it is disabled; null when it is not. */
  hint: string | null;
  /** Whether Generate may be pressed. */
  enabled: boolean;
}

export function creditsText(n: number): string {
  return `${n} ${n === 1 ? "credit" : "credits"}`;
}

const find = (reasons: readonly EstimateReason[], ...codes: EstimateReason["code"][]) => reasons.find((r) => codes.includes(r.code));

function numberDetail(reason: EstimateReason, key: string): number | null {
  const value = reason.details?.[key];
  return typeof value === "number" ? value : null;
}

/** `formProblem` (empty prompt, bad variations) wins: it is what the user must do first. */
export function badgeFor(estimate: Estimate, formProblem: string | null, catalog: Catalog): Badge {
  const credits = estimate.total;
  const price = credits === 0 ? "Free" : creditsText(credits);
  if (formProblem) return { state: "empty", credits, text: price, hint: formProblem, enabled: false };

  const unavailable = find(estimate.reasons, "provider_unavailable", "invalid_request");
  if (unavailable) return { state: "unavailable", credits, text: "Unavailable", hint: unavailable.message, enabled: false };

  const tier = find(estimate.reasons, "tier_required");
  if (tier) {
    const id = tier.details?.tier;
    const name = catalog.tiers.find((t) => t.id === id)?.name;
    return {
      state: "tier",
      credits,
      text: name ? `${name} tier` : "Not allowed",
      hint: name ? `${tier.message}. Ask a manager to upgrade, or change the options.` : tier.message,
      enabled: false,
    };
  }

  const short = find(estimate.reasons, "insufficient_credits", "member_cap_reached");
  if (short) {
    const shortfall =
      short.code === "insufficient_credits"
        ? (numberDetail(short, "shortfall") ?? credits - (numberDetail(short, "available") ?? 0))
        : credits - (numberDetail(short, "remaining") ?? 0);
    return { state: "insufficient", credits, text: `${price} · ${shortfall} short`, hint: short.message, enabled: false };
  }

  if (!estimate.allowed) return { state: "unavailable", credits, text: "Unavailable", hint: estimate.reasons[0]?.message ?? null, enabled: false };
  if (estimate.reuse) return { state: "reuse", credits, text: "Reuse · 0", hint: null, enabled: true };
  return { state: credits === 0 ? "free" : "price", credits, text: price, hint: null, enabled: true };
}
