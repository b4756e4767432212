// Errors that come out of the VM, as host values and as the strings the sandbox records.

/** An exception thrown inside QuickJS, carried to the host with the VM's name, message and stack. */
export class SandboxError extends Error {
  /** The stack QuickJS recorded (frames inside the sandboxed code), without the "Name: message" line. */
  readonly vmStack: string;

  constructor(name: string, message: string, vmStack: string) {
    super(message);
    this.name = name;
    this.vmStack = trimStack(vmStack);
    // The host frames that carried the error out say nothing about where the plugin failed.
    this.stack = this.vmStack ? `${name}: ${message}\n${this.vmStack}` : `${name}: ${message}`;
  }
}

/** A stack overflow's trace repeats one frame a thousand times: keep the top, count the rest. */
const MAX_FRAMES = 25;
function trimStack(stack: string): string {
  const frames = stack.split("\n");
  return frames.length <= MAX_FRAMES ? stack : [...frames.slice(0, MAX_FRAMES), `    ... ${frames.length - MAX_FRAMES} more frames`].join("\n");
}

/** One line plus the VM stack: how `errors` lists an exception. */
export function describeError(error: unknown): string {
  if (error instanceof SandboxError) return error.stack ?? `${error.name}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
