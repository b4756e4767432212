// `npm start` / `npm run serve`: start the proxy on the env's settings and stop cleanly on SIGINT/SIGTERM.
// A problem the operator must fix (bad env, bad catalog, port in use) prints one clear line, no stack.
import { pathToFileURL } from "node:url";
import { startServer } from "./start-server.ts";
import { StartupError } from "./startup-error.ts";

export { startServer, type RunningServer, type StartServerOptions } from "./start-server.ts";

async function main(): Promise<void> {
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
  const stop = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: stopping the proxy…`);
    const forced = setTimeout(() => process.exit(1), 10_000);
    forced.unref();
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
