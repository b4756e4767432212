// The proxy's process (`npm start` / `npm run serve` run it through serve.ts): start on the env's settings and
// stop cleanly on SIGINT/SIGTERM. SIGTERM (what orchestrators send) drains first: "draining" on /health, no
// new jobs, up to SHUTDOWN_GRACE_MS for running ones, the rest handed over to the other proxies
// (docs/architecture.md, "Several instances"); SIGINT (Ctrl-C) stops at once. A problem the operator must
// fix (bad env, bad catalog, port in use) prints one clear line, no stack.
import { pathToFileURL } from "node:url";
import { startServer } from "./start-server.ts";
import { StartupError } from "./startup-error.ts";

export { startServer, type RunningServer, type StartServerOptions } from "./start-server.ts";

export async function runMain(): Promise<void> {
  let server;
  try {
    server = await startServer();
  } catch (error) {
    if (error instanceof StartupError) {
      console.error(`Image Studio proxy cannot start.\n${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const running = server;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // Ctrl-C reaches this process twice when serve.ts runs it: from the terminal and passed on by serve.ts.
    if (stopping) return;
    stopping = true;
    const graceMs = signal === "SIGTERM" ? running.deps.config.shutdownGraceMs : 0;
    console.log(`\n${signal}: stopping the proxy${graceMs ? ` (draining: up to ${graceMs} ms for running jobs)` : ""}…`);
    const forced = setTimeout(() => process.exit(1), graceMs + 10_000);
    forced.unref();
    (signal === "SIGTERM" ? running.shutdown(graceMs) : running.close()).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runMain();
