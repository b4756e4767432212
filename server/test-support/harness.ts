// Test helpers: a real proxy on 127.0.0.1 with a fresh DATA_DIR, plus shortcuts to make teams and call it.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jobResponseSchema, type Job } from "../../core/api/responses.ts";
import type { TierId } from "../../core/catalog/schema.ts";
import { tierById } from "../../core/estimate.ts";
import { createLogger } from "../logger.ts";
import { startServer, type RunningServer, type StartServerOptions } from "../start-server.ts";
import type { MemberRecord, TeamRecord } from "../teams/types.ts";

export async function tempDir(prefix = "studio-test-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface TestTeam {
  team: TeamRecord;
  manager: MemberRecord;
  token: string;
}

export interface CallOptions {
  token?: string | null;
  method?: string;
  json?: unknown;
  body?: RequestInit["body"];
  headers?: Record<string, string>;
}

export interface TestServer extends RunningServer {
  dataDir: string;
  createTeam(tier?: TierId, options?: { monthlyCredits?: number | null; name?: string }): Promise<TestTeam>;
  call(path: string, options?: CallOptions): Promise<Response>;
  waitForJob(token: string, id: string, timeoutMs?: number): Promise<Job>;
  /** Posts `spec` (with a fresh Idempotency-Key) and waits for the job; throws unless it was accepted and succeeded. */
  runJob(token: string, spec: Record<string, unknown>): Promise<Job>;
}

export async function startTestServer(options: StartServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await tempDir());
  const server = await startServer({
    env: {},
    port: 0,
    dataDir,
    logger: createLogger("silent"),
    demoTeam: false,
    print: () => {},
    ...options,
  });

  const call = (path: string, o: CallOptions = {}): Promise<Response> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.Authorization = `Bearer ${o.token}`;
    let body = o.body;
    if (o.json !== undefined) {
      headers["Content-Type"] ??= "application/json";
      body = JSON.stringify(o.json);
    }
    return fetch(server.url + path, { method: o.method ?? (body === undefined ? "GET" : "POST"), headers, body });
  };

  const waitForJob = async (token: string, id: string, timeoutMs = 15_000): Promise<Job> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const res = await call(`/v1/jobs/${id}`, { token });
      const { job } = jobResponseSchema.parse(await res.json());
      if (job.status === "succeeded" || job.status === "failed") return job;
      if (Date.now() > until) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  return {
    ...server,
    dataDir,
    async close() {
      await server.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
    async createTeam(tier = "pro", o = {}) {
      const monthlyCredits = o.monthlyCredits !== undefined ? o.monthlyCredits : tierById(server.deps.catalog, tier).monthlyCredits;
      return server.deps.stores.teams.createTeam({ name: o.name ?? `Team ${tier}`, tier, monthlyCredits, managerName: "Manager" });
    },
    call,
    waitForJob,
    async runJob(token, spec) {
      const res = await call("/v1/jobs", { token, json: spec, headers: { "Idempotency-Key": randomUUID() } });
      if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}: ${await res.text()}`);
      const job = await waitForJob(token, jobResponseSchema.parse(await res.json()).job.id);
      if (job.status !== "succeeded") throw new Error(`job ${job.id} failed: ${job.error?.message ?? "no error given"}`);
      return job;
    },
  };
}

/** A small output size: jobs whose pixels do not matter to the test finish fast. */
export const SMALL = { width: 256, height: 192 };

/** A create spec for the local provider (draft routes to it when no key is set). */
export function createSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { operation: "create", prompt: "a lighthouse on a cliff at dusk", quality: "draft", ...overrides };
}
