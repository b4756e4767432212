// Several real proxy processes on one database (a SQLite file or a PostgreSQL database), driven through the
// HTTP API only, plus this test process's own read connection to check the ledger from the outside.
//
// The proxies run as `node --import tsx server/main.ts`, not through the `tsx` binary: tsx runs the server in
// a child process and cannot relay SIGKILL to it, so killing the binary would leave the real proxy running.
// Here the pid is the proxy itself, and SIGKILL means a crash.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect } from "vitest";
import { errorResponseSchema, type ErrorCode } from "../../../core/api/errors.ts";
import { batchResponseSchema, jobResponseSchema, meSchema, type BatchView, type Job, type Me } from "../../../core/api/responses.ts";
import { DEFAULT_CATALOG } from "../../../core/catalog/default-catalog.ts";
import type { TierId } from "../../../core/catalog/schema.ts";
import { storesOn } from "../../../server/compose.ts";
import type { Stores } from "../../../server/stores.ts";
import { connectTestDb, createTestDatabaseUrl, type DbKind } from "../../../server/test-support/databases.ts";
import { startStabilityFake, type StabilityFake } from "../../../server/test-support/fakes/stability-fake.ts";
import { balanceFromEntries } from "../../../server/test-support/test-stores.ts";
import { proxyProcessEnv } from "../../../server/process-env.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface Proxy {
  url: string;
  pid: number;
  output(): string;
  /** SIGTERM (a clean stop), SIGKILL after 10 s; resolves when the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL: the process dies where it stands, as in a crash or an OOM kill. */
  kill(): Promise<void>;
}

function startProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<Proxy> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: proxyProcessEnv({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "warn", PORT: "0", HOST: "127.0.0.1", ...env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  child.stdout!.on("data", (d: Buffer) => out.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => out.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const signal = async (sig: NodeJS.Signals) => {
    if (!gone()) child.kill(sig);
    await exited;
  };
  const proxy = (url: string): Proxy => ({
    url,
    pid: child.pid!,
    output: () => out.join(""),
    async stop() {
      if (gone()) return;
      const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await signal("SIGTERM");
      clearTimeout(force);
    },
    kill: () => signal("SIGKILL"),
  });
  return new Promise<Proxy>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`proxy did not start in ${timeoutMs} ms:\n${out.join("")}`));
    }, timeoutMs);
    const check = () => {
      const m = out.join("").match(/URL\s+(http:\/\/\S+)/);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off("data", check);
      resolve(proxy(m[1]!));
    };
    child.stdout!.on("data", check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`proxy exited during start:\n${out.join("")}`));
    });
  });
}

export interface TeamHandle {
  teamId: string;
  memberId: string;
  token: string;
}

export interface Cluster {
  kind: DbKind;
  /** DATABASE_URL of every proxy and of the admin CLI. */
  databaseUrl: string;
  dataDir: string;
  /** This process's own connection: setup before the proxies start, reads, and the odd direct UPDATE. */
  stores: Stores;
  /** Every proxy started so far that has not been stopped or killed. */
  readonly proxies: Proxy[];
  /** Starts `n` proxies on the cluster's database at once. */
  start(n: number, env?: Record<string, string>): Promise<Proxy[]>;
  createTeam(tier: TierId, monthlyCredits?: number | null): Promise<TeamHandle>;
  /** `npm run admin -- ledger verify --json` on the same DATABASE_URL and DATA_DIR. */
  verify(): Promise<{ code: number | null; result: { ok: boolean; teams: number; drift: unknown[] } | null; output: string }>;
  /** Stops every proxy, closes the connection, drops the database and the data dir. Safe to call twice. */
  close(): Promise<void>;
}

