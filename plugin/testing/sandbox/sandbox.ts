// A QuickJS context with exactly the globals Figma's plugin sandbox has: the engine's ECMAScript built-ins
// plus what @figma/plugin-typings declares at the top of index.d.ts (figma, __html__, __uiFiles__,
// console, the four timer functions, the restricted fetch). Tests that run the built plugin here fail where
// Figma would, e.g. on a `new URL(...)` that Node or a browser would have answered.
import type { QuickJSWASMModule } from "quickjs-emscripten-core";
import { installConsole, type ConsoleSinks, type SandboxLog } from "./console.ts";
import { SandboxError, describeError } from "./errors.ts";
import { installFetch, type SandboxFetch } from "./fetch.ts";
import { Membrane } from "./membrane.ts";
import { MemoryMeter, type SandboxMemory } from "./memory.ts";
import { TimerBridge, hostTimers, type HostTimers } from "./timers.ts";

export interface SandboxOptions {
  /** The engine: `loadQuickJS()` from ./quickjs-node.ts under Node, from ./quickjs-browser.ts in a page. */
  readonly quickjs: QuickJSWASMModule;
  /** The host value the plugin sees as `figma` (usually a class instance, so it crosses by reference). */
  readonly figma: unknown;
  /** `__html__`; default "". */
  readonly html?: string;
  /** `__uiFiles__`; default {}. */
  readonly uiFiles?: Readonly<Record<string, string>>;
  /** Serves the sandbox's restricted fetch; without it, fetch exists but throws. */
  readonly fetch?: SandboxFetch;
  /**
   * Default 256 MiB. QuickJS refuses one allocation past it (runtime.setMemoryLimit); the sandbox also stops
   * running code whose heap passes it (checked while code runs) and lists a heap left past it in `errors`.
   */
  readonly memoryLimitBytes?: number;
  /**
   * QuickJS's stack limit (runtime.setMaxStackSize); default 256 KiB, about 1,300 frames of a small
   * function. Without it, deep recursion overflows the host's stack inside the wasm instead, which leaves
   * the runtime broken (measured: it then fails its leak check on dispose); at 512 KiB that already happens.
   */
  readonly maxStackSizeBytes?: number;
  /** One entry into the VM (run, a callback, a drain of jobs) is interrupted after this long; default 10 s. */
  readonly timeLimitMs?: number;
  /** Also send console output here (it is always recorded in `logs`). */
  readonly console?: ConsoleSinks;
  /** The host timers behind setTimeout/setInterval; default the host's own, looked up at each call. */
  readonly timers?: HostTimers;
}

export interface IdleOptions {
  /** Give up (reject) if the VM still waits on host promises after this long; default 5 s. */
  readonly timeoutMs?: number;
}

export interface Sandbox {
  /** Evaluates a script (the plugin bundle) in the global scope; returns its completion value. A throw comes out as a SandboxError. */
  run(code: string, filename?: string): unknown;
  /** Resolves once no VM job is pending and no host promise the VM holds is outstanding, stable across a host macrotask. */
  idle(options?: IdleOptions): Promise<void>;
  /** Exceptions that escaped the VM with no caller to take them: throws and rejections of callbacks and timers, failed jobs. */
  readonly errors: readonly string[];
  /** Everything the plugin printed with console.*. */
  readonly logs: readonly SandboxLog[];
  /** The runtime's memory now and at its sampled peak. */
  memory(): SandboxMemory;
  /** Timers scheduled and not yet fired or cleared (idle() does not wait for them). */
  pendingTimers(): number;
  /** Frees the context and runtime; QuickJS aborts here if a handle leaked. */
  dispose(): void;
}

export const DEFAULT_MEMORY_LIMIT_BYTES = 256 * 1024 * 1024;
export const DEFAULT_TIME_LIMIT_MS = 10_000;
export const DEFAULT_MAX_STACK_SIZE_BYTES = 256 * 1024;
export const DEFAULT_IDLE_TIMEOUT_MS = 5_000;
const MEMORY_CHECK_INTERVAL_MS = 10;

/** The sandbox globals beyond ECMAScript, as index.d.ts declares them; createSandbox defines these and nothing else. */
export const SANDBOX_GLOBAL_NAMES = ["figma", "__html__", "__uiFiles__", "console", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "fetch"] as const;

// Taken when this module loads, before a test can install fake timers: idle() needs a real macrotask.
const realSetTimeout = globalThis.setTimeout as unknown as (fn: () => void, ms: number) => unknown;
const realClearTimeout = globalThis.clearTimeout as unknown as (handle: unknown) => void;

