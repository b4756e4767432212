// Job news between every proxy on one PostgreSQL database (docs/architecture.md, "Several instances"): a
// client watching a job on proxy B learns at once that proxy A moved it. Each process keeps ONE dedicated
// connection that LISTENs (not one per client: the streams wait on this process's emitter, as on SQLite);
// a change is sent with NOTIFY after the transaction that made it committed. The payload is
// "<sender>|<id>,<id>…": the sender's own instance id, so a process skips its own news (it woke its
// waiters already), and the ids of every job changed in the same turn of the event loop, kept under
// PostgreSQL's 8000-byte payload limit (https://www.postgresql.org/docs/current/sql-notify.html).
//
// NOTIFY is not stored: news sent while the listening connection is down is lost. So when it drops, every
// waiter is woken (it re-reads its job and, while the connection is down, looks again every LOCAL_POLL_MS);
// it reconnects with a growing pause, and once listening again wakes every waiter once more. Nothing is
// missed, only delayed by the outage. A connection can also die silently (a NAT's or a load balancer's idle
// timeout, a database failover: no FIN, no RST), which TCP keepalive notices only after about two hours; so
// the listening connection is probed (SELECT 1) every PROBE.everyMs and counted as dropped when a probe gets
// no answer within PROBE.timeoutMs. Connecting and LISTEN are bounded by that time too.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Db } from "../db/sql.ts";
import type { Logger } from "../logger.ts";
import { JobChanges, LOCAL_POLL_MS, MAX_WAITERS } from "./job-changes.ts";
import { SLOT_CHANNEL } from "../providers/cluster-slots.ts";

export const JOB_CHANNEL = "image_studio_jobs";
/** "Jobs were handed over": a draining instance released leases; every other instance sweeps now. */
export const HANDOVER_CHANNEL = "image_studio_handover";

/** The re-read while the listening connection is up: a safety net only, so not a poll per client. */
export const LISTENING_POLL_MS = 30_000;

/** Under PostgreSQL's 8000-byte limit for a payload, with room for the sender. */
const MAX_PAYLOAD = 7_900;

const BACKOFF_MS = [100, 250, 500, 1000, 2000, 5000];

/** How often the listening connection is probed, and how long an answer may take. */
export const PROBE = { everyMs: 10_000, timeoutMs: 5_000 };

/** How long close() waits for the listening connection to end politely before leaving it. */
const END_MS = 1_000;

export interface PgJobChangesOptions {
  /** The proxies' DATABASE_URL: the listening connection is opened on it, outside the pool. */
  url: string;
  /** Sends the NOTIFYs (a pool connection, only as long as the statement). */
  db: Pick<Db, "run">;
  logger: Pick<Logger, "warn" | "info" | "error">;
  maxWaiters?: number;
  /** The liveness probe of the listening connection (default PROBE; tests use a short one). */
  probe?: { everyMs: number; timeoutMs: number };
}

/** Ends a connection, without waiting longer than END_MS for a peer that may not answer. */
function endSoon(client: pg.Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, END_MS);
    timer.unref();
    client.end().then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}

export class PgJobChanges extends JobChanges {
  /** This process, in the payloads it sends. */
  readonly instance = randomBytes(6).toString("hex");
  private client: pg.Client | null = null;
  private listening = false;
  private closed = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private pending = new Set<string>();
  private flushing: Promise<void> | null = null;
  private sent = Promise.resolve();
  private readonly handoverListeners = new Set<() => void>();
  private readonly slotListeners = new Set<(provider: string) => void>();

  constructor(private readonly o: PgJobChangesOptions) {
    super(o.maxWaiters ?? MAX_WAITERS);
  }

  /** Connects and LISTENs; resolves once news from other processes arrives (rejects if the first connect fails). */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Whether news from other processes arrives now. */
  get connected(): boolean {
    return this.listening;
  }

  override get pollMs(): number {
    return this.listening ? LISTENING_POLL_MS : LOCAL_POLL_MS;
  }

