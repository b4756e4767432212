// Starts the real proxy as its own process on a fresh database, as `npm run serve` would, and drives the
// admin CLI the way an operator does. Tests talk to it over 127.0.0.1 only.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { proxyProcessEnv } from "../../server/process-env.ts";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;
const TSX = join(ROOT, "node_modules/.bin/tsx");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ProxyProcess {
  url: string;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  admin: <T = unknown>(...args: string[]) => Promise<T>;
  stop: () => Promise<void>;
}

export async function startProxy(env: Record<string, string> = {}): Promise<ProxyProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), "image-studio-"));
  const port = await freePort();
  const baseEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env };
  const child = spawn(TSX, ["server/main.ts"], { cwd: ROOT, env: proxyProcessEnv(baseEnv), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`proxy exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`proxy did not answer /health in 30 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    dataDir,
    child,
    output: () => out,
    admin: async <T,>(...args: string[]) => {
      const { stdout } = await run(TSX, ["server/admin/cli.ts", ...args, "--json"], { cwd: ROOT, env: baseEnv });
      return JSON.parse(stdout) as T;
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
