// Db over better-sqlite3. Statements are synchronous underneath; the async surface lets the stores share one
// implementation with PostgreSQL. One connection per process, so transactions on it are queued here (a
// connection can hold one transaction at a time); across processes, BEGIN IMMEDIATE and the busy timeout
// make the database itself serialise writers.
import type Database from "better-sqlite3";
import { SQLITE_DIALECT, type Db, type Sql, type SqlValue } from "./sql.ts";

interface Prepared {
  stmt: Database.Statement;
  /** Which `$n` each `?` stands for, in order. */
  order: number[];
  reader: boolean;
}

export class SqliteDb implements Db {
  readonly dialect = SQLITE_DIALECT;
  private readonly cache = new Map<string, Prepared>();
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  /** Settles when the running transaction ends; null when none runs. */
  private current: Promise<void> | null = null;
  private readonly inside: Sql;

  /** WAL checkpoints (the only fsyncs in WAL + synchronous=NORMAL) run on this timer, not inside commits. */
  private readonly checkpointer: NodeJS.Timeout;

  constructor(
    readonly raw: Database.Database,
    checkpointEveryMs = 1000,
  ) {
    // A checkpoint inside COMMIT made every ~100th ledger transaction wait ~5 ms for an fsync; here the wait
    // happens once a second, between transactions. A passive checkpoint never blocks other processes.
    raw.pragma("wal_autocheckpoint = 0");
    this.checkpointer = setInterval(() => {
      if (this.raw.open && !this.current) this.raw.pragma("wal_checkpoint(PASSIVE)");
    }, checkpointEveryMs);
    this.checkpointer.unref();
    this.begin = raw.prepare("BEGIN IMMEDIATE");
    this.commit = raw.prepare("COMMIT");
    this.rollback = raw.prepare("ROLLBACK");
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

  async tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    while (this.current) await this.current;
    let end!: () => void;
    this.current = new Promise<void>((resolve) => (end = resolve));
    try {
      this.begin.run();
      try {
        const result = await fn(this.inside);
        this.commit.run();
        return result;
      } catch (error) {
        if (this.raw.inTransaction) this.rollback.run();
        throw error;
      }
    } finally {
      this.current = null;
      end();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.checkpointer);
    while (this.current) await this.current;
    if (this.raw.open) this.raw.close();
  }
}
