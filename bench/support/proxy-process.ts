// A proxy as its own process for the benchmarks, started the way `npm run serve` starts it (node with tsx as a
// loader and the proxy's launch environment), with its memory read from /proc/<pid>/status.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { proxyProcessEnv } from "../../server/process-env.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface BenchProxy {
  url: string;
  child: ChildProcess;
  /** Everything the proxy printed (its log lines included). */
  output(): string;
  stop(): Promise<void>;
}

const started: ChildProcess[] = [];
// Never leave a proxy running: if the bench fails, stop it on the way out.
process.on("exit", () => {
  for (const child of started) if (child.exitCode === null) child.kill("SIGKILL");
});

/** `nodeArgs` go before the loader (e.g. --cpu-prof). */
export async function startBenchProxy(env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<BenchProxy> {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: proxyProcessEnv({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", ...env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let out = "";
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = out.match(/URL\s+(http:\/\/\S+)/);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the proxy exited with ${code}:\n${out}`)));
  });
  return {
    url,
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGINT");
      }),
  };
}

export interface Memory {
  /** Resident set now, MiB. */
  rss: number;
  /** The kernel's high-water mark of the resident set since the process started, MiB. */
  hwm: number;
}

/** VmRSS and VmHWM of a process, in MiB (Linux). */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kib("VmRSS") / 1024, hwm: kib("VmHWM") / 1024 };
}

/** Samples a process's RSS every `everyMs` until stopped; the largest sample and the kernel's peak. */
export function sampleMemory(pid: number, everyMs = 20): { stop(): { peakSampled: number; hwm: number } } {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memoryOf(pid).rss);
    } catch {
      /* the process is gone */
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const m = memoryOf(pid);
      return { peakSampled: Math.max(peak, m.rss), hwm: m.hwm };
    },
  };
}