export function createSandbox(options: SandboxOptions): Sandbox {
  const limitBytes = options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES;
  const timeLimitMs = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const runtime = options.quickjs.newRuntime();
  runtime.setMemoryLimit(limitBytes);
  runtime.setMaxStackSize(options.maxStackSizeBytes ?? DEFAULT_MAX_STACK_SIZE_BYTES);
  const context = runtime.newContext();

  const errors: string[] = [];
  const logs: SandboxLog[] = [];
  const pending = new Map<Promise<void>, string>();
  let depth = 0;
  let deadline = 0;
  let disposed = false;
  /** Why the interrupt handler last stopped the code, and the bytes in use if it was memory. */
  let interruption: { reason: "time" } | { reason: "memory"; usedBytes: number } | undefined;
  let lastMemoryCheck = 0;
  let overLimit = false;

  const meter = new MemoryMeter(runtime, limitBytes, () => options.quickjs.getWasmMemory().buffer.byteLength);
  // QuickJS polls this every ~10,000 calls or loop iterations. Reading the heap costs about 0.5 ms at the
  // plugin bundle's size, so it is read at most every MEMORY_CHECK_INTERVAL_MS.
  runtime.setInterruptHandler(() => {
    if (depth === 0) return false;
    const now = Date.now();
    if (now > deadline) {
      interruption = { reason: "time" };
      return true;
    }
    if (now - lastMemoryCheck < MEMORY_CHECK_INTERVAL_MS) return false;
    lastMemoryCheck = now;
    let usedBytes: number;
    try {
      usedBytes = meter.sample();
    } catch {
      return false; // Never throw into the engine from its own callback; checkMemory() reports a broken meter.
    }
    if (usedBytes <= limitBytes) return false;
    interruption = { reason: "memory", usedBytes };
    return true;
  });

  const enter = <T>(fn: () => T): T => {
    if (depth++ === 0) deadline = Date.now() + timeLimitMs;
    try {
      return fn();
    } finally {
      depth--;
    }
  };

  /** After each entry from the host: a heap left above the limit is an error even if no poll caught it. */
  const checkMemory = (): void => {
    const usedBytes = meter.sample();
    if (usedBytes > limitBytes && !overLimit) errors.push(`memory limit exceeded: ${mib(usedBytes)} in use, over the sandbox's limit of ${mib(limitBytes)} (SandboxOptions.memoryLimitBytes)`);
    overLimit = usedBytes > limitBytes;
  };

  const drain = (): void => {
    if (depth > 0 || disposed) return;
    while (runtime.hasPendingJob()) {
      const result = enter(() => runtime.executePendingJobs());
      if (result.error) errors.push(describeError(result.error.consume((e) => membrane.errorToHost(e))));
      else result.dispose();
    }
    checkMemory();
  };

  const membrane = new Membrane(context, {
    enter,
    inside: () => depth > 0,
    drain,
    track(settled, label) {
      pending.set(settled, label);
      void settled.then(() => pending.delete(settled));
    },
    uncaught: (description) => void errors.push(description),
    explain(name, message) {
      if (name !== "InternalError") return message;
      if (message === "out of memory") return `out of memory: an allocation would pass the sandbox's memory limit of ${mib(limitBytes)} (SandboxOptions.memoryLimitBytes)`;
      // Only the handler above interrupts, and it records why just before.
      const why = interruption;
      if (message !== "interrupted" || !why) return message;
      interruption = undefined;
      if (why.reason === "memory") return `out of memory: ${mib(why.usedBytes)} in use, over the sandbox's memory limit of ${mib(limitBytes)} (SandboxOptions.memoryLimitBytes)`;
      return `interrupted: the sandboxed code ran longer than ${timeLimitMs} ms in one go (SandboxOptions.timeLimitMs)`;
    },
  });

  const timers = new TimerBridge(context, membrane, options.timers ?? hostTimers);
  try {
    const define = (name: string, value: unknown): void => membrane.toVM(value).consume((h) => context.setProp(context.global, name, h));
    define("figma", options.figma);
    define("__html__", options.html ?? "");
    define("__uiFiles__", { ...options.uiFiles });
    installConsole(context, membrane, (log) => {
      logs.push(log);
      options.console?.[log.level]?.(log.text, log.args);
    });
    timers.install();
    installFetch(context, membrane, options.fetch);
  } catch (error) {
    timers.dispose();
    membrane.dispose();
    context.dispose();
    runtime.dispose();
    throw error;
  }

  const alive = (): void => {
    if (disposed) throw new Error("the sandbox is disposed");
  };

  return {
    run(code, filename = "plugin.js") {
      alive();
      const result = enter(() => context.evalCode(code, filename, { type: "global" }));
      if (result.error) {
        const error: SandboxError = result.error.consume((e) => membrane.errorToHost(e));
        drain();
        throw error;
      }
      const value = result.value.consume((v) => membrane.toHost(v));
      drain();
      return value;
    },

    async idle({ timeoutMs = DEFAULT_IDLE_TIMEOUT_MS } = {}) {
      const giveUpAt = Date.now() + timeoutMs;
      for (;;) {
        alive();
        drain();
        if (pending.size > 0) {
          const left = giveUpAt - Date.now();
          let timer: unknown;
          const timedOut = await Promise.race([
            Promise.race(pending.keys()).then(() => false),
            new Promise<boolean>((resolve) => (timer = realSetTimeout(() => resolve(true), Math.max(0, left)))),
          ]);
          realClearTimeout(timer);
          if (timedOut) throw new Error(`idle(): after ${timeoutMs} ms the VM still waits on ${pending.size} host promise(s): ${[...pending.values()].join(", ")}`);
          continue;
        }
        // Settled host work may have queued more (a host promise resolving in a later macrotask): look again.
        await new Promise<void>((resolve) => realSetTimeout(resolve, 0));
        if (disposed) return;
        if (pending.size === 0 && !runtime.hasPendingJob()) return;
      }
    },

    errors,
    logs,
    memory: () => meter.read(),
    pendingTimers: () => timers.pending,

    dispose() {
      if (disposed) return;
      disposed = true;
      timers.dispose();
      membrane.dispose();
      context.dispose();
      runtime.dispose();
    },
  };
}

function mib(bytes: number): string {
  return `${+(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
