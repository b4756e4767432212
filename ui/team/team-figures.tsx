// What both Team views share: their props, when their figures reload, how they show loading and failing,
// and their Refresh button.
import type { Me, ProviderStatus } from "../../core/api/responses.ts";
import type { ApiClient } from "../connection/api-client.ts";
import type { ApiError } from "../connection/api-error.ts";
import { describeError } from "../connection/error-text.ts";
import { ErrorMessage } from "../widgets/error-message.tsx";

export interface TeamStudioProps {
  api: ApiClient;
  me: Me;
  providers: ProviderStatus[];
  /** Re-reads /v1/me (the header's balance) after the figures are refreshed. */
  refreshBalance(): Promise<void>;
}

/** What the figures reload on: a change in the balance or in the caller's spend (a job ran). */
export function figuresKey(me: Me): string {
  return [me.balance.available, me.balance.held, me.balance.spent, me.member.spent].join("|");
}

export function LoadFailed({ error, onRetry }: { error: ApiError; onRetry(): void }) {
  return (
    <div class="view" data-testid="team-studio" data-state="error">
      <ErrorMessage message={describeError(error)} />
      <div class="actions">
        <button type="button" class="button" onClick={onRetry}>
          Retry
        </button>
      </div>
    </div>
  );
}

export function Loading() {
  return (
    <p class="view muted" data-testid="team-studio" data-state="loading">
      Loading this period's figures…
    </p>
  );
}

export function RefreshButton({ busy, onClick }: { busy: boolean; onClick(): void }) {
  return (
    <button type="button" class="button secondary small" data-testid="team-refresh" disabled={busy} onClick={onClick}>
      {busy ? "Refreshing…" : "Refresh"}
    </button>
  );
}
