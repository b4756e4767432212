// Db over better-sqlite3. Statements are synchronous underneath; the async surface lets the stores share one
// implementation with PostgreSQL. One connection per process, so transactions on it are queued here (a
// connection can hold one transaction at a time) and committed in groups (group commit: see tx); across
// processes, BEGIN IMMEDIATE and the busy timeout make the database itself serialise writers.
import type Database from "better-sqlite3";
import { SQLITE_DIALECT, type Db, type Sql, type SqlValue } from "./sql.ts";

interface Prepared {
  stmt: Database.Statement;
  /** Which `$n` each `?` stands for, in order. */
  order: number[];
  reader: boolean;
}

interface QueuedTx {
  fn: (sql: Sql) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** At most this many transactions share a commit, so one group cannot hold the write lock for long. */
export const MAX_GROUP = 64;

export class SqliteDb implements Db {
  readonly dialect = SQLITE_DIALECT;
  private readonly cache = new Map<string, Prepared>();
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  /** Settles when the running group of transactions ends; null when none runs. */
  private current: Promise<void> | null = null;
  /** Groups committed so far (each one COMMIT), for tests and benchmarks. */
  groups = 0;
  /** Transactions waiting for the next group. */
  private readonly queue: QueuedTx[] = [];
  private readonly savepoint;
  private readonly release;
  private readonly rollbackTo;
  private readonly inside: Sql;

  /** WAL checkpoints (copying the log into the database, with fsyncs of their own) run on this timer, not inside commits. */
  private readonly checkpointer: NodeJS.Timeout;

  constructor(
    readonly raw: Database.Database,
    checkpointEveryMs = 1000,
  ) {
    // A checkpoint inside COMMIT made every ~100th ledger transaction wait ~5 ms for it; here it happens once
    // a second, between groups. A passive checkpoint never blocks other processes.
    raw.pragma("wal_autocheckpoint = 0");
    this.checkpointer = setInterval(() => {
      if (this.raw.open && !this.current) this.raw.pragma("wal_checkpoint(PASSIVE)");
    }, checkpointEveryMs);
    this.checkpointer.unref();
    this.begin = raw.prepare("BEGIN IMMEDIATE");
    this.commit = raw.prepare("COMMIT");
    this.rollback = raw.prepare("ROLLBACK");
    this.savepoint = raw.prepare("SAVEPOINT tx");
    this.release = raw.prepare("RELEASE tx");
    this.rollbackTo = raw.prepare("ROLLBACK TO tx");
    this.inside = {
      dialect: this.dialect,
      one: async (text, params) => this.get(text, params),
      all: async (text, params) => this.getAll(text, params),
      run: async (text, params) => this.change(text, params),
      exec: async (text) => void this.raw.exec(text),
    };
  }

  private prepare(text: string): Prepared {
    let p = this.cache.get(text);
    if (!p) {
      const order: number[] = [];
      const sql = text.replace(/\$(\d+)/g, (_, n: string) => {
        order.push(Number(n));
        return "?";
      });
      const stmt = this.raw.prepare(sql);
      p = { stmt, order, reader: stmt.reader };
      this.cache.set(text, p);
    }
    return p;
  }

  private args(p: Prepared, params: readonly SqlValue[] = []): SqlValue[] {
    return p.order.map((n) => {
      if (n < 1 || n > params.length) throw new RangeError(`SQL parameter $${n} has no value (${params.length} given)`);
      return params[n - 1]!;
    });
  }

  private get<T>(text: string, params?: readonly SqlValue[]): T | undefined {
    const p = this.prepare(text);
    if (!p.reader) {
      // A write with RETURNING is a reader too; a plain write returns no row.
      p.stmt.run(...this.args(p, params));
      return undefined;
    }
    return p.stmt.get(...this.args(p, params)) as T | undefined;
  }

  private getAll<T>(text: string, params?: readonly SqlValue[]): T[] {
    const p = this.prepare(text);
    return p.stmt.all(...this.args(p, params)) as T[];
  }

  private change(text: string, params?: readonly SqlValue[]): number {
    const p = this.prepare(text);
    return p.stmt.run(...this.args(p, params)).changes;
  }

  /** Statements outside a transaction wait for the running one, so they never see its uncommitted rows. */
  private async outside<T>(f: () => T): Promise<T> {
    while (this.current) await this.current;
    return f();
  }

  one<T>(text: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.outside(() => this.get<T>(text, params));
  }

  all<T>(text: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.outside(() => this.getAll<T>(text, params));
  }

  run(text: string, params?: readonly SqlValue[]): Promise<number> {
    return this.outside(() => this.change(text, params));
  }

  exec(text: string): Promise<void> {
    return this.outside(() => void this.raw.exec(text));
  }

  /**
   * Queues `fn` to run in a transaction; resolves once its writes are committed (durable, with
   * synchronous = FULL). Transactions that queue up while one runs are grouped: one BEGIN IMMEDIATE, each
   * in a SAVEPOINT of its own (a failure rolls back only its own writes), and one COMMIT, so one fsync
   * acknowledges the whole group. They still run one after another, so each sees the ones before it as it
   * would after their commits; nothing is acknowledged before the COMMIT that makes it durable.
   */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      this.kick();
    });
  }

  /**
   * Starts the next group if none runs. Between groups the connection is free for one turn of the event
   * loop, so statements outside a transaction (which wait for `current`) are not starved by a steady stream
   * of transactions, and the transactions arriving meanwhile join the next group.
   */
  private kick(): void {
    if (this.current || this.queue.length === 0) return;
    this.current = this.group().finally(() => {
      this.current = null;
      setImmediate(() => this.kick());
    });
  }

  private async group(): Promise<void> {
    const done: { item: QueuedTx; ok: boolean; value: unknown }[] = [];
    try {
      this.begin.run();
    } catch (error) {
      // Another process held the write lock past the busy timeout: the first in line fails, the rest retry.
      this.queue.shift()!.reject(error);
      return;
    }
    while (this.queue.length && done.length < MAX_GROUP) {
      const item = this.queue.shift()!;
      this.savepoint.run();
      try {
        done.push({ item, ok: true, value: await item.fn(this.inside) });
        this.release.run();
      } catch (error) {
        done.push({ item, ok: false, value: error });
        if (!this.raw.inTransaction) return this.abandon(done, error);
        this.rollbackTo.run();
        this.release.run();
      }
    }
    try {
      this.commit.run();
      this.groups++;
    } catch (error) {
      return this.abandon(done, error);
    }
    for (const { item, ok, value } of done) (ok ? item.resolve : item.reject)(value);
  }

  /** The whole group was rolled back (by SQLite, or a failed COMMIT): nothing in it was written. */
  private abandon(done: { item: QueuedTx; ok: boolean; value: unknown }[], cause: unknown): void {
    if (this.raw.inTransaction) this.rollback.run();
    for (const { item, ok, value } of done) item.reject(ok ? cause : value);
  }

  async close(): Promise<void> {
    clearInterval(this.checkpointer);
    while (this.current) await this.current;
    if (this.raw.open) this.raw.close();
  }
}
