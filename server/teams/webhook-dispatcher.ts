// Delivers the alerts' webhooks from the outbox (docs/api.md "Webhooks"). The outbox row is written in the
// transaction that recorded the alert (ledger/alert-ops.ts), so nothing is lost to a crash or a restart: any
// proxy's dispatcher picks up due rows. A row is claimed with a conditional update on the `next_attempt_at`
// it was read with (several proxies: one wins), and the claim pushes `next_attempt_at` past the request's
// timeout, so a proxy that dies mid-delivery leaves a row another one retries later.
// Each request: POST of the stored body (raw JSON), signed with HMAC-SHA256 under the team's secret over
// `<timestamp>.<body>`, with the event id (the alert's id: receivers dedupe on it), the timestamp and the
// signature in headers. A 2xx delivers; anything else (or a timeout) retries after an exponential backoff
// (WEBHOOK_RETRY_BASE_MS · 2^(attempt-1), capped at WEBHOOK_RETRY_MAX_MS) until WEBHOOK_MAX_ATTEMPTS.
// The secret is never logged: only the URL's origin, the status and the attempt are.
import { createHmac } from "node:crypto";
import type { Db } from "../db/sql.ts";
import type { Logger } from "../logger.ts";
import type { SqlManagerStore } from "./manager-store.ts";

export interface WebhookSettings {
  /** Each request's time limit. */
  timeoutMs: number;
  /** The first retry's delay; doubled at each further attempt. */
  retryBaseMs: number;
  /** The longest delay between two attempts. */
  retryMaxMs: number;
  /** Attempts before the event is given up (failed_at). */
  maxAttempts: number;
}

export const SIGNATURE_HEADER = "X-Studio-Signature";
export const TIMESTAMP_HEADER = "X-Studio-Timestamp";
export const EVENT_ID_HEADER = "X-Studio-Event-Id";

/** The signature header's value: `sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>`. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** The delay before attempt `attempt + 1` after `attempt` failed ones. */
export function backoffMs(settings: Pick<WebhookSettings, "retryBaseMs" | "retryMaxMs">, attempt: number): number {
  return Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, attempt - 1));
}

interface OutboxRow {
  event_id: string;
  team_id: string;
  body: string;
  attempts: number;
  next_attempt_at: string;
}

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly managers: Pick<SqlManagerStore, "webhookTarget">,
    private readonly settings: WebhookSettings,
    private readonly logger: Logger,
  ) {}

  /** Delivers the due events (up to `limit`); returns how many were delivered. */
  async deliverDue(limit = 20): Promise<number> {
    const due = await this.db.all<OutboxRow>(
      `SELECT event_id, team_id, body, attempts, next_attempt_at FROM webhook_outbox
       WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ${this.db.dialect.now} ORDER BY next_attempt_at LIMIT $1`,
      [limit],
    );
    let delivered = 0;
    for (const row of due) if (await this.deliver(row)) delivered++;
    return delivered;
  }

  private async deliver(seen: OutboxRow): Promise<boolean> {
    // The claim: past the request's timeout, so only a proxy that died leaves it for another to retry.
    const claimed = await this.db.one<OutboxRow>(
      `UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ${this.db.dialect.nowPlusMs("$3")}
       WHERE event_id = $1 AND next_attempt_at = $2 AND delivered_at IS NULL AND failed_at IS NULL
       RETURNING event_id, team_id, body, attempts, next_attempt_at`,
      [seen.event_id, seen.next_attempt_at, this.settings.timeoutMs * 2 + 1000],
    );
    if (!claimed) return false;
    const target = await this.managers.webhookTarget(claimed.team_id);
    let error: string | null = null;
    if (!target) error = "the team has no webhook any more";
    else {
      const timestamp = String(Math.floor(Date.now() / 1000));
      try {
        const res = await fetch(target.url, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "User-Agent": "image-studio-webhooks/1",
            [EVENT_ID_HEADER]: claimed.event_id,
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: signature(target.secret, timestamp, claimed.body),
          },
          body: claimed.body,
          signal: AbortSignal.timeout(this.settings.timeoutMs),
          redirect: "manual",
        });
        await res.body?.cancel().catch(() => undefined);
        if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
      } catch (e) {
        error = e instanceof Error && e.name === "TimeoutError" ? `no answer within ${this.settings.timeoutMs} ms` : "could not connect";
      }
    }
    const attempt = Number(claimed.attempts);
    if (error === null) {
      await this.db.run(`UPDATE webhook_outbox SET delivered_at = ${this.db.dialect.now}, last_error = NULL WHERE event_id = $1`, [claimed.event_id]);
      this.logger.info({ event: claimed.event_id, attempt }, "webhook delivered");
      return true;
    }
    const origin = target ? safeOrigin(target.url) : null;
    if (attempt >= this.settings.maxAttempts || !target) {
      await this.db.run(`UPDATE webhook_outbox SET failed_at = ${this.db.dialect.now}, last_error = $2 WHERE event_id = $1`, [claimed.event_id, error]);
      this.logger.warn({ event: claimed.event_id, attempt, origin, error }, "webhook given up");
    } else {
      await this.db.run(`UPDATE webhook_outbox SET next_attempt_at = ${this.db.dialect.nowPlusMs("$2")}, last_error = $3 WHERE event_id = $1`, [
        claimed.event_id,
        backoffMs(this.settings, attempt),
        error,
      ]);
      this.logger.info({ event: claimed.event_id, attempt, origin, error }, "webhook failed, will retry");
    }
    return false;
  }

  /** Sweeps the outbox every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.deliverDue()
        .catch((error: unknown) => {
          this.logger.error({ err: error }, "webhook sweep failed");
          return 0;
        })
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops sweeping and waits for a delivery under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

/** Only the origin reaches the log: a URL's path or query may carry a token of the receiver's. */
function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}
