// setTimeout/setInterval and their clears, as index.d.ts declares them (`(callback: Function, timeout:
// number): number`), backed by the host's timers. Each firing calls the VM function, then runs the jobs it
// queued; a throw has no caller to go to, so the membrane records it in `errors`.
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import type { Membrane } from "./membrane.ts";

/** The host timers the sandbox schedules on; by default the host's globals, looked up when called (so fake timers apply). */
export interface HostTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

interface TimerGlobals {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const globals = (): TimerGlobals => globalThis as unknown as TimerGlobals;

export const hostTimers: HostTimers = {
  setTimeout: (fn, ms) => globals().setTimeout(fn, ms),
  clearTimeout: (handle) => globals().clearTimeout(handle),
  setInterval: (fn, ms) => globals().setInterval(fn, ms),
  clearInterval: (handle) => globals().clearInterval(handle),
};

interface Timer {
  readonly hostHandle: unknown;
  readonly callback: QuickJSHandle;
  readonly repeat: boolean;
  /** The callback is on the stack: its handle must outlive the call even if the timer is cleared meanwhile. */
  running: boolean;
  cleared: boolean;
}

export class TimerBridge {
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;

  constructor(
    private readonly context: QuickJSContext,
    private readonly membrane: Membrane,
    private readonly host: HostTimers,
  ) {}

  install(): void {
    const c = this.context;
    const define = (name: string, fn: (args: QuickJSHandle[]) => QuickJSHandle | undefined): void =>
      this.membrane.newFunction(name, fn).consume((handle) => c.setProp(c.global, name, handle));
    define("setTimeout", (args) => this.schedule(args, false));
    define("setInterval", (args) => this.schedule(args, true));
    // As in browsers, either clear cancels either kind of timer.
    define("clearTimeout", (args) => this.clear(args[0]));
    define("clearInterval", (args) => this.clear(args[0]));
  }

  /** Timers scheduled and not yet fired (timeouts) or cleared (intervals). */
  get pending(): number {
    return this.timers.size;
  }

  private schedule([callback, timeout]: QuickJSHandle[], repeat: boolean): QuickJSHandle {
    if (!callback || this.context.typeof(callback) !== "function") throw new TypeError(`${repeat ? "setInterval" : "setTimeout"}: callback must be a function`);
    const ms = timeout ? this.context.getNumber(timeout) || 0 : 0;
    const id = this.nextId++;
    const fire = (): void => {
      const timer = this.timers.get(id);
      if (!timer) return;
      if (!timer.repeat) this.timers.delete(id);
      timer.running = true;
      try {
        this.membrane.callVm(timer.callback, undefined, []);
      } catch {
        // Already in `errors` (callVm reports a callback's throw); a host timer callback must not throw.
      } finally {
        timer.running = false;
        if (!timer.repeat || timer.cleared) timer.callback.dispose();
      }
    };
    const hostHandle = repeat ? this.host.setInterval(fire, ms) : this.host.setTimeout(fire, ms);
    this.timers.set(id, { hostHandle, callback: callback.dup(), repeat, running: false, cleared: false });
    return this.context.newNumber(id);
  }

  private clear(idHandle: QuickJSHandle | undefined): undefined {
    if (idHandle && this.context.typeof(idHandle) === "number") this.forget(this.context.getNumber(idHandle));
    return undefined;
  }

  private forget(id: number): void {
    const timer = this.timers.get(id);
    if (!timer) return;
    this.timers.delete(id);
    timer.cleared = true;
    if (timer.repeat) this.host.clearInterval(timer.hostHandle);
    else this.host.clearTimeout(timer.hostHandle);
    if (!timer.running) timer.callback.dispose();
  }

  dispose(): void {
    for (const id of [...this.timers.keys()]) this.forget(id);
  }
}
