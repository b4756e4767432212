// `npm start` / `npm run serve`: runs the proxy (main.ts) in a process started with the allocator settings
// of process-env.ts. They must be in the environment when the process starts, so when they are missing the
// proxy runs as a child of this one (with the same Node options, tsx's loader included), which passes on
// SIGINT and SIGTERM and exits with the child's code: what the tsx CLI's own wrapper process did before.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { proxyProcessEnv, startedWithMallocEnv } from "./process-env.ts";

const main = fileURLToPath(new URL("./main.ts", import.meta.url));

if (startedWithMallocEnv()) {
  await (await import("./main.ts")).runMain();
} else {
  const child = spawn(process.execPath, [...process.execArgv, main, ...process.argv.slice(2)], { env: proxyProcessEnv(process.env), stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