  override notify(jobId: string): void {
    this.wake(jobId);
    if (this.closed) return;
    this.pending.add(jobId);
    // Every change of this turn of the event loop in one NOTIFY (a job's progress and its status often come together).
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /** Calls `listener` when another instance hands jobs over (the reaper sweeps at once). */
  onHandover(listener: () => void): void {
    this.handoverListeners.add(listener);
  }

  /** Calls `listener` with the provider whose cluster slot another instance freed (providers/cluster-slots.ts). */
  onSlotFreed(listener: (provider: string) => void): void {
    this.slotListeners.add(listener);
  }

  /** Tells the other instances that this one released the leases of jobs it hands over. */
  async announceHandover(): Promise<void> {
    await this.o.db.run("SELECT pg_notify($1, $2)", [HANDOVER_CHANNEL, this.instance]);
  }

  /** Resolves when every NOTIFY asked for so far has been sent (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.sent;
  }

  private async flush(): Promise<void> {
    const ids = [...this.pending];
    this.pending.clear();
    this.flushing = null;
    const payloads: string[] = [];
    let current = "";
    for (const id of ids) {
      const next = current ? `${current},${id}` : id;
      if (Buffer.byteLength(`${this.instance}|${next}`) > MAX_PAYLOAD && current) {
        payloads.push(current);
        current = id;
      } else current = next;
    }
    if (current) payloads.push(current);
    const send = async () => {
      for (const ids of payloads)
        await this.o.db.run("SELECT pg_notify($1, $2)", [JOB_CHANNEL, `${this.instance}|${ids}`]).catch((error: unknown) => {
          // Others then see this change at their next re-read (LISTENING_POLL_MS): late, not lost.
          this.o.logger.warn({ err: error }, "could not send job news to the other proxies");
        });
    };
    this.sent = this.sent.then(send);
    await this.sent;
  }

  private async connect(): Promise<void> {
    const probe = this.o.probe ?? PROBE;
    const client = new pg.Client({
      connectionString: this.o.url,
      application_name: "image-studio-listen",
      keepAlive: true,
      // A host that does not answer fails the attempt (and the next one is scheduled) instead of hanging it.
      connectionTimeoutMillis: probe.timeoutMs,
      query_timeout: probe.timeoutMs,
    });
    client.on("notification", (message) => {
      if (message.channel === HANDOVER_CHANNEL && message.payload !== this.instance) {
        for (const listener of this.handoverListeners) listener();
        return;
      }
      if (message.channel === SLOT_CHANNEL && message.payload) {
        for (const listener of this.slotListeners) listener(message.payload);
        return;
      }
      if (message.channel !== JOB_CHANNEL || !message.payload) return;
      const bar = message.payload.indexOf("|");
      if (bar < 0 || message.payload.slice(0, bar) === this.instance) return;
      for (const id of message.payload.slice(bar + 1).split(",")) if (id) this.wake(id);
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${JOB_CHANNEL}; LISTEN ${HANDOVER_CHANNEL}; LISTEN ${SLOT_CHANNEL}`);
    } catch (error) {
      if (this.client === client) {
        this.client = null;
        client.removeAllListeners();
        client.on("error", () => undefined);
        await endSoon(client);
      }
      throw error;
    }
    if (this.closed) {
      await endSoon(client);
      return;
    }
    const reconnected = this.attempt > 0;
    this.attempt = 0;
    this.listening = true;
    this.startProbe(client, probe);
    if (reconnected) {
      this.o.logger.info({}, "job news from the other proxies flows again");
      this.wakeAll(); // whatever changed during the outage is read now
    }
  }

  /** The listening connection dropped (or went silent): wake every waiter, and reconnect. */
  private lost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    const was = this.listening;
    this.listening = false;
    client.removeAllListeners("notification");
    client.on("error", () => undefined);
    void endSoon(client);
    if (this.closed) return;
    if (was) this.o.logger.warn({ err: error }, "lost the job news connection to PostgreSQL; reconnecting");
    this.wakeAll(); // re-read now, then every LOCAL_POLL_MS until the news flows again
    this.scheduleReconnect();
  }

  /** A probe unanswered within its time (query_timeout) counts as a dropped connection. */
  private startProbe(client: pg.Client, probe: { everyMs: number; timeoutMs: number }): void {
    let inFlight = false;
    this.probeTimer = setInterval(() => {
      if (inFlight || this.client !== client) return;
      inFlight = true;
      client.query("SELECT 1").then(
        () => (inFlight = false),
        (error: unknown) => {
          inFlight = false;
          this.lost(client, error instanceof Error ? error : new Error(String(error)));
        },
      );
    }, probe.everyMs);
    this.probeTimer.unref();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)]!;
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch((error: unknown) => {
        if (this.attempt === 1 || this.attempt % 10 === 0) this.o.logger.warn({ err: error, attempt: this.attempt }, "job news connection: reconnect failed");
        this.scheduleReconnect();
      });
    }, delay);
    this.reconnectTimer.unref();
  }

  /** The pid of the listening connection's backend (tests end it to simulate a dropped connection). */
  async backendPid(): Promise<number | null> {
    if (!this.client || !this.listening) return null;
    const row = await this.client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    return row.rows[0]?.pid ?? null;
  }

  override async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    await this.settled();
    const client = this.client;
    this.client = null;
    this.listening = false;
    if (client) {
      client.removeAllListeners("notification");
      client.on("error", () => undefined);
      await endSoon(client);
    }
  }
}
