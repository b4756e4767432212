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
// Deliveries run side by side, at most `concurrency` (4) teams at once and one event at a time per team, in
// the order they fell due: a receiver that hangs until the timeout holds up its own team's events only, and
// each sweep starts while earlier deliveries still run. A failed attempt ends its team's turn in that sweep.
// Internal targets (loopback, private, link-local) are refused at connection time unless
// WEBHOOK_ALLOW_PRIVATE_TARGETS (webhook-guard.ts: an SSRF guard), and redirects are never followed.
import { createHmac } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Db } from "../db/sql.ts";
import type { Logger } from "../logger.ts";
import type { SqlManagerStore } from "./manager-store.ts";
import { isInternalAddress, publicOnlyLookup, WebhookTargetRefusedError } from "./webhook-guard.ts";

export interface WebhookSettings {
  /** Each request's time limit. */
  timeoutMs: number;
  /** The first retry's delay; doubled at each further attempt. */
  retryBaseMs: number;
  /** The longest delay between two attempts. */
  retryMaxMs: number;
  /** Attempts before the event is given up (failed_at). */
  maxAttempts: number;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: deliver to loopback, private and link-local addresses too. */
  allowPrivateTargets: boolean;
  /** Teams delivered to at once by this process (one event at a time each); WEBHOOK_CONCURRENCY when unset. */
  concurrency?: number;
}

