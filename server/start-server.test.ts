import { rm } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { meSchema } from "../core/api/responses.ts";
import { jobSpecSchema } from "../core/api/specs.ts";
import { estimate } from "../core/estimate.ts";
import { DEFAULT_CATALOG } from "../core/catalog/default-catalog.ts";
import { createLogger } from "./logger.ts";
import { requestHash } from "./jobs/request-hash.ts";
import { startServer, type StartServerOptions } from "./start-server.ts";
import { StartupError } from "./startup-error.ts";
import { tempDir } from "./test-support/harness.ts";

let dataDir: string;
beforeEach(async () => {
  dataDir = await tempDir();
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

async function start(options: StartServerOptions = {}) {
  const printed: string[] = [];
  const server = await startServer({ env: {}, port: 0, dataDir, logger: createLogger("silent"), print: (t) => printed.push(t), ...options });
  return { server, banner: printed.join("\n") };
}

describe("startServer", () => {
  it("creates the demo team on first start and prints its token and the Figma steps", async () => {
    const { server, banner } = await start();
    try {
      const token = banner.match(/isk_[A-Za-z0-9_-]{43}/)?.[0];
      expect(token).toBeDefined();
      expect(banner).toContain(`http://localhost:${server.port}`);
      expect(banner).toContain("Plugins → Development → Import plugin from manifest");
      expect(banner).toMatch(/manifest\.json/);
      // Port 0 picked a port the committed manifest does not allow: the banner says how to allow it.
      expect(banner).toContain(`PLUGIN_PROXY_ORIGINS=http://localhost:${server.port} npm run build`);
      const res = await fetch(`${server.url}/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
      const me = meSchema.parse(await res.json());
      expect(me).toMatchObject({ role: "manager", user: { name: "Demo Manager" }, team: { name: "Demo Studio", tier: "pro" }, balance: { available: 2000 } });
    } finally {
      await server.close();
    }
  });

  it("on later starts keeps the team, shows no token, and says how to get a new one", async () => {
    const first = await start();
    await first.server.close();
    const { server, banner } = await start();
    try {
      const teams = await server.deps.stores.teams.listTeams();
      expect(teams).toHaveLength(1);
      const [manager] = await server.deps.stores.teams.listMembers(teams[0]!.id);
      expect(banner).not.toMatch(/isk_/);
      expect(banner).toContain(`npm run admin -- token rotate --member ${manager!.id}`);
    } finally {
      await server.close();
    }
  });

  it("after a crash, fails the jobs whose holds expired and runs the ones that never started", async () => {
    const { server } = await start({ demoTeam: false });
    const { stores } = server.deps;
    const { team, manager } = await stores.teams.createTeam({ name: "T", tier: "pro", monthlyCredits: 100, managerName: "M" });
    const newJob = (ttl: number) => {
      const spec = jobSpecSchema.parse({ operation: "create", prompt: "p", quality: "draft" });
      return {
        teamId: team.id,
        memberId: manager.id,
        idempotencyKey: null,
        requestHash: requestHash(spec),
        spec,
        price: (state: Parameters<typeof estimate>[2]) => estimate(spec, DEFAULT_CATALOG, { ...state, configuredProviders: ["local"] }),
        holdTtlMs: ttl,
        leaseMs: 1, // the process that accepted them is gone: their leases lapse at once
      };
    };
    // Jobs stored with their holds but never run: what a crash between accept and finish leaves.
    const { job: lost } = await stores.jobs.createWithHold(newJob(1));
    const { job: recent } = await stores.jobs.createWithHold(newJob(600_000));
    expect((await stores.ledger.balance(team.id)).held).toBe(4);
    await server.close();
    await new Promise((r) => setTimeout(r, 10));

    const again = await start({ demoTeam: false });
    try {
      const s = again.server.deps.stores;
      expect(await s.jobs.getById(lost.id)).toMatchObject({ status: "failed", charged: 0, error: { code: "provider_error" } });
      // Never started, so running it now cannot charge twice: the restarted proxy adopts and runs it.
      await again.server.deps.runner.idle();
      expect(await s.jobs.getById(recent.id)).toMatchObject({ status: "succeeded", charged: 2 });
      expect(await s.ledger.balance(team.id)).toMatchObject({ held: 0, spent: 2, available: 98 });
      expect(await s.ledger.verify()).toEqual([]);
    } finally {
      await again.server.close();
    }
  });

  it("reports an unreachable PostgreSQL as a startup error without its password", async () => {
    const attempt = start({ env: { DATABASE_URL: "postgres://studio:s3cret-pw@127.0.0.1:1/studio" } });
    await expect(attempt).rejects.toBeInstanceOf(StartupError);
    await expect(attempt).rejects.toThrowError(/Cannot open the PostgreSQL database/);
    await expect(attempt).rejects.not.toThrowError(/s3cret-pw/);
  });

  it("reports a port in use as a startup error", async () => {
    const { server } = await start();
    try {
      await expect(start({ port: server.port, host: "127.0.0.1" })).rejects.toThrowError(/already in use/);
    } finally {
      await server.close();
    }
  });

  it("closes once, however often close() is called", async () => {
    const { server } = await start();
    await Promise.all([server.close(), server.close()]);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});
