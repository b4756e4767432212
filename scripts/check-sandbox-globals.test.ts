// The build's check that plugin.js reads no global Figma's sandbox lacks, and parses as ES2017.
import { describe, expect, it } from "vitest";
import { buildPlugin } from "./build.ts";
import { assertSandboxGlobals, checkSandboxGlobals, describeUnavailableGlobals, findUnavailableGlobals, quickjsGlobals } from "./check-sandbox-globals.ts";
import { SANDBOX_GLOBALS } from "./sandbox-globals.ts";

/** The globals `code` is flagged for, run as the body of a function whose parameters are the snippets' own names. */
const flagged = async (code: string) => flaggedScript(`(function (a, b, e, o, s, t, v, x, ok, f, g, manual, polyfill) { ${code} });`);
const flaggedScript = async (code: string) => (await checkSandboxGlobals(code)).map((ref) => ref.name);

describe("the engine's own globals", () => {
  it("come from QuickJS itself: the ECMAScript built-ins, and no Intl or Web APIs", async () => {
    const names = await quickjsGlobals();
    expect(names).toEqual(expect.arrayContaining(["Object", "Promise", "Proxy", "Uint8Array", "JSON", "globalThis", "undefined", "WeakRef"]));
    for (const missing of ["Intl", "URL", "TextEncoder", "atob", "structuredClone", "console", "setTimeout", "queueMicrotask"]) expect(names).not.toContain(missing);
  });
});

describe("finding globals the sandbox lacks", () => {
  it("flags new URL(x), also inside try/catch (how zod's z.url() failed silently)", async () => {
    expect(await flagged(`new URL(x);`)).toEqual(["URL"]);
    expect(await flagged(`function valid(x) { try { new URL(x); return true; } catch (e) { return false; } }`)).toEqual(["URL"]);
  });

  it("flags each reference to atob, btoa, File, Intl, TextEncoder, structuredClone", async () => {
    expect(await flagged(`atob(s); btoa(s); v instanceof File; new Intl.NumberFormat(); new TextEncoder(); structuredClone(o); atob(t);`)).toEqual([
      "atob",
      "btoa",
      "File",
      "Intl",
      "TextEncoder",
      "structuredClone",
      "atob",
    ]);
  });

  it("allows a use guarded by typeof: the operand, the right of &&, the consequent of if and ?:", async () => {
    expect(
      await flagged(`
        const hasUrl = typeof URL !== "undefined";
        const u = typeof URL !== "undefined" && new URL(x);
        const n = typeof navigator != "undefined" && ok && navigator.userAgent.includes("x");
        if (typeof TextEncoder === "function") { new TextEncoder().encode(s); }
        const encoded = typeof btoa == "function" ? btoa(s) : manual(s);
      `),
    ).toEqual([]);
  });

  it("does not count the other branch, or a test of some other name, as a guard", async () => {
    // zod's own URL check, verbatim from the bundle before the fix: the alternate runs exactly when URL is missing.
    expect(await flagged(`try { return typeof URL!="undefined"&&typeof URL.canParse=="function"?URL.canParse(e):(new URL(e),!0) } catch(t) { return !1 }`)).toEqual([
      "URL",
    ]);
    expect(await flagged(`if (typeof URL === "undefined") { polyfill(); } else { new URL(x); }`)).toEqual(["URL"]);
    expect(await flagged(`typeof TextDecoder !== "undefined" && new TextEncoder();`)).toEqual(["TextEncoder"]);
    expect(await flagged(`typeof URL !== "undefined" || new URL(x);`)).toEqual(["URL"]);
  });

  it("allows the sandbox's globals, the built-ins, and names the script declares itself", async () => {
    const uses = SANDBOX_GLOBALS.map((name) => `${name};`).join(" ");
    expect(
      await flaggedScript(`${uses}
        figma.showUI(__html__); console.log(__uiFiles__); setTimeout(() => clearTimeout(0), 1); fetch("http://x");
        new Promise((r) => r(JSON.stringify(Object.keys(globalThis)))); new Map(); Symbol.iterator; Math.max(NaN, Infinity, undefined);
        var URL = 1; new URL(); function atob(s) { return s; } atob("");
        function shadow(TextEncoder) { return new TextEncoder(); }
        (function () { const Intl = {}; return Intl.x; })();`),
    ).toEqual([]);
  });

  it("reports where each one is, with the code around it", async () => {
    const code = `var a = 1;\nfunction decode(s) {\n  return atob(s);\n}`;
    const [ref] = await checkSandboxGlobals(code);
    expect(ref).toEqual({ name: "atob", offset: code.indexOf("atob"), excerpt: "…ar a = 1; function decode(s) { return atob(s); }" });
    const message = describeUnavailableGlobals(await checkSandboxGlobals(`var a, b, c, x; ${"x;".repeat(40)} atob(a); btoa(b); atob(c);`), "bundle.js");
    expect(message.split("\n").slice(0, 3)).toEqual([
      "bundle.js references globals that Figma's plugin sandbox does not have: atob, btoa",
      `  atob (2x), first at 97: …;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x; atob(a); btoa(b); atob(c);`,
      `  btoa (1x), first at 106: …x;x;x;x;x;x;x;x;x;x;x;x;x;x;x; atob(a); btoa(b); atob(c);`,
    ]);
    await expect(assertSandboxGlobals(new TextEncoder().encode("var x; new URL(x); atob(x);"))).rejects.toThrow(
      "dist/plugin.js references globals that Figma's plugin sandbox does not have: URL, atob",
    );
    await expect(assertSandboxGlobals("figma.notify('ok');")).resolves.toBeUndefined();
  });

  it("takes the allowed names it is given (the sandbox check adds the engine's and SANDBOX_GLOBALS)", () => {
    expect(findUnavailableGlobals(`Object.keys(figma)`, ["figma"]).map((r) => r.name)).toEqual(["Object"]);
  });
});