export const WEBHOOK_CONCURRENCY = 4;

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
  private running: Promise<unknown> | undefined;
  private stopped = false;
  /** Teams with a delivery under way in this process: a team's events go one at a time, in order. */
  private readonly busyTeams = new Set<string>();
  /** Deliveries started by sweeps and not finished yet (stop() waits for them). */
  private readonly deliveries = new Set<Promise<number>>();

  constructor(
    private readonly db: Db,
    private readonly managers: Pick<SqlManagerStore, "webhookTarget">,
    private readonly settings: WebhookSettings,
    private readonly logger: Logger,
  ) {}

  /** Delivers the due events (up to `limit`) and waits for them; returns how many were delivered. */
  async deliverDue(limit = 20): Promise<number> {
    return (await this.startDue(limit)).done;
  }

  /**
   * Reads the due events of teams not already being delivered to, and starts delivering them: up to the free
   * slots' worth of teams at once, each team's events one after another. Resolves once they are read (the
   * deliveries go on); `done` settles when they are over, with how many were delivered.
   */
  private async startDue(limit: number): Promise<{ done: Promise<number> }> {
    const concurrency = this.settings.concurrency ?? WEBHOOK_CONCURRENCY;
    if (this.busyTeams.size >= concurrency) return { done: Promise.resolve(0) };
    const busy = [...this.busyTeams];
    const due = await this.db.all<OutboxRow>(
      `SELECT event_id, team_id, body, attempts, next_attempt_at FROM webhook_outbox
       WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ${this.db.dialect.now}
       ${busy.length ? `AND team_id NOT IN (${busy.map((_, i) => `$${i + 2}`).join(", ")})` : ""}
       ORDER BY next_attempt_at, created_at, event_id LIMIT $1`,
      [limit, ...busy],
    );
    const byTeam = new Map<string, OutboxRow[]>();
    for (const row of due) byTeam.set(row.team_id, [...(byTeam.get(row.team_id) ?? []), row]);
    const teams = [...byTeam];
    const worker = async (): Promise<number> => {
      let delivered = 0;
      for (let next = teams.shift(); next; next = teams.shift()) {
        const [teamId, rows] = next;
        if (this.busyTeams.has(teamId)) continue; // another sweep got to it first
        this.busyTeams.add(teamId);
        try {
          for (const row of rows) {
            const outcome = await this.deliver(row);
            if (outcome === "delivered") delivered++;
            else if (outcome === "failed") break; // its later events wait for the next sweep, behind it
          }
        } finally {
          this.busyTeams.delete(teamId);
        }
      }
      return delivered;
    };
    const workers = Math.min(teams.length, concurrency - this.busyTeams.size);
    const all = Promise.all(Array.from({ length: workers }, worker)).then((counts) => counts.reduce((a, b) => a + b, 0));
    this.deliveries.add(all);
    void all.finally(() => this.deliveries.delete(all)).catch(() => {});
    return { done: all };
  }

  /** One attempt at one event: "skipped" when another proxy (or sweep) claimed it first. */
  private async deliver(seen: OutboxRow): Promise<"delivered" | "failed" | "skipped"> {
    // The claim: past the request's timeout, so only a proxy that died leaves it for another to retry.
    const claimed = await this.db.one<OutboxRow>(
      `UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ${this.db.dialect.nowPlusMs("$3")}
       WHERE event_id = $1 AND next_attempt_at = $2 AND delivered_at IS NULL AND failed_at IS NULL
       RETURNING event_id, team_id, body, attempts, next_attempt_at`,
      [seen.event_id, seen.next_attempt_at, this.settings.timeoutMs * 2 + 1000],
    );
    if (!claimed) return "skipped";
    const target = await this.managers.webhookTarget(claimed.team_id);
    let error: string | null = null;
    if (!target) error = "the team has no webhook any more";
    else {
      const timestamp = String(Math.floor(Date.now() / 1000));
      try {
        const status = await post(
          target.url,
          {
            "Content-Type": "application/json",
            "User-Agent": "image-studio-webhooks/1",
            [EVENT_ID_HEADER]: claimed.event_id,
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: signature(target.secret, timestamp, claimed.body),
          },
          claimed.body,
          this.settings,
        );
        if (status < 200 || status >= 300) error = `HTTP ${status}`;
      } catch (e) {
        error =
          e instanceof WebhookTimeoutError
            ? `no answer within ${this.settings.timeoutMs} ms`
            : e instanceof WebhookTargetRefusedError
              ? "refused: the target is a loopback, private or link-local address"
              : "could not connect";
      }
    }
    const attempt = Number(claimed.attempts);
    if (error === null) {
      await this.db.run(`UPDATE webhook_outbox SET delivered_at = ${this.db.dialect.now}, last_error = NULL WHERE event_id = $1`, [claimed.event_id]);
      this.logger.info({ event: claimed.event_id, attempt }, "webhook delivered");
      return "delivered";
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
    return "failed";
  }

  /**
   * Sweeps the outbox every `intervalMs` until stop(). A sweep does not wait for the deliveries it started,
   * so a team whose receiver hangs does not hold back the next sweep's other teams.
   */
  start(intervalMs: number): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.startDue(20)
        .then(({ done }) => void done.catch((error: unknown) => this.logger.error({ err: error }, "webhook delivery failed")))
        .catch((error: unknown) => this.logger.error({ err: error }, "webhook sweep failed"))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops sweeping and waits for the deliveries under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await Promise.allSettled([...this.deliveries]);
  }
}

class WebhookTimeoutError extends Error {
  override name = "WebhookTimeoutError";
}

/**
 * One POST; resolves with the status once the headers arrive (the answer's body is discarded unread).
 * The connection resolves names through publicOnlyLookup, so the address checked is the one connected to.
 */
function post(url: string, headers: Record<string, string>, body: string, settings: Pick<WebhookSettings, "timeoutMs" | "allowPrivateTargets">): Promise<number> {
  const target = new URL(url);
  const literal = target.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!settings.allowPrivateTargets && isInternalAddress(literal)) return Promise.reject(new WebhookTargetRefusedError(literal));
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = send(target, {
      method: "POST",
      agent: false, // a fresh connection per delivery: none kept open to a receiver between sweeps
      headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
      ...(settings.allowPrivateTargets ? {} : { lookup: publicOnlyLookup }),
    });
    const timer = setTimeout(() => req.destroy(new WebhookTimeoutError()), settings.timeoutMs);
    req.on("response", (res: IncomingMessage) => {
      clearTimeout(timer);
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}

/** Only the origin reaches the log: a URL's path or query may carry a token of the receiver's. */
function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}
