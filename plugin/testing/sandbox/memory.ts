// What the runtime's heap holds, by QuickJS's own accounting (JS_ComputeMemoryUsage's memory_used_size:
// objects, strings, bytecode and typed-array bytes). QuickJS keeps no high-water mark, so the sandbox
// samples after each entry into the VM and while code runs, and keeps the largest reading.
//
// Why the sandbox enforces the limit itself: runtime.setMemoryLimit alone does not bound a runtime's total
// in the emscripten build. QuickJS adds malloc_usable_size() + 8 to its running total per allocation, and
// emscripten has no malloc_usable_size (0), so the total grows 8 bytes per block whatever its size; only a
// single allocation larger than the limit fails (quickjs-emscripten issues #255 and #271). Measured here:
// under an 8 MiB limit, 460 MB of 1 KB strings or 2 GB of Uint8Arrays went in before "out of memory".
import type { QuickJSRuntime } from "quickjs-emscripten-core";

export interface SandboxMemory {
  /** Bytes QuickJS counts as in use by the runtime now (memory_used_size). */
  readonly usedBytes: number;
  /** The largest usedBytes sampled: after run(), after each drain of pending jobs, while code runs, by memory(). */
  readonly peakUsedBytes: number;
  /** The limit: one allocation past it fails in QuickJS; a total past it interrupts the code or is listed in errors. */
  readonly limitBytes: number;
  /** The wasm module's linear memory (shared by every runtime of that module); it only grows. */
  readonly wasmHeapBytes: number;
}

export class MemoryMeter {
  private peak = 0;

  constructor(
    private readonly runtime: QuickJSRuntime,
    readonly limitBytes: number,
    private readonly wasmHeapBytes: () => number,
  ) {}

  /**
   * The bytes in use now. Read from the text dump, which QuickJS builds in C without allocating in the
   * runtime: computeMemoryUsage() builds a JS object, which must not happen mid-execution or at the limit.
   */
  sample(): number {
    const dump = this.runtime.dumpMemoryUsage();
    const match = /^memory used\s+\d+\s+(\d+)/m.exec(dump);
    if (!match) throw new Error(`no "memory used" line in QuickJS's memory dump:\n${dump.slice(0, 400)}`);
    const used = Number(match[1]);
    if (used > this.peak) this.peak = used;
    return used;
  }

  read(): SandboxMemory {
    const used = this.sample();
    return { usedBytes: used, peakUsedBytes: this.peak, limitBytes: this.limitBytes, wasmHeapBytes: this.wasmHeapBytes() };
  }
}