describe("the ES2017 syntax check", () => {
  it.each([
    ["object spread (ES2018)", "const b = { ...a };"],
    ["object rest (ES2018)", "const { a, ...rest } = o;"],
    ["for await (ES2018)", "async function f(xs) { for await (const x of xs) {} }"],
    ["async generators (ES2018)", "async function* g() {}"],
    ["the regexp s flag (ES2018)", "/a.b/s.test(x);"],
    ["regexp named groups (ES2018)", "/(?<year>\\d{4})/.exec(x);"],
    ["optional catch binding (ES2019)", "try { f(); } catch { g(); }"],
    ["optional chaining (ES2020)", "a?.b;"],
    ["nullish coalescing (ES2020)", "a ?? b;"],
    ["class fields (ES2022)", "class A { x = 1; }"],
    ["module syntax (not a script)", "export const a = 1;"],
  ])("refuses %s", async (_what, code) => {
    await expect(checkSandboxGlobals(code)).rejects.toThrow(/^not an ES2017 script \(acorn: /);
  });

  it("names acorn's complaint and shows where: object spread is an unexpected token at ES2017", async () => {
    await expect(checkSandboxGlobals("const b = { ...a };")).rejects.toThrow("not an ES2017 script (acorn: Unexpected token (1:12)): const b = { ...a };");
  });

  it("accepts ES2017: async/await, exponent, trailing commas in calls, template literals, classes", async () => {
    expect(await flaggedScript("async function f(a,) { await h(a ** 2,); return `${a}`; } class K extends Map { static m() {} }")).toEqual(["h"]);
  });
});

describe("the plugin bundle, built now in memory", () => {
  it("references no global Figma's sandbox lacks", async () => {
    const bundle = new TextDecoder().decode(await buildPlugin());
    const found = await checkSandboxGlobals(bundle);
    expect(found.map((ref) => `${ref.name}: ${ref.excerpt}`)).toEqual([]);
  }, 60_000);
});
