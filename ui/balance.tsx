// The team's balance: available credits, and what running jobs hold. Empty data-available = unlimited.
import type { Balance as BalanceData } from "../core/api/responses.ts";
import { creditsText } from "./jobs/badge.ts";

export function Balance({ balance }: { balance: BalanceData }) {
  const unlimited = balance.available === null;
  return (
    <div class="balance" data-testid="balance" data-available={unlimited ? "" : String(balance.available)} title="Team balance">
      <span class="balance-amount">{unlimited ? "Unlimited" : creditsText(balance.available ?? 0)}</span>
      {balance.held > 0 && <span class="muted"> · {balance.held} held</span>}
    </div>
  );
}