export async function openCluster(kind: DbKind): Promise<Cluster> {
  const database = await createTestDatabaseUrl(kind);
  const dataDir = mkdtempSync(join(tmpdir(), "studio-ledger-"));
  let stores: Stores;
  try {
    stores = storesOn(await connectTestDb(database.url), DEFAULT_CATALOG, dataDir);
  } catch (error) {
    await database.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const proxies: Proxy[] = [];
  const baseEnv = { DATABASE_URL: database.url, DATA_DIR: dataDir };
  let closed: Promise<void> | undefined;

  const forget = (p: Proxy) => {
    const i = proxies.indexOf(p);
    if (i >= 0) proxies.splice(i, 1);
  };
  const track = (raw: Proxy): Proxy => {
    const tracked: Proxy = {
      ...raw,
      stop: async () => {
        await raw.stop();
        forget(tracked);
      },
      kill: async () => {
        await raw.kill();
        forget(tracked);
      },
    };
    proxies.push(tracked);
    return tracked;
  };

  return {
    kind,
    databaseUrl: database.url,
    dataDir,
    stores,
    proxies,
    async start(n, env = {}) {
      const started = await Promise.allSettled(Array.from({ length: n }, () => startProcess({ ...baseEnv, ...env })));
      const ok = started.filter((s): s is PromiseFulfilledResult<Proxy> => s.status === "fulfilled").map((s) => track(s.value));
      const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
      if (failed) throw failed.reason;
      return ok;
    },
    async createTeam(tier, monthlyCredits) {
      const credits = monthlyCredits !== undefined ? monthlyCredits : (DEFAULT_CATALOG.tiers.find((t) => t.id === tier)?.monthlyCredits ?? null);
      const { team, manager, token } = await stores.teams.createTeam({ name: `Team ${tier}`, tier, monthlyCredits: credits, managerName: "Manager" });
      return { teamId: team.id, memberId: manager.id, token };
    },
    verify() {
      return new Promise((resolve) => {
        execFile(
          "npm",
          ["run", "--silent", "admin", "--", "ledger", "verify", "--json"],
          { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...baseEnv, LOG_LEVEL: "warn" }, timeout: 60_000 },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
            const line = stdout.split("\n").find((l) => l.startsWith("{"));
            resolve({ code, result: line ? JSON.parse(line) : null, output: `${stdout}\n${stderr}` });
          },
        );
      });
    },
    close() {
      closed ??= (async () => {
        await Promise.allSettled([...proxies].map((p) => p.stop()));
        await stores.close().catch(() => {});
        await database.cleanup();
        rmSync(dataDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}

// --- HTTP -------------------------------------------------------------------------------------------------

export interface CallOptions {
  token?: string;
  json?: unknown;
  headers?: Record<string, string>;
  method?: string;
}

export function call(base: string, path: string, o: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  if (o.json !== undefined) headers["Content-Type"] = "application/json";
  return fetch(base + path, {
    method: o.method ?? (o.json === undefined ? "GET" : "POST"),
    headers,
    ...(o.json === undefined ? {} : { body: JSON.stringify(o.json) }),
  });
}

export async function me(base: string, token: string): Promise<Me> {
  const res = await call(base, "/v1/me", { token });
  expect(res.status).toBe(200);
  return meSchema.parse(await res.json());
}

export async function errorCode(res: Response): Promise<ErrorCode> {
  return errorResponseSchema.parse(await res.json()).error.code;
}

export async function jobOf(res: Response): Promise<Job> {
  return jobResponseSchema.parse(await res.json()).job;
}

export async function getJob(base: string, token: string, id: string): Promise<Job> {
  const res = await call(base, `/v1/jobs/${id}`, { token });
  expect(res.status).toBe(200);
  return jobResponseSchema.parse(await res.json()).job;
}

/** Polls until `pass(job)`; throws with the last state after `timeoutMs`. */
export async function waitForJob(base: string, token: string, id: string, pass: (job: Job) => boolean = finished, timeoutMs = 30_000): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(base, token, id);
    if (pass(job)) return job;
    if (Date.now() > until) throw new Error(`job ${id} is still ${job.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const finished = (job: Job) => job.status === "succeeded" || job.status === "failed";

export async function batchOf(res: Response): Promise<BatchView> {
  return batchResponseSchema.parse(await res.json()).batch;
}

/** Polls GET /v1/batches/:id until `pass(batch)`; throws with every item's state after `timeoutMs`. */
export async function waitForBatch(base: string, token: string, id: string, pass: (b: BatchView) => boolean = settled, timeoutMs = 30_000): Promise<BatchView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const batch = await batchOf(await call(base, `/v1/batches/${id}`, { token }));
    if (pass(batch)) return batch;
    if (Date.now() > until) throw new Error(`batch ${id} is ${batch.status} after ${timeoutMs} ms: ${JSON.stringify(batch.items.map((j) => [j.status, j.progress, j.error]))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const settled = (b: BatchView) => b.status === "succeeded" || b.status === "partial" || b.status === "failed";

export interface ClusterSuite {
  c: Cluster;
  /** The started proxies' base URLs. */
  bases: string[];
  /** Set with `stability: true`. */
  stability: StabilityFake;
}

/**
 * A describe block's cluster: opened before its tests, with `processes` proxies started on `env` when given
 * (a test may start its own instead), and closed after them; `stability: true` adds a Stability fake.
 */
export function clusterSuite(kind: DbKind, o: { processes?: number; env?: Record<string, string>; stability?: boolean } = {}): ClusterSuite {
  const suite = { bases: [] as string[] } as ClusterSuite;
  beforeAll(async () => {
    if (o.stability) suite.stability = await startStabilityFake();
    suite.c = await openCluster(kind);
    if (o.processes) suite.bases = (await suite.c.start(o.processes, o.env)).map((p) => p.url);
  }, 90_000);
  afterAll(async () => {
    await suite.c?.close();
    await suite.stability?.close();
  }, 60_000);
  return suite;
}

/** A create the local provider renders fast: draft, 256 x 256. */
export function smallCreate(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { operation: "create", prompt: "a lighthouse on a cliff at dusk", quality: "draft", aspectRatio: { width: 256, height: 256 }, ...overrides };
}

/** Polls GET /v1/me on every proxy until stopped; `lowest` is the lowest available balance any of them showed. */
export function watchBalance(bases: readonly string[], token: string): { stop(): Promise<number> } {
  let lowest = Infinity;
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const m = await me(bases[i % bases.length]!, token);
      lowest = Math.min(lowest, m.balance.available ?? Infinity);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return lowest;
    },
  };
}

// --- The invariants ---------------------------------------------------------------------------------------

/**
 * What every scenario ends with (docs/ledger.md): every job finished and nothing held (nothing lost); each
 * succeeded job charged exactly its estimate, once, and the charges add up to what was spent (nothing
 * charged twice); GET /v1/me agrees with the sum of the entries on every proxy; no balance ever went below
 * zero; and `ledger verify` run as the operator would finds no drift.
 */
export async function expectLedgerWhole(c: Cluster, team: TeamHandle): Promise<{ me: Me; jobs: Job[] }> {
  const [whole] = await expectLedgersWhole(c, [team]);
  return whole!;
}

/** expectLedgerWhole for several teams, with one `ledger verify` at the end. */
export async function expectLedgersWhole(c: Cluster, teams: readonly TeamHandle[]): Promise<{ me: Me; jobs: Job[] }[]> {
  const bases = c.proxies.map((p) => p.url);
  expect(bases.length).toBeGreaterThan(0);
  const out: { me: Me; jobs: Job[] }[] = [];
  for (const team of teams) {
    const ids = (await c.stores.db.all<{ id: string }>("SELECT id FROM jobs WHERE team_id = $1 ORDER BY id", [team.teamId])).map((r) => r.id);
    const jobs = await Promise.all(ids.map((id, i) => waitForJob(bases[i % bases.length]!, team.token, id)));

    const entries = await c.stores.ledger.entries(team.teamId);
    const fromEntries = balanceFromEntries(entries);
    const views = await Promise.all(bases.map((b) => me(b, team.token)));
    for (const m of views) {
      expect({ granted: m.balance.granted, spent: m.balance.spent, held: m.balance.held }).toEqual(fromEntries);
      expect(m.balance.held).toBe(0);
      if (m.balance.available !== null) {
        expect(m.balance.available).toBe(fromEntries.granted - fromEntries.spent - fromEntries.held);
        expect(m.balance.available).toBeGreaterThanOrEqual(0);
      }
    }
    expect(Math.min(...entries.map((e) => e.availableAfter))).toBeGreaterThanOrEqual(0);

    let charged = 0;
    for (const job of jobs) {
      expect(job.held).toBe(0);
      if (job.status === "succeeded") expect(job.charged).toBe(job.estimate.total);
      else expect(job.charged).toBe(0);
      charged += job.charged;
      const mine = entries.filter((e) => e.jobId === job.id);
      expect(mine.filter((e) => e.kind === "hold")).toHaveLength(1);
      expect(mine.filter((e) => e.kind === "capture").reduce((n, e) => n + e.amount, 0)).toBe(job.charged);
      expect(mine.filter((e) => e.kind !== "hold").length).toBeGreaterThan(0); // the hold was resolved
    }
    expect(charged).toBe(views[0]!.balance.spent);
    const pending = await c.stores.db.one<{ n: number }>("SELECT count(*) AS n FROM holds WHERE team_id = $1 AND state = 'pending'", [team.teamId]);
    expect(pending!.n).toBe(0);
    out.push({ me: views[0]!, jobs });
  }

  const verified = await c.verify();
  expect(verified.code, verified.output).toBe(0);
  expect(verified.result).toMatchObject({ ok: true, drift: [] });
  return out;
}
