import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import type { Catalog } from "../core/catalog/schema.ts";
import { bannerText } from "./banner.ts";
import { loadCatalog } from "./catalog-loader.ts";
import { composeProxy } from "./compose.ts";
import { parseConfig, providerKeyLookup, type Config } from "./config.ts";
import { sqlitePath } from "./db/open-db.ts";
import { ensureDemoTeam } from "./demo-team.ts";
import { createApp } from "./http/app.ts";
import type { AppDeps, AppEnv } from "./http/types.ts";
import { configureSharp } from "./images/decode.ts";
import { createLogger, type Logger } from "./logger.ts";
import { manifestOrigins } from "./plugin-manifest.ts";
import type { ProviderAdapter } from "./providers/types.ts";
import { redactor } from "./redact.ts";
import { StartupError } from "./startup-error.ts";

export interface StartServerOptions {
  /** Environment to read the config from; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  dataDir?: string;
  /** Overrides applied after the env is parsed (e.g. a short jobTimeoutMs in tests). */
  config?: Partial<Config>;
  /** Use this catalog instead of CATALOG_PATH / the default. */
  catalog?: Catalog;
  /** Extra adapters; one with the id of a built-in replaces it (tests inject failing providers this way). */
  adapters?: ProviderAdapter[];
  logger?: Logger;
  /** Where the start banner goes; default console.log. */
  print?: (text: string) => void;
  /** Create the demo team on an empty database; default true. */
  demoTeam?: boolean;
  /** How often the reaper sweeps; default config.sweepIntervalMs. */
  sweepIntervalMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  app: Hono<AppEnv>;
  deps: AppDeps;
  /** Stops now: running jobs fail (holds released) or, with an async provider task, wait for the next proxy. */
  close(): Promise<void>;
  /** SIGTERM's graceful stop: drain (compose.ts, ComposedProxy.drain) for up to `graceMs` (default
   * SHUTDOWN_GRACE_MS), hand the rest over, then close. */
  shutdown(graceMs?: number): Promise<void>;
}

function listen(app: Hono<AppEnv>, port: number, host: string): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(server));
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new StartupError(`Port ${port} on ${host} is already in use; set PORT to another port`) : error),
    );
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections would hold close() open; idle ones go now, busy ones after a grace period.
    if ("closeIdleConnections" in server) server.closeIdleConnections();
    const force = setTimeout(() => {
      if ("closeAllConnections" in server) server.closeAllConnections();
    }, 2000);
    force.unref();
  });
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const config: Config = {
    ...parseConfig(env),
    ...options.config,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
  };
  const catalog = options.catalog ?? (await loadCatalog(config.catalogPath));
  const keyFor = providerKeyLookup(config, env);
  // Every provider key, in any spelling, is scrubbed from job errors and log lines; so is the S3 secret.
  const s3Secret = config.blobStore.kind === "s3" ? config.blobStore.credentials?.secretAccessKey : undefined;
  const redact = redactor([...catalog.providers.map((p) => (p.keyEnv ? keyFor(p.keyEnv) : undefined)), s3Secret]);
  const logger = options.logger ?? createLogger(config.logLevel, undefined, redact);
  // libvips threads per pipeline: sharp's default on glibc is 1 (against fragmentation, which the launch
  // environment's MALLOC_ARENA_MAX handles, see process-env.ts); one per core makes a large resize use them.
  configureSharp(availableParallelism());
  const proxy = await composeProxy({ config, catalog, logger, redact, keyFor, adapters: options.adapters, sweepIntervalMs: options.sweepIntervalMs });
  const { deps } = proxy;
  const { stores, providers } = deps;
  try {
    const demo = options.demoTeam === false ? null : await ensureDemoTeam(stores.teams, catalog);
    const app = createApp(deps);
    const server = await listen(app, config.port, config.host);
    const port = (server.address() as AddressInfo).port;
    const displayHost = config.host.includes(":") ? `[${config.host}]` : config.host;
    const url = `http://${displayHost}:${port}`;
    const local = ["127.0.0.1", "0.0.0.0", "::", "::1", "localhost"].includes(config.host);
    logger.info({ url, database: stores.database, providers: providers.configuredIds(), catalog: catalog.version }, "proxy listening");

    if (demo) {
      const manifestPath = fileURLToPath(new URL("../manifest.json", import.meta.url));
      (options.print ?? console.log)(
        bannerText({
          url,
          panelUrl: local ? `http://localhost:${port}` : url,
          database: stores.database === "sqlite" ? `SQLite at ${sqlitePath(config)}` : stores.database,
          manifestPath,
          manifestOrigins: await manifestOrigins(manifestPath),
          configuredProviders: providers.configuredIds(),
          unconfigured: providers.statuses().filter((s) => !s.configured),
          demo,
        }),
      );
    }

    let closing: Promise<void> | null = null;
    return {
      url,
      port,
      app,
      deps,
      close() {
        closing ??= (async () => {
          await proxy.stopReaper();
          await closeServer(server);
          await proxy.close();
        })();
        return closing;
      },
      shutdown(graceMs = config.shutdownGraceMs) {
        closing ??= (async () => {
          await proxy.drain(graceMs);
          await closeServer(server);
          await proxy.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await proxy.stopReaper();
    await proxy.close();
    throw error;
  }
}
