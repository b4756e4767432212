// The sandbox's `console`: the six methods @figma/plugin-typings declares on Console (index.d.ts), each
// recording what the plugin printed and passing it to the caller's sink.
import type { QuickJSContext } from "quickjs-emscripten-core";
import { formatValue } from "./format.ts";
import type { Membrane } from "./membrane.ts";

export type ConsoleLevel = "log" | "info" | "warn" | "error" | "clear";

export interface SandboxLog {
  readonly level: ConsoleLevel;
  /** The arguments joined with spaces, each formatted on one line. */
  readonly text: string;
  /** The arguments as host values (host objects come back as themselves). */
  readonly args: readonly unknown[];
}

/** Where console output goes besides `sandbox.logs`; e.g. `{ error: (text) => process.stderr.write(text) }`. */
export type ConsoleSinks = Partial<Record<ConsoleLevel, (text: string, args: readonly unknown[]) => void>>;

/** The members of Console in index.d.ts, in its order. */
export const CONSOLE_METHODS = ["log", "error", "assert", "info", "warn", "clear"] as const;

export function installConsole(context: QuickJSContext, membrane: Membrane, record: (log: SandboxLog) => void): void {
  const consoleObject = context.newObject();
  try {
    for (const method of CONSOLE_METHODS) {
      const fn = membrane.newFunction(method, (handles) => {
        const args = handles.map((h) => membrane.toHost(h));
        if (method === "assert") {
          // Like the browser's: nothing unless the condition is falsy, then an error line.
          if (args[0]) return undefined;
          const rest = args.slice(1);
          record({ level: "error", text: ["Assertion failed" + (rest.length ? ":" : ""), ...rest.map(formatValue)].join(" "), args: rest });
        } else record({ level: method, text: args.map(formatValue).join(" "), args });
        return undefined;
      });
      context.setProp(consoleObject, method, fn);
      fn.dispose();
    }
    context.setProp(context.global, "console", consoleObject);
  } finally {
    consoleObject.dispose();
  }
}
