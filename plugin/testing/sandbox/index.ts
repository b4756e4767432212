// The sandbox harness without an engine loader: import loadQuickJS from ./quickjs-node.ts (vitest) or
// ./quickjs-browser.ts (a Chromium test page) beside it.
export {
  createSandbox,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_STACK_SIZE_BYTES,
  DEFAULT_MEMORY_LIMIT_BYTES,
  DEFAULT_TIME_LIMIT_MS,
  SANDBOX_GLOBAL_NAMES,
} from "./sandbox.ts";
export type { IdleOptions, Sandbox, SandboxOptions } from "./sandbox.ts";
export type { ConsoleLevel, ConsoleSinks, SandboxLog } from "./console.ts";
export type { SandboxFetch } from "./fetch.ts";
export type { SandboxMemory } from "./memory.ts";
export type { HostTimers } from "./timers.ts";
export { SandboxError } from "./errors.ts";
