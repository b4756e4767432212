// The harness bites: what Figma's sandbox lacks is missing here too, what it has is here, and nothing else.
import { describe, expect, it } from "vitest";
import { SANDBOX_GLOBALS } from "../../../scripts/sandbox-globals.ts";
import { SANDBOX_GLOBAL_NAMES, SandboxError } from "./index.ts";
import { loadQuickJS } from "./quickjs-node.ts";
import { sandbox } from "./test-hosts.ts";

/** What a bare QuickJS context of the same engine has: the ECMAScript built-ins and nothing more. */
async function engineGlobals(): Promise<{ names: string[]; symbols: string[] }> {
  const quickjs = await loadQuickJS();
  const context = quickjs.newContext();
  try {
    const code = "({ names: Object.getOwnPropertyNames(globalThis), symbols: Object.getOwnPropertySymbols(globalThis).map(String) })";
    return context.unwrapResult(context.evalCode(code)).consume((h) => context.dump(h) as { names: string[]; symbols: string[] });
  } finally {
    context.dispose();
  }
}

describe("the sandbox's globals", () => {
  it.each([
    ["URL", 'new URL("http://x")'],
    ["URLSearchParams", 'new URLSearchParams("a=1")'],
    ["TextEncoder", "new TextEncoder()"],
    ["TextDecoder", "new TextDecoder()"],
    ["structuredClone", "structuredClone({})"],
    ["AbortController", "new AbortController()"],
    ["atob", 'atob("")'],
    ["btoa", 'btoa("")'],
    ["crypto", "crypto.getRandomValues(new Uint8Array(4))"],
    ["queueMicrotask", "queueMicrotask(() => {})"],
    ["Intl", "new Intl.NumberFormat()"],
    ["window", "window.x"],
    ["document", "document.body"],
    ["self", "self.x"],
    ["navigator", "navigator.userAgent"],
    ["File", 'new File([], "x")'],
    ["Blob", "new Blob([])"],
    ["require", 'require("fs")'],
    ["process", "process.env"],
  ])("has no %s: `%s` is a ReferenceError", async (name, code) => {
    const box = await sandbox();
    let thrown: unknown;
    try {
      box.run(code);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SandboxError);
    expect((thrown as SandboxError).name).toBe("ReferenceError");
    expect((thrown as SandboxError).message).toBe(`'${name}' is not defined`);
  });

  it("fails a try/catch feature test the way zod's z.url() does: silently, down the catch branch", async () => {
    const box = await sandbox();
    expect(box.run('(() => { try { new URL("https://example.com"); return "valid"; } catch { return "invalid"; } })()')).toBe("invalid");
  });

  it("defines exactly the engine's built-ins plus the globals index.d.ts declares", async () => {
    const box = await sandbox();
    const names = box.run("Object.getOwnPropertyNames(globalThis)") as string[];
    const engine = await engineGlobals();
    expect(new Set(names)).toEqual(new Set([...engine.names, ...SANDBOX_GLOBALS]));
    expect(names).toHaveLength(engine.names.length + SANDBOX_GLOBALS.length);
    expect([...SANDBOX_GLOBAL_NAMES].sort()).toEqual([...SANDBOX_GLOBALS].sort());
    // The membrane's helpers live in a closure, not on the global object (under a symbol either).
    expect(box.run("Object.getOwnPropertySymbols(globalThis).map(String)")).toEqual(engine.symbols);
  });

  it("gives each declared global its declared type", async () => {
    const box = await sandbox({ html: "<p>ui</p>", uiFiles: { "main.html": "<p>main</p>" } });
    expect(
      box.run(`({
        figma: typeof figma, html: __html__, uiFiles: __uiFiles__, console: Object.keys(console),
        timers: [typeof setTimeout, typeof clearTimeout, typeof setInterval, typeof clearInterval],
        fetch: typeof fetch,
      })`),
    ).toEqual({
      figma: "object",
      html: "<p>ui</p>",
      uiFiles: { "main.html": "<p>main</p>" },
      console: ["log", "error", "assert", "info", "warn", "clear"],
      timers: ["function", "function", "function", "function"],
      fetch: "function",
    });
  });

  it("keeps the engine's ES2020+ built-ins and syntax", async () => {
    const box = await sandbox();
    const result = box.run(`(() => {
      class Counter { #n = 0; static zero = 0; inc() { return ++this.#n; } }
      const o = { a: { b: null } };
      return {
        optional: o.a?.b?.c ?? "fallback",
        bigint: String(2n ** 64n),
        spread: { ...{ x: 1 }, y: 2 },
        fromEntries: Object.fromEntries([["k", "v"]]),
        flat: [[1], [2, [3]]].flat(2),
        replaceAll: "a-b-c".replaceAll("-", "+"),
        at: [1, 2, 3].at(-1),
        hasOwn: Object.hasOwn({ z: 1 }, "z"),
        privateField: new Counter().inc(),
        regexpGroups: /(?<y>\\d{4})/.exec("in 2024").groups.y,
        globalThisIsGlobal: globalThis === (0, eval)("this"),
      };
    })()`);
    expect(result).toEqual({
      optional: "fallback",
      bigint: "18446744073709551616",
      spread: { x: 1, y: 2 },
      fromEntries: { k: "v" },
      flat: [1, 2, 3],
      replaceAll: "a+b+c",
      at: 3,
      hasOwn: true,
      privateField: 1,
      regexpGroups: "2024",
      globalThisIsGlobal: true,
    });
    await expect(box.run("Promise.allSettled([Promise.reject(new Error('no')), 1]).then((r) => r.map((x) => x.status))")).resolves.toEqual([
      "rejected",
      "fulfilled",
    ]);
  });

  it("records console output by level, and an assertion only when it fails", async () => {
    const seen: string[] = [];
    const box = await sandbox({ console: { warn: (text) => seen.push(text) } });
    box.run(`console.log("hello", 1, { a: [true] }); console.warn("careful"); console.assert(1 === 1, "fine"); console.assert(false, "broken", 42); console.info(figma.ui);`);
    expect(box.logs.map((l) => [l.level, l.text])).toEqual([
      ["log", 'hello 1 {"a":[true]}'],
      ["warn", "careful"],
      ["error", "Assertion failed: broken 42"],
      ["info", "[HostUI]"],
    ]);
    expect(seen).toEqual(["careful"]);
  });
});
