// Runs server/main.ts as a separate process, as `npm run serve` would: for tests of start-up errors,
// signals, crashes, and several proxy processes sharing one database. Node itself runs the server (with
// tsx as a loader) in the environment serve.ts gives it, not a wrapper, so a signal such as SIGKILL reaches
// the proxy itself. `entry: "server/serve.ts"` runs the wrapper that `npm run serve` runs, for its own tests.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { proxyProcessEnv } from "../process-env.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(env: Record<string, string>, entry = "server/main.ts"): { child: ChildProcess; out: string[]; err: string[]; exited: Promise<Exited> } {
  const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "warn", ...env };
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: ROOT,
    env: entry === "server/main.ts" ? proxyProcessEnv(base) : base,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on("data", (d: Buffer) => out.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => err.push(d.toString()));
  const exited = new Promise<Exited>((resolve) => child.on("exit", (code) => resolve({ code, stdout: out.join(""), stderr: err.join("") })));
  return { child, out, err, exited };
}

/** Starts the server and waits for its URL in the banner. */
export async function spawnServer(env: Record<string, string>, timeoutMs = 20_000, entry?: string): Promise<SpawnedServer> {
  const { child, out, err, exited } = run({ PORT: "0", ...env }, entry);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err.join("")}`)), timeoutMs);
    const check = () => {
      const m = out.join("").match(/URL\s+(http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", check);
    void exited.then((e) => reject(new Error(`server exited with ${e.code}: ${e.stderr}`)));
  });
  return {
    child,
    url,
    stdout: () => out.join(""),
    stderr: () => err.join(""),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return (await exited).code;
    },
  };
}

/** Runs the server expecting it to refuse to start. */
export async function spawnServerExpectingExit(env: Record<string, string>): Promise<Exited> {
  const { child, exited } = run({ PORT: "0", ...env });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const result = await exited;
  clearTimeout(timer);
  return result;
}
