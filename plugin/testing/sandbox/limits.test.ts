// Memory and time limits, idle() giving up, and disposal: QuickJS asserts when a runtime is freed with a
// value still referenced, so disposing cleanly after heavy use is the proof that no handle leaked.
import { newQuickJSWASMModule } from "quickjs-emscripten";
import { describe, expect, it, vi } from "vitest";
import { SandboxError, createSandbox } from "./index.ts";
import { loadQuickJS } from "./quickjs-node.ts";
import { HostApi, sandbox } from "./test-hosts.ts";

function thrownBy(fn: () => unknown): SandboxError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SandboxError) return error;
    throw error;
  }
  throw new Error("did not throw");
}

describe("limits", () => {
  it("stops code whose heap passes the memory limit, with an error that names the limit, and stays usable", async () => {
    const box = await sandbox({ memoryLimitBytes: 8 * 1024 * 1024 });
    const started = Date.now();
    const error = thrownBy(() => box.run(`const keep = []; for (;;) keep.push("x".repeat(1000) + keep.length);`));
    expect(error.name).toBe("InternalError");
    expect(error.message).toMatch(/^out of memory: [\d.]+ MiB in use, over the sandbox's memory limit of 8 MiB \(SandboxOptions\.memoryLimitBytes\)$/);
    // QuickJS's own limit would have let ~460 MB of strings in first (see memory.ts), taking seconds.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(box.memory().peakUsedBytes).toBeLessThan(64 * 1024 * 1024);
    expect(box.run("keep.length = 0; 1 + 1")).toBe(2);
  });

  it("refuses a single allocation past the limit inside QuickJS, catchably", async () => {
    const box = await sandbox({ memoryLimitBytes: 8 * 1024 * 1024 });
    expect(box.run(`(() => { try { new Uint8Array(16 << 20); } catch (e) { return [e.name, e.message]; } })()`)).toEqual(["InternalError", "out of memory"]);
    const error = thrownBy(() => box.run(`"x".repeat(16 << 20)`));
    expect(error.message).toBe("out of memory: an allocation would pass the sandbox's memory limit of 8 MiB (SandboxOptions.memoryLimitBytes)");
  });

  it("lists a heap left past the limit in errors when no check caught it while running (a few big arrays)", async () => {
    const box = await sandbox({ memoryLimitBytes: 8 * 1024 * 1024 });
    box.run(`globalThis.big = []; for (let i = 0; i < 12; i++) big.push(new Uint8Array(1 << 20));`);
    expect(box.errors).toHaveLength(1);
    expect(box.errors[0]).toMatch(/^memory limit exceeded: 12\.\d+ MiB in use, over the sandbox's limit of 8 MiB/);
    box.run(`big = null;`);
    expect(box.errors).toHaveLength(1);
  });

  it("reports the memory in use now and at its sampled peak", async () => {
    const box = await sandbox();
    const start = box.memory();
    expect(start.usedBytes).toBeGreaterThan(10_000);
    expect(start.limitBytes).toBe(256 * 1024 * 1024);
    expect(start.wasmHeapBytes).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    box.run(`globalThis.big = new Uint8Array(4 * 1024 * 1024);`);
    const holding = box.memory();
    expect(holding.usedBytes - start.usedBytes).toBeGreaterThan(4 * 1024 * 1024);
    box.run(`globalThis.big = null;`);
    const after = box.memory();
    expect(after.usedBytes).toBeLessThan(holding.usedBytes - 4 * 1024 * 1024);
    expect(after.peakUsedBytes).toBeGreaterThanOrEqual(holding.usedBytes);
  });

  it("interrupts code that runs too long in one go", async () => {
    const box = await sandbox({ timeLimitMs: 100 });
    const error = thrownBy(() => box.run(`for (;;) {}`));
    expect(error.name).toBe("InternalError");
    expect(error.message).toBe("interrupted: the sandboxed code ran longer than 100 ms in one go (SandboxOptions.timeLimitMs)");
    expect(box.run(`"still alive"`)).toBe("still alive");
  });

  it("stops runaway recursion with QuickJS's own stack overflow, catchable, before the host's stack gives out", async () => {
    const box = await sandbox();
    expect(box.run(`(() => { let depth = 0; const f = () => { depth++; f(); }; try { f(); } catch (e) { return [e.name, e.message, depth > 500]; } })()`)).toEqual([
      "InternalError",
      "stack overflow",
      true,
    ]);
    const error = thrownBy(() => box.run(`function down() { down(); } down();`));
    expect([error.name, error.message]).toEqual(["InternalError", "stack overflow"]);
    expect(error.vmStack.split("\n")).toHaveLength(26);
    expect(error.vmStack).toMatch(/\n {4}\.\.\. \d+ more frames$/);
    // Ordinary depth still works, and the runtime disposes cleanly afterwards (afterEach).
    expect(box.run(`(function g(n) { return n === 0 ? 0 : 1 + g(n - 1); })(300)`)).toBe(300);
  });

  it("gives up waiting in idle() and names the host promises still outstanding", async () => {
    const box = await sandbox({ figma: { waitForever: () => new Promise(() => {}) } });
    box.run(`figma.waitForever().then(() => {});`);
    await expect(box.idle({ timeoutMs: 30 })).rejects.toThrow("idle(): after 30 ms the VM still waits on 1 host promise(s): waitForever");
  });
});

describe("disposal", () => {
  it("frees everything after heavy use (QuickJS would abort on a leaked handle), and the engine lives on", async () => {
    const quickjs = await loadQuickJS();
    const api = new HostApi();
    let settleLate: (value: string) => void = () => {};
    const late = new Promise<string>((resolve) => (settleLate = resolve));
    const box = createSandbox({ quickjs, figma: { api, late: () => late }, fetch: async (url) => Promise.reject(new Error(url)) });
    box.run(`
      const api = figma.api;
      const handlers = [];
      for (let i = 0; i < 200; i++) {
        const node = api.getNodeById(i % 2 ? "1:1" : "1:2");
        node.setPluginData("k" + i, String(i));
        node.fills = [{ type: "SOLID", color: { r: i / 200, g: 0, b: 0 } }];
        const h = () => i;
        handlers.push(h);
        api.on("e" + (i % 5), h);
        api.keep({ i, node, bytes: new Uint8Array([i & 255]), sym: Symbol(String(i)), mixed: api.mixed, fn: h });
        try { node.remove(); } catch (e) {}
      }
      api.ui.onmessage = async (m) => { api.ui.postMessage(await api.clientStorage.getAsync(m)); };
      setInterval(() => {}, 1000);
      setTimeout(() => {}, 1000);
      figma.late().then((v) => api.keep(v));
      fetch("http://x").catch(() => {});
      Promise.all([api.selection[0].exportAsync(), api.clientStorage.setAsync("a", [1, 2])]);
    `);
    for (let i = 0; i < 20; i++) api.ui.deliver("a");
    api.emit("e1");
    for (const kept of api.kept.slice(0, 50)) (kept as { fn: () => number }).fn();
    // Not idle(): it would wait for `late`, which settles only after dispose.
    await vi.waitFor(() => expect(api.ui.posted).toHaveLength(20));
    // Disposed with a host promise still pending, timers scheduled and hundreds of proxies alive.
    expect(() => box.dispose()).not.toThrow();
    settleLate("too late");
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(api.kept).toHaveLength(200);
    expect(() => box.run("1")).toThrow("the sandbox is disposed");
    // The engine module is still healthy: a QuickJS abort would have poisoned it for every later sandbox.
    const next = createSandbox({ quickjs, figma: {} });
    expect(next.run("6 * 7")).toBe(42);
    next.dispose();
  });

  it("is the check it claims to be: a leaked handle makes QuickJS abort on dispose (on an engine of its own)", async () => {
    const quickjs = await newQuickJSWASMModule();
    const runtime = quickjs.newRuntime();
    const context = runtime.newContext();
    context.newObject(); // never disposed
    context.dispose();
    expect(() => runtime.dispose()).toThrow(/Assertion failed: list_empty\(&rt->gc_obj_list\)/);
  });
});
