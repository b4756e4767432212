// The built dist/plugin.js where Figma runs it: in QuickJS, with only the sandbox's globals, against the fake
// `figma` that keeps Figma's rules. What the bundle posts to its panel is parsed with core's schema, as the
// panel would.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import { pluginToUISchema, type PluginToUI, type UIToPluginInput } from "../../core/messages.ts";
import { createFakeFigma, type FakeFigma, type FakeFigmaOptions } from "./fake-figma/index.ts";
import { createSandbox, type Sandbox } from "./sandbox/index.ts";
import { loadQuickJS } from "./sandbox/quickjs-node.ts";

export const BUNDLE_PATH = fileURLToPath(new URL("../../dist/plugin.js", import.meta.url));

/** dist/plugin.js as `npm run build` wrote it (npm test builds before it runs the tests). */
export function builtBundle(): string {
  if (!existsSync(BUNDLE_PATH)) throw new Error("dist/plugin.js is missing: run `npm run build` first (npm test does)");
  return readFileSync(BUNDLE_PATH, "utf8");
}

export interface RunningBundle {
  fake: FakeFigma;
  sandbox: Sandbox;
  /** Sends a message from the panel and waits until the plugin has finished reacting to it. */
  send(message: UIToPluginInput): Promise<void>;
  /** Everything the plugin posted to its panel, parsed as the panel parses it. */
  posted(): PluginToUI[];
  /** The last message of `type` the plugin posted. */
  last<T extends PluginToUI["type"]>(type: T): Extract<PluginToUI, { type: T }>;
  dispose(): void;
}

export interface RunOptions extends FakeFigmaOptions {
  /** Runs on this document instead of a new one (a plugin started again on the same file). */
  fake?: FakeFigma;
  /** Builds the scene before the plugin starts (Figma starts a plugin on a document that exists). */
  scene?(fake: FakeFigma): void | Promise<void>;
  /** The code to run; dist/plugin.js by default. */
  code?: string;
  memoryLimitBytes?: number;
}

/** Starts the bundle on a fresh fake document; the caller disposes it. */
export async function runBundle(options: RunOptions = {}): Promise<RunningBundle> {
  const fake = options.fake ?? createFakeFigma(options);
  await options.scene?.(fake);
  await fake.settle();
  fake.clearRecords();
  const sandbox = createSandbox({
    quickjs: await loadQuickJS(),
    figma: fake.figma,
    html: "<!doctype html><title>panel</title>",
    ...(options.memoryLimitBytes ? { memoryLimitBytes: options.memoryLimitBytes } : {}),
  });
  try {
    sandbox.run(options.code ?? builtBundle(), "plugin.js");
    await sandbox.idle();
  } catch (error) {
    sandbox.dispose();
    throw error;
  }
  const posted = () => fake.posted.map((m) => pluginToUISchema.parse(m));
  return {
    fake,
    sandbox,
    async send(message) {
      fake.deliver(message);
      await fake.settle();
      await sandbox.idle();
    },
    posted,
    last(type) {
      const found = posted().filter((m) => m.type === type).at(-1);
      if (!found) throw new Error(`the plugin posted no ${type}; it posted ${posted().map((m) => m.type).join(", ") || "nothing"}`);
      return found as Extract<PluginToUI, { type: typeof type }>;
    },
    dispose: () => sandbox.dispose(),
  };
}

/** runBundle for a test file: every bundle a test starts is disposed after it. */
export function useBundles(): (options?: RunOptions) => Promise<RunningBundle> {
  const started: RunningBundle[] = [];
  afterEach(() => {
    for (const r of started.splice(0)) r.dispose();
  });
  return async (options) => {
    const r = await runBundle(options);
    started.push(r);
    return r;
  };
}
